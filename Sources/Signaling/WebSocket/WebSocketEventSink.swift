import Logging
import NIOCore
import NIOWebSocket
import SFUMedia

/// The WebSocket connection as the core sees it: the event channel of the sessions it created
/// or claimed. `send` may be called from any thread; frames go out in call order because every
/// write is enqueued on the channel's event loop.
///
/// Bounded: the buffers handed to the channel and not yet written to the socket are counted, and
/// once they pass `limits.maxQueuedBytes` (a client that does not read) the connection is closed
/// with 1008 and a warning: what it had queued is released instead of held for it.
final class WebSocketEventSink: JanusEventSink {
    private struct Queue {
        var bytes = 0
        var overflowed = false
    }

    private let channel: any Channel
    private let limits: WebSocketLimits
    private let logger: Logger
    private let statistics: JanusLimitStatistics?
    private let queue = Locked(Queue())
    /// The connection's request budget (nil: no rate limit).
    let budget: RequestBudget?

    init(channel: any Channel, limits: WebSocketLimits, logger: Logger, statistics: JanusLimitStatistics?) {
        self.channel = channel
        self.limits = limits
        self.logger = logger
        self.statistics = statistics
        self.budget = limits.maxRequestsPerSecond > 0 ? RequestBudget(perSecond: limits.maxRequestsPerSecond) : nil
    }

    /// Bytes queued for the socket and not yet written.
    var queuedBytes: Int { queue.withLock { $0.bytes } }

    func send(_ message: JSONValue) {
        // A closed connection takes nothing more (and its event loop may be gone).
        guard channel.isActive else { return }
        let bytes = JSONSerializer.serialize(message)
        // The frame's buffer is made here (the allocator may be used from any thread) and its
        // capacity — rounded up to a power of two — is what counts: the memory really held.
        var buffer = channel.allocator.buffer(capacity: bytes.count)
        buffer.writeBytes(bytes)
        let size = buffer.capacity
        let overflow: Int? = queue.withLock { q in
            guard !q.overflowed else { return nil }
            q.bytes += size
            guard limits.maxQueuedBytes > 0, q.bytes > limits.maxQueuedBytes else { return 0 }
            q.overflowed = true
            return q.bytes
        }
        switch overflow {
        case nil:
            return
        case 0?:
            write(buffer, size: size)
        case let queued?:
            closeOverflowing(queued: queued)
        }
    }

    private func write(_ buffer: ByteBuffer, size: Int) {
        let channel = self.channel
        let queue = self.queue
        channel.eventLoop.execute {
            let frame = WebSocketFrame(fin: true, opcode: .text, data: buffer)
            let written = channel.eventLoop.makePromise(of: Void.self)
            // Written or failed (closed), the bytes are no longer ours to hold.
            written.futureResult.whenComplete { _ in queue.withLock { $0.bytes -= size } }
            channel.writeAndFlush(frame, promise: written)
        }
    }

    /// Closes the connection with 1008 (policy violation). Nothing more is queued; the close
    /// frame goes after what is already queued (bounded by the limit), so a client that resumes
    /// reading gets its replies and then the reason, and one that does not is cut off after
    /// `closeGrace`, which frees whatever was still queued for it.
    /// The socket stayed unwritable for `stallTimeout`: closed like an overflowing one.
    func closeStalled() {
        let queued: Int? = queue.withLock { q in
            guard !q.overflowed else { return nil }
            q.overflowed = true
            return q.bytes
        }
        guard let queued else { return }
        closeOverflowing(queued: queued, reason: "its socket stayed unwritable")
    }

    private func closeOverflowing(queued: Int, reason: String = "its queued replies passed the limit") {
        statistics?.record(.webSocketQueue)
        logger.warning(
            "WebSocket client not reading: closing it (1008), \(reason)",
            metadata: [
                "remote": "\(channel.remoteAddress.map { "\($0)" } ?? "?")", "queued_bytes": "\(queued)",
                "limit_bytes": "\(limits.maxQueuedBytes)",
            ])
        let channel = self.channel
        let grace = limits.closeGrace
        channel.eventLoop.execute {
            var data = channel.allocator.buffer(capacity: 2)
            data.write(webSocketErrorCode: .policyViolation)
            let frame = WebSocketFrame(fin: true, opcode: .connectionClose, data: data)
            channel.writeAndFlush(frame).whenComplete { _ in channel.close(promise: nil) }
            channel.eventLoop.scheduleTask(in: grace) { channel.close(promise: nil) }
            // What it held was freed across the allocator's arenas: hand the pages back, so that
            // a slow consumer does not leave the server megabytes larger (RSS, not just the heap).
            channel.closeFuture.whenComplete { _ in IdleMemory.release() }
        }
    }
}

/// Per-connection bounds of a WebSocket transport.
public struct WebSocketLimits: Sendable, Hashable {
    /// Outbound bytes a connection may have queued (replies and events its client has not read)
    /// before it is closed with 1008; 0: no limit.
    public var maxQueuedBytes: Int
    /// Requests a second per connection (burst: twice that); beyond it answered 490. 0: no limit.
    public var maxRequestsPerSecond: Int
    /// Requests read but not yet handled above which the connection stops reading (back-pressure
    /// instead of buffering what a fast sender writes).
    public var maxPendingMessages: Int = 16
    /// How long a connection closed for its queue may take to read what was queued before it is
    /// cut off.
    public var closeGrace: TimeAmount = .seconds(2)
    /// How long a connection's socket may stay unwritable (its client reads nothing at all)
    /// before it is closed with 1008, so a stalled client does not keep its queue forever.
    public var stallTimeout: TimeAmount = .seconds(30)

    public init(maxQueuedBytes: Int = 8 << 20, maxRequestsPerSecond: Int = 0) {
        self.maxQueuedBytes = maxQueuedBytes
        self.maxRequestsPerSecond = maxRequestsPerSecond
    }
}
