import Testing
@testable import SFU

@Test func SFUModuleLinks() {
    #expect(Bool(true))
}
