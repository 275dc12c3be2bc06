import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOWebSocket

/// A Janus API endpoint: one `JanusCore` served over HTTP (REST + long poll) and WebSocket
/// (`janus-protocol`), on SwiftNIO. Each instance owns its listeners, connections and sessions;
/// several can run in one process without sharing anything.
///
/// Thread-safe: `start`/`shutdown` may be called from any task (not concurrently with each other).
public final class JanusAPIServer: Sendable {
    private struct State {
        var httpChannel: (any Channel)?
        var wsChannel: (any Channel)?
        var httpPort: Int?
        var wsPort: Int?
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
    public var boundHTTPPort: Int? { state.withLock { $0.httpPort } }
    /// The bound WebSocket port once `start()` returned, nil if disabled.
    public var boundWSPort: Int? { state.withLock { $0.wsPort } }

    /// Binds the listeners and starts the session watchdog.
    public func start() async throws {
        guard state.withLock({ s in
            defer { s.started = true }
            return !s.started && !s.shutDown
        }) else { return }
        await core.start()
        do {
            if let port = configuration.httpPort {
                let channel = try await bindHTTP(host: configuration.httpHost, port: port)
                state.withLock {
                    $0.httpChannel = channel
                    $0.httpPort = channel.localAddress?.port
                }
                logger.info("Janus HTTP transport listening", metadata: ["address": "\(channel.localAddress.map { "\($0)" } ?? "?")"])
            }
            if let port = configuration.wsPort {
                let channel = try await bindWebSocket(host: configuration.wsHost, port: port)
                state.withLock {
                    $0.wsChannel = channel
                    $0.wsPort = channel.localAddress?.port
                }
                logger.info("Janus WebSocket transport listening", metadata: ["address": "\(channel.localAddress.map { "\($0)" } ?? "?")"])
            }
        } catch {
            await shutdown()
            throw error
        }
    }

    /// Closes listeners and connections, destroys every session, and stops owned threads.
    public func shutdown() async {
        let (listeners, connections, alreadyDown) = state.withLock { s in
            let result = ([s.httpChannel, s.wsChannel].compactMap { $0 }, Array(s.connections.values), s.shutDown)
            s.shutDown = true
            s.httpChannel = nil
            s.wsChannel = nil
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

    private func bindHTTP(host: String, port: Int) async throws -> any Channel {
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
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                    try channel.pipeline.syncOperations.addHandler(
                        JanusHTTPHandler(core: core, options: httpOptions, logger: logger, inFlight: inFlight))
                }
            }
            .childChannelOption(ChannelOptions.socketOption(.tcp_nodelay), value: 1)
            .bind(host: host, port: port).get()
    }

    private func bindWebSocket(host: String, port: Int) async throws -> any Channel {
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
