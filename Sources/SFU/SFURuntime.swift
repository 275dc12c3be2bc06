import DTLS
import ICE
import Synchronization
import Logging
import NIOSSL

/// The parts of a running `SFUServer`, built by `run()` and released when it returns.
final class SFURuntime: Sendable {
    let engine: MediaEngine
    let api: JanusAPIServer
    let control: RoomControlClient
    /// The typed room API's way in: the VideoRoom plugin the Janus core serves.
    let videoRoom: VideoRoomPlugin
    let addresses: SFUServer.BoundAddresses
    /// Metrics of this server, when `SFUOptions.metrics` is set.
    let metrics: SFUMetricsReporter?
    /// Listeners beside the Janus API (`metricsListener`, `adminHTTP`).
    let sideListeners: [SideListener]
    /// When the server came up (the support bundle's uptime).
    let startedAt = ContinuousClock.now

    private init(
        engine: MediaEngine, api: JanusAPIServer, videoRoom: VideoRoomPlugin, apiSecret: String?,
        metrics: SFUMetricsReporter?, sideListeners: [SideListener], metricsPort: Int?, adminPort: Int?
    ) {
        self.engine = engine
        self.api = api
        self.videoRoom = videoRoom
        self.control = RoomControlClient(core: api.core, apiSecret: apiSecret)
        self.metrics = metrics
        self.sideListeners = sideListeners
        self.addresses = SFUServer.BoundAddresses(
            httpPort: api.boundHTTPPort, webSocketPort: api.boundWSPort, httpsPort: api.boundHTTPSPort,
            secureWebSocketPort: api.boundWSSPort,
            media: engine.listeningAddresses.flatMap { $0 }, metricsPort: metricsPort, adminPort: adminPort)
    }

    /// Binds the media plane, then the Janus listeners, then the side listeners; undoes what
    /// was bound if a later step fails.
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
        let videoRoomPlugin = VideoRoomPlugin(media: engine, configuration: videoRoom, logger: logger)
        plugins.append(videoRoomPlugin)
        let metrics = options.metrics.map { SFUMetricsReporter(factory: $0, server: options.name, engine: engine) }
        let metricsRoute = metrics.flatMap { reporter in options.servesPrometheus ? Self.metricsRoute(reporter) : nil }
        var janusConfiguration = options.janusConfiguration
        do {
            if let context = try options.loadTLS() {
                janusConfiguration.tlsHandler = { NIOSSLServerHandler(context: context) }
            }
        } catch {
            engine.shutdown()
            throw SFUError.invalidOptions("TLS certificate: \(error)")
        }
        if let metricsRoute, options.metricsListener == nil { janusConfiguration.sideRoutes.append(metricsRoute) }
        let api = JanusAPIServer(
            configuration: janusConfiguration, plugins: plugins, logger: logger,
            eventLoopGroup: options.eventLoopGroup)
        await metrics?.bind(core: api.core)
        var sideListeners: [SideListener] = []
        var metricsPort: Int?
        var adminPort: Int?
        var supportBundle: SupportBundleSource?
        do {
            try await api.start()
            if let endpoint = options.metricsListener, let metricsRoute {
                let listener = SideListener(
                    routes: [metricsRoute], core: api.core, logger: logger, eventLoopGroup: api.eventLoopGroup)
                sideListeners.append(listener)
                metricsPort = try await listener.start(host: endpoint.host, port: endpoint.port)
                logger.info("Metrics listening", metadata: ["address": "\(endpoint.host):\(metricsPort ?? 0)"])
            }
            if let endpoint = options.adminHTTP {
                var hooks = adminHooks(options: options, engine: engine)
                let bundle = SupportBundleSource()
                hooks.supportBundle = { await bundle.make() }
                let admin = JanusAdminAPI(core: api.core, secret: options.adminSecret, hooks: hooks)
                supportBundle = bundle
                let listener = SideListener(
                    routes: [admin.httpRoute],
                    webSocket: .init(subprotocol: "janus-admin-protocol", processor: admin),
                    core: api.core, logger: logger, eventLoopGroup: api.eventLoopGroup)
                sideListeners.append(listener)
                adminPort = try await listener.start(host: endpoint.host, port: endpoint.port)
                logger.info("Janus Admin API listening", metadata: ["address": "\(endpoint.host):\(adminPort ?? 0)"])
            }
        } catch {
            for listener in sideListeners { await listener.shutdown() }
            await api.shutdown()
            engine.shutdown()
            throw error
        }
        for token in options.tokens { _ = try? api.core.addToken(token) }
        let runtime = SFURuntime(
            engine: engine, api: api, videoRoom: videoRoomPlugin, apiSecret: options.apiSecret, metrics: metrics,
            sideListeners: sideListeners, metricsPort: metricsPort, adminPort: adminPort)
        supportBundle?.bind(SFUSupportBundle(options: options, runtime: runtime))
        return runtime
    }

    /// What the Admin API gets from the server: PeerConnection inspection on the media plane,
    /// the certificate fingerprint, the log level.
    static func adminHooks(options: SFUOptions, engine: MediaEngine) -> JanusAdminAPI.Hooks {
        var hooks = JanusAdminAPI.Hooks()
        hooks.inspect = { await engine.inspect($0) }
        hooks.localFingerprint = engine.fingerprint.sdpValue.split(separator: " ").last.map(String.init)
        if let control = options.logLevelControl {
            hooks.logLevel = (get: { control.janusLevel }, set: { control.janusLevel = $0 })
        }
        hooks.status["no_media_timer"] = 1
        return hooks
    }

    /// `GET /metrics`: the figures refreshed, then the Prometheus text format.
    private static func metricsRoute(_ reporter: SFUMetricsReporter) -> HTTPSideRoute {
        HTTPSideRoute(methods: ["GET"], match: .exact("/metrics")) { _ in
            let body = await reporter.scrape()
            return JanusHTTPResponse(
                status: 200, headers: [(name: "Content-Type", value: "text/plain; version=0.0.4; charset=utf-8")],
                body: body)
        }
    }

    /// Closes the side listeners, destroys every session (plugins hang up and leave their
    /// rooms), closes the Janus listeners, then stops the media workers.
    func shutdown() async {
        for listener in sideListeners { await listener.shutdown() }
        await api.shutdown()
        engine.shutdown()
    }
}

/// The Admin API's `support_bundle` content, bound once the runtime it describes exists (the
/// Admin API listener starts before the runtime value is complete).
private final class SupportBundleSource: Sendable {
    private let bundle = Mutex<SFUSupportBundle?>(nil)

    func bind(_ source: SFUSupportBundle) { bundle.withLock { $0 = source } }

    func make() async -> JSONObject {
        guard let source = bundle.withLock({ $0 }) else { return ["error": "the server is starting"] }
        return await source.make()
    }
}
