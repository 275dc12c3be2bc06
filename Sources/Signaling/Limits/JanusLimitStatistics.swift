/// What the configured limits refused or dropped, counted for metrics and logs (read on scrape).
/// Relaxed counters behind one lock; incremented only when a limit acts, never per packet.
public final class JanusLimitStatistics: Sendable {
    /// The limits that refuse or drop something, as the metric label `limit` names them.
    public enum Limit: String, Sendable, CaseIterable {
        /// `create` refused: `maxSessions` reached (Janus 472).
        case sessions
        /// `attach` refused: `maxHandlesPerSession` reached (Janus 461).
        case handlesPerSession = "handles_per_session"
        /// A request refused: over `maxRequestsPerSecond` on its connection (Janus 490).
        case requestRate = "request_rate"
        /// A TCP connection closed at accept: `maxConnections` reached.
        case connections
        /// A WebSocket closed (1008): its queued outbound bytes passed `maxWebSocketQueuedBytes`.
        case webSocketQueue = "websocket_queue"
        /// A long-poll event dropped (the oldest): the session's queue was at `eventQueueCapacity`.
        case eventQueue = "event_queue"
    }

    private let counts = Locked<[Limit: Int]>([:])

    public init() {}

    /// Counts one action of `limit`; returns its total so far (to log every n-th).
    @discardableResult
    func record(_ limit: Limit, count: Int = 1) -> Int {
        counts.withLock { counts in
            counts[limit, default: 0] += count
            return counts[limit] ?? 0
        }
    }

    /// How often each limit acted so far (every limit listed, 0 when never).
    public var snapshot: [Limit: Int] {
        let current = counts.withLock { $0 }
        return Dictionary(uniqueKeysWithValues: Limit.allCases.map { ($0, current[$0] ?? 0) })
    }
}
