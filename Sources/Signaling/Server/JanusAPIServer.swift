import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOWebSocket

/// Makes a connection's TLS handler (`JanusServerConfiguration.tlsHandler`).
typealias TLSHandlerFactory = @Sendable () -> any ChannelHandler

/// A Janus API endpoint: one `JanusCore` served over HTTP (REST + long poll) and WebSocket
/// (`janus-protocol`), on SwiftNIO. Each instance owns its listeners, connections and sessions;
/// several can run in one process without sharing anything.
///
/// Thread-safe: `start`/`shutdown` may be called from any task (not concurrently with each other).
public final class JanusAPIServer: Sendable {
    /// The four listeners: Janus REST (+ side routes) and WebSocket, each plain or over TLS.
    private enum Listener: CaseIterable {
        case http, webSocket, https, secureWebSocket
    }

    private struct State {
        var listeners: [Listener: any Channel] = [:]
        var ports: [Listener: Int] = [:]
        var connections: [ObjectIdentifier: any Channel] = [:]
        var started = false
        var shutDown = false
    }

    public let configuration: JanusServerConfiguration
    /// The transport-independent core, for embedders that want to drive it directly.
    public let core: JanusCore
    private let logger: Logger
    private let group: any EventLoopGroup
    private let ownsGroup: Bool
    private let state = Locked(State())
    private let inFlight = InFlightCounter()

    public init(
        configuration: JanusServerConfiguration, plugins: [any JanusPlugin], logger: Logger,
        eventLoopGroup: (any EventLoopGroup)? = nil
    ) {
        self.configuration = configuration
        self.logger = logger
        self.core = JanusCore(configuration: configuration.coreConfiguration, plugins: plugins, logger: logger)
        if let eventLoopGroup {
            self.group = eventLoopGroup
            self.ownsGroup = false
        } else {
            self.group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
            self.ownsGroup = true
        }
    }

    /// The SwiftNIO threads the listeners run on (side listeners can share them).
    public var eventLoopGroup: any EventLoopGroup { group }

    /// The bound HTTP port once `start()` returned (useful with port 0), nil if disabled.
    public var boundHTTPPort: Int? { state.withLock { $0.ports[.http] } }
    /// The bound WebSocket port once `start()` returned, nil if disabled.
    public var boundWSPort: Int? { state.withLock { $0.ports[.webSocket] } }
    /// The bound HTTPS port once `start()` returned, nil if disabled.
    public var boundHTTPSPort: Int? { state.withLock { $0.ports[.https] } }
    /// The bound WSS (WebSocket over TLS) port once `start()` returned, nil if disabled.
    public var boundWSSPort: Int? { state.withLock { $0.ports[.secureWebSocket] } }

    /// Binds the listeners and starts the session watchdog.
    public func start() async throws {
        guard state.withLock({ s in
            defer { s.started = true }
            return !s.started && !s.shutDown
        }) else { return }
        await core.start()
        do {
            for listener in Listener.allCases {
                guard let (host, port, tls) = endpoint(of: listener) else { continue }
                let channel: any Channel
                switch listener {
                case .http, .https: channel = try await bindHTTP(host: host, port: port, tls: tls)
                case .webSocket, .secureWebSocket: channel = try await bindWebSocket(host: host, port: port, tls: tls)
                }
                state.withLock {
                    $0.listeners[listener] = channel
                    $0.ports[listener] = channel.localAddress?.port
                }
                logger.info(
                    "Janus \(Self.name(of: listener)) transport listening",
                    metadata: ["address": "\(channel.localAddress.map { "\($0)" } ?? "?")"])
            }
        } catch {
            await shutdown()
            throw error
        }
    }

    /// Where `listener` binds and with which TLS context; nil when it is off.
    private func endpoint(of listener: Listener) -> (String, Int, TLSHandlerFactory?)? {
        switch listener {
        case .http: return configuration.httpPort.map { (configuration.httpHost, $0, nil) }
        case .webSocket: return configuration.wsPort.map { (configuration.wsHost, $0, nil) }
        case .https:
            guard let port = configuration.httpsPort, let tls = configuration.tlsHandler else { return nil }
            return (configuration.httpsHost, port, tls)
        case .secureWebSocket:
            guard let port = configuration.wssPort, let tls = configuration.tlsHandler else { return nil }
            return (configuration.wssHost, port, tls)
        }
    }

    private static func name(of listener: Listener) -> String {
        switch listener {
        case .http: return "HTTP"
        case .webSocket: return "WebSocket"
        case .https: return "HTTPS"
        case .secureWebSocket: return "WSS"
        }
    }

    /// Closes listeners and connections, destroys every session, and stops owned threads.
    public func shutdown() async {
        let (listeners, connections, alreadyDown) = state.withLock { s in
            let result = (Array(s.listeners.values), Array(s.connections.values), s.shutDown)
            s.shutDown = true
            s.listeners = [:]
            s.connections = [:]
            return result
        }
        guard !alreadyDown else { return }
        for channel in listeners { try? await channel.close() }
        for channel in connections { try? await channel.close() }
        await core.shutdown()
        await inFlight.drain(timeout: .seconds(2))
        if ownsGroup { try? await group.shutdownGracefully() }
    }

    // MARK: Listeners

    /// Records a new connection; false (and it is closed) when `maxConnections` are open already.
    private func track(_ channel: any Channel) -> Bool {
        let id = ObjectIdentifier(channel)
        let limit = configuration.maxConnections
        let open = state.withLock { s -> Int? in
            guard limit <= 0 || s.connections.count < limit else { return nil }
            s.connections[id] = channel
            return s.connections.count
        }
        guard open != nil else {
            let refused = core.limitStatistics.record(.connections)
            if refused == 1 || refused.isMultiple(of: 100) {
                logger.warning(
                    "Connection refused: limit of concurrent connections reached",
                    metadata: ["limit": "\(limit)", "refused": "\(refused)"])
            }
            return false
        }
        channel.closeFuture.whenComplete { [weak self] _ in
            _ = self?.state.withLock { $0.connections.removeValue(forKey: id) }
        }
        return true
    }

    /// Closes a connection over the limit before any byte is read from it.
    private static func refuse(_ channel: any Channel) -> EventLoopFuture<Void> {
        channel.close(mode: .all).flatMapErrorThrowing { _ in }
    }

    private func bindHTTP(host: String, port: Int, tls: TLSHandlerFactory?) async throws -> any Channel {
        let core = self.core
        let logger = self.logger
        let httpOptions = configuration.httpOptions
        let inFlight = self.inFlight
        return try await ServerBootstrap(group: group)
            .serverChannelOption(ChannelOptions.backlog, value: 256)
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { [weak self] channel in
                guard self?.track(channel) ?? false else { return Self.refuse(channel) }
                return channel.eventLoop.makeCompletedFuture {
                    if let tls { try channel.pipeline.syncOperations.addHandler(tls()) }
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                    try channel.pipeline.syncOperations.addHandler(
                        JanusHTTPHandler(core: core, options: httpOptions, logger: logger, inFlight: inFlight))
                }
            }
            .childChannelOption(ChannelOptions.socketOption(.tcp_nodelay), value: 1)
            .bind(host: host, port: port).get()
    }

    private func bindWebSocket(host: String, port: Int, tls: TLSHandlerFactory?) async throws -> any Channel {
        let core = self.core
        let logger = self.logger
        let maxMessage = max(1024, configuration.maxWebSocketMessageSize)
        let inFlight = self.inFlight
        let limits = configuration.webSocketLimits
        let statistics = core.limitStatistics
        return try await ServerBootstrap(group: group)
            .serverChannelOption(ChannelOptions.backlog, value: 256)
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { [weak self] channel in
                guard self?.track(channel) ?? false else { return Self.refuse(channel) }
                let upgrader = NIOWebSocketServerUpgrader(
                    maxFrameSize: maxMessage, automaticErrorHandling: true,
                    shouldUpgrade: { channel, head in
                        channel.eventLoop.makeSucceededFuture(Self.negotiateSubprotocol(head))
                    },
                    upgradePipelineHandler: { channel, _ in
                        channel.eventLoop.makeCompletedFuture {
                            let sync = channel.pipeline.syncOperations
                            sync.removeHandler(name: WebSocketRefusalHandler.name, promise: nil)
                            try sync.addHandler(
                                NIOWebSocketFrameAggregator(
                                    minNonFinalFragmentSize: 0, maxAccumulatedFrameCount: 4096,
                                    maxAccumulatedFrameSize: maxMessage))
                            try sync.addHandler(
                                JanusWebSocketHandler(
                                    core: core, logger: logger, inFlight: inFlight, limits: limits,
                                    statistics: statistics))
                        }
                    })
                return channel.eventLoop.makeCompletedFuture {
                    if let tls { try channel.pipeline.syncOperations.addHandler(tls()) }
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(
                        withServerUpgrade: (upgraders: [upgrader], completionHandler: { _ in }),
                        withErrorHandling: true)
                    try channel.pipeline.syncOperations.addHandler(
                        WebSocketRefusalHandler(), name: WebSocketRefusalHandler.name)
                }
            }
            .childChannelOption(ChannelOptions.socketOption(.tcp_nodelay), value: 1)
            .bind(host: host, port: port).get()
    }

    /// Accepts the upgrade only when the client offers `janus-protocol` (janus-api.md §7.2).
    static func negotiateSubprotocol(_ head: HTTPRequestHead, accepting subprotocol: String = "janus-protocol") -> HTTPHeaders? {
        let offered = head.headers["Sec-WebSocket-Protocol"]
            .flatMap { $0.split(separator: ",") }
            .map { $0.trimmingSpacesAndTabs() }
        guard offered.contains(Substring(subprotocol)) else { return nil }
        var headers = HTTPHeaders()
        headers.add(name: "Sec-WebSocket-Protocol", value: subprotocol)
        return headers
    }
}
