/// Janus API requests counted by request name and outcome, for metrics (read on scrape). One
/// lock per request, never per packet. Names outside Janus's vocabulary count as `other`, so a
/// client cannot grow the table.
public final class JanusRequestStatistics: Sendable {
    /// A request name and the Janus error code it got (0: success or ack).
    public struct Key: Sendable, Hashable {
        public var request: String
        public var errorCode: Int
    }

    static let knownRequests: Set<String> = [
        "info", "ping", "create", "attach", "destroy", "detach", "hangup", "keepalive", "claim", "message",
        "trickle",
    ]

    private let counts = Locked<[Key: Int]>([:])

    public init() {}

    func record(request: String, errorCode: Int) {
        let name = Self.knownRequests.contains(request) ? request : "other"
        counts.withLock { $0[Key(request: name, errorCode: errorCode), default: 0] += 1 }
    }

    /// Every count so far.
    public var snapshot: [Key: Int] { counts.withLock { $0 } }
}
