import Foundation
import Testing
@testable import Signaling

/// Not a test: `SIGNALING_MANUAL_SERVER=<seconds> swift test --filter manualServer` runs a server on
/// 127.0.0.1:18088 (HTTP) / 18188 (WebSocket) with the test plugin, for poking at it with curl,
/// python websockets or janus.js in a browser.
@Test(.enabled(if: ProcessInfo.processInfo.environment["SIGNALING_MANUAL_SERVER"] != nil))
func manualServer() async throws {
    let seconds = Double(ProcessInfo.processInfo.environment["SIGNALING_MANUAL_SERVER"] ?? "") ?? 60
    var configuration = JanusServerConfiguration()
    configuration.httpPort = 18088
    configuration.wsPort = 18188
    configuration.sessionTimeout = 20
    let server = JanusAPIServer(configuration: configuration, plugins: [TestPlugin()], logger: testLogger())
    try await server.start()
    try await Task.sleep(for: .seconds(seconds))
    await server.shutdown()
}
