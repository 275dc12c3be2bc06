import RTP
import SFUBase

/// Upstream loss recovery for one received stream (RFC 4585 generic NACK): notices gaps in
/// sequence numbers, asks for each missing packet at once and again a few times, and forgets
/// packets that are too old to matter. Sans-IO: fed sequence numbers and time.
struct NACKGenerator {
    struct Missing {
        var sequenceNumber: UInt16
        var firstNoticed: MonotonicInstant
        var lastRequested: MonotonicInstant?
        var requests: Int
    }

    /// At most this many outstanding packets; a larger burst is a stream restart, not loss.
    static let capacity = 128
    static let maximumRequests = 4
    static let retryNanoseconds: UInt64 = 60_000_000
    static let giveUpNanoseconds: UInt64 = 1_000_000_000

    private(set) var missing: [Missing] = []
    private var highest: UInt16 = 0
    private var started = false

    /// No storage until the first gap: most streams (every subscriber m-line, a clean
    /// publisher) never lose a packet, and 128 reserved slots cost ≈ 5 KB per stream.
    init() {}

    /// Records a received sequence number.
    mutating func received(_ sequenceNumber: UInt16, now: MonotonicInstant) {
        guard started else {
            started = true
            highest = sequenceNumber
            return
        }
        let delta = Int16(bitPattern: sequenceNumber &- highest)
        if delta > 0 {
            if Int(delta) - 1 > Self.capacity {
                missing.removeAll(keepingCapacity: true)  // a jump: the sender restarted
            } else {
                if delta > 1, missing.capacity < Self.capacity { missing.reserveCapacity(Self.capacity) }
                var next = highest &+ 1
                while next != sequenceNumber {
                    if missing.count == Self.capacity { missing.removeFirst() }
                    missing.append(Missing(sequenceNumber: next, firstNoticed: now, lastRequested: nil, requests: 0))
                    next &+= 1
                }
            }
            highest = sequenceNumber
        } else if let index = missing.firstIndex(where: { $0.sequenceNumber == sequenceNumber }) {
            missing.remove(at: index)  // a retransmission (or reordering) filled the gap
        }
    }

    /// Sequence numbers to NACK now; calls `body` for each and marks them requested.
    mutating func due(now: MonotonicInstant, _ body: (UInt16) -> Void) {
        missing.removeAll {
            now.nanoseconds(since: $0.firstNoticed) >= Self.giveUpNanoseconds || $0.requests >= Self.maximumRequests
        }
        for index in missing.indices {
            if let last = missing[index].lastRequested, now.nanoseconds(since: last) < Self.retryNanoseconds {
                continue
            }
            missing[index].lastRequested = now
            missing[index].requests += 1
            body(missing[index].sequenceNumber)
        }
    }

    var hasPending: Bool { !missing.isEmpty }
}
