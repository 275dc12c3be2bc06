import Testing
@testable import Signaling

@Test func SignalingModuleLinks() {
    #expect(Bool(true))
}
