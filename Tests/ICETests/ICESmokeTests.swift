import Testing
@testable import ICE

@Test func ICEModuleLinks() {
    #expect(Bool(true))
}
