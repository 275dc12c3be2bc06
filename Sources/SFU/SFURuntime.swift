import ICE
import Logging

/// The parts of a running `SFUServer`, built by `run()` and released when it returns.
final class SFURuntime: Sendable {
    let engine: MediaEngine
    let api: JanusAPIServer
    let control: RoomControlClient
    let addresses: SFUServer.BoundAddresses

    private init(engine: MediaEngine, api: JanusAPIServer, apiSecret: String?) {
        self.engine = engine
        self.api = api
        self.control = RoomControlClient(core: api.core, apiSecret: apiSecret)
        self.addresses = SFUServer.BoundAddresses(
            httpPort: api.boundHTTPPort, webSocketPort: api.boundWSPort,
            media: engine.listeningAddresses.flatMap { $0 })
    }

    /// Binds the media plane, then the Janus listeners; undoes the first if the second fails.
    static func start(options: SFUOptions, logger: Logger, broadcaster: SFUEventBroadcaster) async throws -> SFURuntime {
        let certificate: DTLSCertificate?
        do {
            certificate = try options.loadCertificate()
        } catch {
            throw SFUError.invalidOptions("certificate: \(error)")
        }
        let engine = try MediaEngine(
            configuration: options.mediaConfiguration, certificate: certificate, logger: logger)
        engine.start()
        var plugins: [any JanusPlugin] = []
        if options.echoTest { plugins.append(EchoTestPlugin(engine: engine, logger: logger)) }
        let videoRoom = options.videoRoomConfiguration { broadcaster.publish($0) }
        plugins.append(VideoRoomPlugin(media: engine, configuration: videoRoom, logger: logger))
        let api = JanusAPIServer(
            configuration: options.janusConfiguration, plugins: plugins, logger: logger,
            eventLoopGroup: options.eventLoopGroup)
        do {
            try await api.start()
        } catch {
            engine.shutdown()
            throw error
        }
        for token in options.tokens { try? api.core.addToken(token) }
        return SFURuntime(engine: engine, api: api, apiSecret: options.apiSecret)
    }

    /// Destroys every session (plugins hang up and leave their rooms), closes the listeners,
    /// then stops the media workers.
    func shutdown() async {
        await api.shutdown()
        engine.shutdown()
    }
}
