import Logging
import RTP
import SFUBase

/// One session's outgoing event stream (janus-api.md §4, §7): pushed directly to the owning
/// WebSocket connection, or queued for HTTP long polls.
///
/// Plugins push from any thread through `PluginHandleContext.push`, so this is a lock-protected
/// class rather than actor state: `push` never suspends and events keep their push order.
/// The queue is bounded (`eventQueueCapacity`): a client that stops polling loses the oldest
/// events, each drop counted (`JanusLimitStatistics`) and logged at the 1st and every 100th. The
/// session itself lives on until its timeout, so a client that only paused can still resume.
final class SessionEventChannel: Sendable {
    /// A pending long poll: gets at most `maxEvents` events once any are available.
    struct Waiter {
        var id: UInt64
        var maxEvents: Int
        var deliver: @Sendable ([JSONValue]) -> Void
    }

    private struct State {
        var sink: (any JanusEventSink)?
        var queue = FIFOQueue<JSONValue>()
        var waiters: [Waiter] = []
        var nextWaiterID: UInt64 = 1
        var closed = false
        var dropped = 0
        var lastActivity: ContinuousClock.Instant = .now

        var queuedCount: Int { queue.count }

        mutating func dequeue(max: Int) -> [JSONValue] { queue.popFirst(upTo: max) }
    }

    let sessionID: UInt64
    private let capacity: Int
    private let logger: Logger
    private let statistics: JanusLimitStatistics?
    private let state: Locked<State>

    init(sessionID: UInt64, capacity: Int, logger: Logger, statistics: JanusLimitStatistics? = nil) {
        self.sessionID = sessionID
        self.capacity = max(1, capacity)
        self.logger = logger
        self.statistics = statistics
        self.state = Locked(State())
    }

    /// Sends or queues one event. Events after `close()` are dropped.
    func push(_ event: JSONValue) {
        var wake: Waiter?
        var droppedNow = 0
        state.withLock { s in
            guard !s.closed else { return }
            if let sink = s.sink {
                // Under the lock: the sink only enqueues onto its event loop, which keeps our order.
                sink.send(event)
                return
            }
            if !s.waiters.isEmpty {
                wake = s.waiters.removeFirst()
                return
            }
            s.queue.append(event)
            if s.queuedCount > capacity {
                let excess = s.queuedCount - capacity
                _ = s.dequeue(max: excess)
                s.dropped += excess
                droppedNow = s.dropped
            }
        }
        if let wake { wake.deliver([event]) }
        guard droppedNow > 0 else { return }
        statistics?.record(.eventQueue)
        // The first drop and every 100th after it: a stalled client costs a counter, not a log flood.
        if droppedNow == 1 || droppedNow.isMultiple(of: 100) {
            logger.warning(
                "Event queue full, dropping oldest events (client not polling?)",
                metadata: ["session": "\(sessionID)", "dropped": "\(droppedNow)"])
        }
    }

    /// Makes `sink` the owner: queued events are flushed to it, later ones go straight to it.
    func attach(sink: any JanusEventSink) {
        state.withLock { s in
            s.sink = sink
            for event in s.dequeue(max: s.queuedCount) { sink.send(event) }
        }
    }

    /// Stops direct delivery to `sink` (if it is still the owner); later events are queued.
    func detach(sink: any JanusEventSink) {
        state.withLock { s in
            if let current = s.sink, current === sink { s.sink = nil }
        }
    }

    /// Stops direct delivery whoever owns the channel (claim from HTTP).
    func detachAnySink() {
        state.withLock { s in s.sink = nil }
    }

    enum PollOutcome {
        case events([JSONValue])
        case waiting(UInt64)
        case closed
    }

    /// A long poll: queued events at once, or registers `deliver` to be called with the next ones.
    func poll(maxEvents: Int, deliver: @escaping @Sendable ([JSONValue]) -> Void) -> PollOutcome {
        state.withLock { s in
            if s.queuedCount > 0 { return .events(s.dequeue(max: max(1, maxEvents))) }
            if s.closed { return .closed }
            let id = s.nextWaiterID
            s.nextWaiterID += 1
            s.waiters.append(Waiter(id: id, maxEvents: maxEvents, deliver: deliver))
            return .waiting(id)
        }
    }

    /// Withdraws a pending poll. False if it already got (or is getting) events.
    func cancelPoll(_ id: UInt64) -> Bool {
        state.withLock { s in
            guard let index = s.waiters.firstIndex(where: { $0.id == id }) else { return false }
            s.waiters.remove(at: index)
            return true
        }
    }

    /// Puts events back at the front (a long poll got them but its connection had gone).
    func requeue(_ events: [JSONValue]) {
        guard !events.isEmpty else { return }
        state.withLock { s in
            guard !s.closed else { return }
            let rest = s.dequeue(max: s.queuedCount)
            s.queue.removeAll()
            s.queue.append(contentsOf: events + rest)
        }
    }

    var hasPendingPolls: Bool { state.withLock { !$0.waiters.isEmpty } }

    /// Records client activity on the session (any request, or the arrival of a long poll).
    func touch(_ now: ContinuousClock.Instant = .now) { state.withLock { $0.lastActivity = now } }

    /// When the client last showed activity. A long poll counts when it arrives (`touch`), not
    /// while it is held: as in Janus, a session whose timeout is shorter than the poll hold
    /// expires under a waiting poll, which then delivers the `timeout` event.
    var lastActivity: ContinuousClock.Instant { state.withLock { $0.lastActivity } }

    /// Ends the channel: pending polls are answered with whatever is queued (possibly nothing).
    func close() {
        var waiters: [Waiter] = []
        var leftovers: [JSONValue] = []
        state.withLock { s in
            s.closed = true
            s.sink = nil
            waiters = s.waiters
            s.waiters = []
            leftovers = s.dequeue(max: s.queuedCount)
        }
        for waiter in waiters {
            let n = min(waiter.maxEvents, leftovers.count)
            waiter.deliver(Array(leftovers.prefix(n)))
            leftovers.removeFirst(n)
        }
    }
}
