import Foundation
import ICE
import Logging
import SFUMedia
import Signaling

/// The running process: the media plane plus the Janus API in front of it.
final class SFUServer: Sendable {
    let engine: MediaEngine
    let api: JanusAPIServer
    let logger: Logger

    init(plan: LaunchPlan, logger: Logger) throws {
        var certificate: DTLSCertificate?
        if let certificateFile = plan.certificateFile, let privateKeyFile = plan.privateKeyFile {
            certificate = try DTLSCertificate(
                pemCertificate: String(contentsOfFile: certificateFile, encoding: .utf8),
                pemPrivateKey: String(contentsOfFile: privateKeyFile, encoding: .utf8))
        }
        engine = try MediaEngine(configuration: plan.media, certificate: certificate, logger: logger)
        var api = JanusServerConfiguration()
        api.httpPort = plan.http?.port
        if let http = plan.http { api.httpHost = http.host }
        api.wsPort = plan.ws?.port
        if let ws = plan.ws { api.wsHost = ws.host }
        api.basePath = plan.basePath
        api.sessionTimeout = plan.sessionTimeout
        self.api = JanusAPIServer(
            configuration: api,
            plugins: [
                EchoTestPlugin(engine: engine, logger: logger),
                // Janus's defaults: demo room 1234, no admin key, no rooms file (permanent → 499).
                VideoRoomPlugin(
                    media: engine,
                    configuration: VideoRoomConfiguration(adminKey: plan.adminKey, roomsFile: plan.roomsFile),
                    logger: logger),
            ],
            logger: logger)
        self.logger = logger
    }

    func start() async throws {
        engine.start()
        do {
            try await api.start()
        } catch {
            engine.shutdown()
            throw error
        }
    }

    func shutdown() async {
        await api.shutdown()
        engine.shutdown()
    }

    /// One line on stdout (and in --ready-file) that scripts wait for.
    func readyLine() -> String {
        let http = api.boundHTTPPort.map(String.init) ?? "off"
        let ws = api.boundWSPort.map(String.init) ?? "off"
        let media = engine.listeningAddresses.flatMap { $0 }.joined(separator: ",")
        return "sfu-server ready http=\(http) ws=\(ws) media=\(media)"
    }
}
