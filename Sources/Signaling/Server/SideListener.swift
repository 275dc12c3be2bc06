import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOWebSocket

/// A listener that serves only side routes (`GET /metrics` on `--metrics`, the Admin API's
/// `/admin` on `--admin-http`) and, optionally, WebSocket connections offering one subprotocol
/// (`janus-admin-protocol`). Everything else answers 404; a WebSocket upgrade without the
/// subprotocol is refused.
public final class SideListener: Sendable {
    /// WebSocket connections: the subprotocol they must offer and where their messages go.
    public struct WebSocketService: Sendable {
        public var subprotocol: String
        public var processor: any WebSocketMessageProcessor

        public init(subprotocol: String, processor: any WebSocketMessageProcessor) {
            self.subprotocol = subprotocol
            self.processor = processor
        }
    }

    private struct State {
        var listener: (any Channel)?
        var connections: [ObjectIdentifier: any Channel] = [:]
    }

    private let routes: [HTTPSideRoute]
    private let webSocket: WebSocketService?
    private let core: JanusCore
    private let logger: Logger
    private let group: any EventLoopGroup
    private let state = Locked(State())
    private let inFlight = InFlightCounter()

    /// `core` is only there to satisfy the shared HTTP handler; no Janus route is served here.
    public init(
        routes: [HTTPSideRoute], webSocket: WebSocketService? = nil, core: JanusCore, logger: Logger,
        eventLoopGroup: any EventLoopGroup
    ) {
        self.routes = routes
        self.webSocket = webSocket
        self.core = core
        self.logger = logger
        self.group = eventLoopGroup
    }

    /// Binds `host:port` (0: ephemeral) and returns the bound port.
    public func start(host: String, port: Int, maxMessageSize: Int = 1 << 20) async throws -> Int {
        var options = JanusHTTPOptions()
        options.sideRoutes = routes
        options.servesJanusAPI = false
        options.maxBodySize = maxMessageSize
        let (core, logger, inFlight, webSocket) = (self.core, self.logger, self.inFlight, self.webSocket)
        let channel = try await ServerBootstrap(group: group)
            .serverChannelOption(ChannelOptions.backlog, value: 64)
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { [weak self] channel in
                self?.track(channel)
                return channel.eventLoop.makeCompletedFuture {
                    let http = JanusHTTPHandler(core: core, options: options, logger: logger, inFlight: inFlight)
                    guard let webSocket else {
                        try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                        try channel.pipeline.syncOperations.addHandler(http, name: "side-http")
                        return
                    }
                    let upgrader = NIOWebSocketServerUpgrader(
                        maxFrameSize: maxMessageSize, automaticErrorHandling: true,
                        shouldUpgrade: { channel, head in
                            channel.eventLoop.makeSucceededFuture(
                                JanusAPIServer.negotiateSubprotocol(head, accepting: webSocket.subprotocol))
                        },
                        upgradePipelineHandler: { channel, _ in
                            channel.eventLoop.makeCompletedFuture {
                                let sync = channel.pipeline.syncOperations
                                sync.removeHandler(name: "side-http", promise: nil)
                                try sync.addHandler(
                                    NIOWebSocketFrameAggregator(
                                        minNonFinalFragmentSize: 0, maxAccumulatedFrameCount: 4096,
                                        maxAccumulatedFrameSize: maxMessageSize))
                                try sync.addHandler(
                                    JanusWebSocketHandler(core: webSocket.processor, logger: logger, inFlight: inFlight))
                            }
                        })
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(
                        withServerUpgrade: (upgraders: [upgrader], completionHandler: { _ in }), withErrorHandling: true)
                    try channel.pipeline.syncOperations.addHandler(http, name: "side-http")
                }
            }
            .childChannelOption(ChannelOptions.socketOption(.tcp_nodelay), value: 1)
            .bind(host: host, port: port).get()
        state.withLock { $0.listener = channel }
        return channel.localAddress?.port ?? port
    }

    /// Closes the listener and its connections.
    public func shutdown() async {
        let channels = state.withLock { s in
            defer {
                s.listener = nil
                s.connections = [:]
            }
            return [s.listener].compactMap { $0 } + Array(s.connections.values)
        }
        for channel in channels { try? await channel.close() }
        await inFlight.drain(timeout: .seconds(2))
    }

    private func track(_ channel: any Channel) {
        let id = ObjectIdentifier(channel)
        state.withLock { $0.connections[id] = channel }
        channel.closeFuture.whenComplete { [weak self] _ in
            _ = self?.state.withLock { $0.connections.removeValue(forKey: id) }
        }
    }
}
