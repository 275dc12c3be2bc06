import Logging
import NIOCore
import NIOWebSocket

/// Where a WebSocket connection's text messages go: the Janus API (`JanusCore`) or the Admin API.
public protocol WebSocketMessageProcessor: Sendable {
    /// One text message; replies and events go out through `connection`, in order.
    func process(message: [UInt8], connection: any JanusEventSink) async
    /// The connection closed (its sessions end or wait to be claimed).
    func connectionClosed(_ connection: any JanusEventSink) async
}

extension JanusCore: WebSocketMessageProcessor {
    public func process(message: [UInt8], connection: any JanusEventSink) async {
        _ = await handleWebSocketMessage(
            message, connection: connection, budget: (connection as? WebSocketEventSink)?.budget, keepReplies: false)
    }
}

/// The Janus WebSocket transport on one upgraded connection (janus-api.md §7.2): each text
/// message holds one or more JSON requests, handled strictly in arrival order by one task per
/// connection; replies and events go back as one JSON object per text frame. Pings are answered,
/// a close is echoed, and closing the socket ends the sessions it owns.
///
/// Back-pressure: the connection stops reading from its socket while `maxPendingMessages`
/// requests wait to be handled or while the socket is not writable (its client is not reading
/// our replies), so a client that writes fast or never reads fills its own TCP window rather
/// than the server's memory. What still gets queued (events, one big batch of requests) is
/// bounded by the sink's `maxQueuedBytes`.
///
/// A NIO channel handler: its state is confined to the channel's event loop. Fragmented
/// messages are reassembled (with a size limit) by `NIOWebSocketFrameAggregator` ahead of it.
final class JanusWebSocketHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = WebSocketFrame
    typealias OutboundIn = WebSocketFrame
    typealias OutboundOut = WebSocketFrame

    private let core: any WebSocketMessageProcessor
    private let logger: Logger
    private let inFlight: InFlightCounter
    private let limits: WebSocketLimits
    private let statistics: JanusLimitStatistics?
    private var sink: WebSocketEventSink?
    private var requests: AsyncStream<[UInt8]>.Continuation?
    private var sentClose = false
    /// Requests handed to the connection's task and not yet handled (shared with that task).
    private let pending = Locked(0)
    /// A read was asked for and held back (back-pressure); it is issued when the reason is gone.
    private var readHeld = false
    /// Closes the connection if its socket stays unwritable for `limits.stallTimeout`.
    private var stallTimer: Scheduled<Void>?

    init(
        core: any WebSocketMessageProcessor, logger: Logger, inFlight: InFlightCounter = InFlightCounter(),
        limits: WebSocketLimits = WebSocketLimits(), statistics: JanusLimitStatistics? = nil
    ) {
        self.core = core
        self.logger = logger
        self.inFlight = inFlight
        self.limits = limits
        self.statistics = statistics
    }

    func handlerAdded(context: ChannelHandlerContext) {
        let sink = WebSocketEventSink(channel: context.channel, limits: limits, logger: logger, statistics: statistics)
        self.sink = sink
        let (stream, continuation) = AsyncStream<[UInt8]>.makeStream()
        requests = continuation
        let core = self.core
        let inFlight = self.inFlight
        let pending = self.pending
        let resumeBelow = max(1, limits.maxPendingMessages)
        let channel = context.channel
        inFlight.enter()
        // One task per connection keeps the client's request order (e.g. trickle after message).
        Task {
            for await message in stream {
                // Replies go out through the sink, in order with the events they cause.
                await core.process(message: message, connection: sink)
                let left = pending.withLock { n in
                    n -= 1
                    return n
                }
                // Back under the bound: let a held read go (the handler re-checks on its loop).
                if left == resumeBelow - 1 { channel.read() }
            }
            await core.connectionClosed(sink)
            inFlight.leave()
        }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        requests?.finish()
        requests = nil
    }

    func channelInactive(context: ChannelHandlerContext) {
        stallTimer?.cancel()
        stallTimer = nil
        requests?.finish()
        requests = nil
        context.fireChannelInactive()
    }

    // MARK: Back-pressure

    func read(context: ChannelHandlerContext) {
        let busy = pending.withLock { $0 } >= max(1, limits.maxPendingMessages)
        guard !busy, context.channel.isWritable else {
            readHeld = true
            return
        }
        readHeld = false
        context.read()
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable {
            stallTimer?.cancel()
            stallTimer = nil
            if readHeld { read(context: context) }
        } else if stallTimer == nil, let sink {
            stallTimer = context.eventLoop.scheduleTask(in: limits.stallTimeout) { sink.closeStalled() }
        }
        context.fireChannelWritabilityChanged()
    }

    // MARK: Frames

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        switch frame.opcode {
        case .text, .binary:
            var payload = frame.unmaskedData
            let bytes = payload.readBytes(length: payload.readableBytes) ?? []
            guard let requests else { return }
            pending.withLock { $0 += 1 }
            requests.yield(bytes)
        case .ping:
            let pong = WebSocketFrame(fin: true, opcode: .pong, data: frame.unmaskedData)
            context.writeAndFlush(wrapOutboundOut(pong), promise: nil)
        case .connectionClose:
            requests?.finish()
            requests = nil
            guard !sentClose else {
                context.close(promise: nil)
                return
            }
            sentClose = true
            // Echo the status code (first two bytes) as RFC 6455 §5.5.1 asks, then close.
            var data = frame.unmaskedData
            let code = data.readSlice(length: 2) ?? context.channel.allocator.buffer(capacity: 0)
            let close = WebSocketFrame(fin: true, opcode: .connectionClose, data: code)
            let channel = context.channel
            context.writeAndFlush(wrapOutboundOut(close)).whenComplete { _ in channel.close(promise: nil) }
        default:
            break
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        logger.debug("WebSocket error", metadata: ["error": "\(error)"])
        if !sentClose, context.channel.isActive {
            sentClose = true
            // 1009 when a reassembled message is too big, 1002 for other protocol errors.
            let code: WebSocketErrorCode =
                (error as? NIOWebSocketFrameAggregator.Error) != nil ? .messageTooLarge : .protocolError
            var data = context.channel.allocator.buffer(capacity: 2)
            data.write(webSocketErrorCode: code)
            let close = WebSocketFrame(fin: true, opcode: .connectionClose, data: data)
            let channel = context.channel
            context.writeAndFlush(wrapOutboundOut(close)).whenComplete { _ in channel.close(promise: nil) }
        } else {
            context.close(promise: nil)
        }
    }
}
