import Testing
@testable import RTP

@Test func RTPModuleLinks() {
    #expect(Bool(true))
}
