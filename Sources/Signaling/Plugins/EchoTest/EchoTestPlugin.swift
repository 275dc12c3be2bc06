import Logging
import SFUMedia

/// `janus.plugin.echotest`: every stream a peer sends comes back to it on the same
/// PeerConnection. The smallest complete WebRTC path, and the way clients test a server.
public struct EchoTestPlugin: JanusPlugin {
    public let package = "janus.plugin.echotest"
    public let info = JanusPluginInfo(
        name: "swift-sfu EchoTest plugin", author: "swift-sfu",
        description: "Echoes every received audio and video stream back to its sender (Janus EchoTest API).",
        versionString: "0.1.0", version: 1)

    private let engine: MediaEngine
    private let logger: Logger

    public init(engine: MediaEngine, logger: Logger) {
        self.engine = engine
        self.logger = logger
    }

    public func attach(context: PluginHandleContext) async throws -> any JanusPluginSession {
        EchoTestSession(context: context, engine: engine, logger: logger)
    }
}
