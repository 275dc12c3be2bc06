import Synchronization

/// A typed room event (participant joined/left, publishing started/stopped, media up/down,
/// slow link, talking, rooms created/destroyed), with room id, participant id and display.
public typealias SFUEvent = VideoRoomEvent

/// Fans the registry's events out to every `events()` consumer. Each consumer has its own
/// bounded buffer (the oldest events are dropped when it falls behind), so a slow or absent
/// reader never blocks the plugin. `publish` may be called from any thread; per consumer,
/// events keep the order in which they were published.
final class SFUEventBroadcaster: Sendable {
    private struct State {
        var consumers: [UInt64: AsyncStream<SFUEvent>.Continuation] = [:]
        var nextID: UInt64 = 0
        var finished = false
    }

    private let state = Mutex(State())
    private let bufferSize: Int

    init(bufferSize: Int) { self.bufferSize = max(1, bufferSize) }

    /// A new consumer's stream; already finished if the broadcaster is.
    func subscribe() -> AsyncStream<SFUEvent> {
        let (stream, continuation) = AsyncStream.makeStream(
            of: SFUEvent.self, bufferingPolicy: .bufferingNewest(bufferSize))
        let id: UInt64? = state.withLock { s in
            guard !s.finished else { return nil }
            s.nextID += 1
            s.consumers[s.nextID] = continuation
            return s.nextID
        }
        guard let id else {
            continuation.finish()
            return stream
        }
        continuation.onTermination = { [weak self] _ in
            _ = self?.state.withLock { $0.consumers.removeValue(forKey: id) }
        }
        return stream
    }

    /// Hands `event` to every consumer without waiting.
    func publish(_ event: SFUEvent) {
        // Yield under the lock so that concurrent publishers cannot interleave per consumer.
        state.withLock { s in
            for continuation in s.consumers.values { continuation.yield(event) }
        }
    }

    /// Ends every stream (server stopped); later `subscribe()` calls get finished streams.
    func finish() {
        let consumers = state.withLock { s in
            s.finished = true
            defer { s.consumers = [:] }
            return Array(s.consumers.values)
        }
        for continuation in consumers { continuation.finish() }
    }

    var consumerCount: Int { state.withLock { $0.consumers.count } }
}
