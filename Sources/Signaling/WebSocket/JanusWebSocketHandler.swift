import Logging
import NIOCore
import NIOWebSocket

/// The WebSocket connection as the core sees it: the event channel of the sessions it created
/// or claimed. `send` may be called from any thread; frames go out in call order because every
/// write is enqueued on the channel's event loop.
final class WebSocketEventSink: JanusEventSink {
    private let channel: any Channel

    init(channel: any Channel) { self.channel = channel }

    func send(_ message: JSONValue) {
        // A closed connection takes nothing more (and its event loop may be gone).
        guard channel.isActive else { return }
        let bytes = JSONSerializer.serialize(message)
        let channel = self.channel
        channel.eventLoop.execute {
            var buffer = channel.allocator.buffer(capacity: bytes.count)
            buffer.writeBytes(bytes)
            let frame = WebSocketFrame(fin: true, opcode: .text, data: buffer)
            channel.writeAndFlush(frame, promise: nil)
        }
    }
}

/// Where a WebSocket connection's text messages go: the Janus API (`JanusCore`) or the Admin API.
public protocol WebSocketMessageProcessor: Sendable {
    /// One text message; replies and events go out through `connection`, in order.
    func process(message: [UInt8], connection: any JanusEventSink) async
    /// The connection closed (its sessions end or wait to be claimed).
    func connectionClosed(_ connection: any JanusEventSink) async
}

extension JanusCore: WebSocketMessageProcessor {
    public func process(message: [UInt8], connection: any JanusEventSink) async {
        _ = await handleWebSocketMessage(message, connection: connection)
    }
}

/// The Janus WebSocket transport on one upgraded connection (janus-api.md §7.2): each text
/// message holds one or more JSON requests, handled strictly in arrival order by one task per
/// connection; replies and events go back as one JSON object per text frame. Pings are answered,
/// a close is echoed, and closing the socket ends the sessions it owns.
///
/// A NIO channel handler: its state is confined to the channel's event loop. Fragmented
/// messages are reassembled (with a size limit) by `NIOWebSocketFrameAggregator` ahead of it.
final class JanusWebSocketHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = WebSocketFrame
    typealias OutboundOut = WebSocketFrame

    private let core: any WebSocketMessageProcessor
    private let logger: Logger
    private let inFlight: InFlightCounter
    private var sink: WebSocketEventSink?
    private var requests: AsyncStream<[UInt8]>.Continuation?
    private var sentClose = false

    init(core: any WebSocketMessageProcessor, logger: Logger, inFlight: InFlightCounter = InFlightCounter()) {
        self.core = core
        self.logger = logger
        self.inFlight = inFlight
    }

    func handlerAdded(context: ChannelHandlerContext) {
        let sink = WebSocketEventSink(channel: context.channel)
        self.sink = sink
        let (stream, continuation) = AsyncStream<[UInt8]>.makeStream()
        requests = continuation
        let core = self.core
        let inFlight = self.inFlight
        inFlight.enter()
        // One task per connection keeps the client's request order (e.g. trickle after message).
        Task {
            for await message in stream {
                // Replies go out through the sink, in order with the events they cause.
                await core.process(message: message, connection: sink)
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
        requests?.finish()
        requests = nil
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        switch frame.opcode {
        case .text, .binary:
            var payload = frame.unmaskedData
            let bytes = payload.readBytes(length: payload.readableBytes) ?? []
            requests?.yield(bytes)
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
