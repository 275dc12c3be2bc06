import RTP
import SFUBase

/// Receive side of transport-wide congestion control
/// (draft-holmer-rmcat-transport-wide-cc-extensions-01): records when each packet of a peer's
/// transport-wide sequence arrived and reports it back every `interval`, so the peer's own
/// send-side estimator (GoogCC in browsers) learns the path's capacity within a second or two
/// instead of creeping up by 8 % a second on loss reports alone. A sender whose estimate stays
/// low also holds back its top simulcast layer.
///
/// Sans-IO: fed sequence numbers and arrival times, asked for feedback with the current time.
/// Storage is reserved once; recording a packet does not allocate.
struct TransportWideFeedbackGenerator {
    private struct Arrival {
        var sequence: Int64
        var microseconds: Int64
    }

    /// How often feedback goes out (libwebrtc's receive-side default is 100 ms).
    static let intervalNanoseconds: UInt64 = 100_000_000
    /// Arrivals kept between two feedbacks; more is a burst that is reported early.
    static let capacity = 1024
    /// Statuses in one feedback packet: keeps the RTCP packet well under an MTU.
    static let maximumStatuses = 400

    private var arrivals: [Arrival] = []
    /// Unwrapped sequence numbers: the highest seen, and the first one not yet reported.
    private var highest: Int64?
    private var nextUnreported: Int64?
    private var feedbackCount: UInt8 = 0
    private var lastFeedbackAt: MonotonicInstant?

    init() {}

    /// Records that the packet with transport-wide sequence number `sequenceNumber` arrived at `now`.
    mutating func record(_ sequenceNumber: UInt16, at now: MonotonicInstant) {
        let unwrapped = unwrap(sequenceNumber)
        if let next = nextUnreported, unwrapped < next { return }  // already reported (lost, or a late duplicate)
        if arrivals.capacity < Self.capacity { arrivals.reserveCapacity(Self.capacity) }
        guard arrivals.count < Self.capacity else { return }
        arrivals.append(Arrival(sequence: unwrapped, microseconds: Int64(now.nanoseconds / 1_000)))
    }

    /// Whether feedback is due at `now` (the interval has passed and something arrived, or the
    /// store is full).
    func isDue(now: MonotonicInstant) -> Bool {
        guard !arrivals.isEmpty else { return false }
        if arrivals.count >= Self.capacity / 2 { return true }
        guard let last = lastFeedbackAt else { return true }
        return now.nanoseconds(since: last) >= Self.intervalNanoseconds
    }

    /// The next feedback packet, reporting from the first unreported sequence number on (gaps as
    /// lost); nil when nothing is left to report. Call until nil when `isDue`.
    mutating func nextFeedback(senderSSRC: UInt32, mediaSSRC: UInt32, now: MonotonicInstant)
        -> RTCPTransportWideFeedback?
    {
        guard !arrivals.isEmpty else { return nil }
        lastFeedbackAt = now
        // Nearly always in order already; reordered packets are few.
        if !zip(arrivals, arrivals.dropFirst()).allSatisfy({ $0.sequence < $1.sequence }) {
            arrivals.sort { $0.sequence < $1.sequence }
        }
        let base = min(nextUnreported ?? arrivals[0].sequence, arrivals[0].sequence)
        let referenceTime = Self.floorDivide(arrivals[0].microseconds, 64_000)
        var previousTicks = referenceTime * 256
        var packets: [RTCPTransportWideFeedback.PacketResult] = []
        packets.reserveCapacity(Self.maximumStatuses)
        var consumed = 0
        var sequence = base
        while consumed < arrivals.count, packets.count < Self.maximumStatuses {
            let arrival = arrivals[consumed]
            if arrival.sequence < sequence {  // a duplicate
                consumed += 1
                continue
            }
            if arrival.sequence > sequence {
                packets.append(.init(sequenceNumber: UInt16(truncatingIfNeeded: sequence), receiveDelta: nil))
            } else {
                let ticks = Self.floorDivide(arrival.microseconds, 250)
                // A delta beyond ±8 s cannot be written: report the rest in the next packet.
                guard let delta = Int16(exactly: ticks - previousTicks) else { break }
                previousTicks = ticks
                packets.append(.init(sequenceNumber: UInt16(truncatingIfNeeded: sequence), receiveDelta: delta))
                consumed += 1
            }
            sequence += 1
        }
        arrivals.removeFirst(consumed)
        nextUnreported = sequence
        guard !packets.isEmpty else { return nil }
        defer { feedbackCount &+= 1 }
        return RTCPTransportWideFeedback(
            senderSSRC: senderSSRC, mediaSSRC: mediaSSRC, baseSequenceNumber: UInt16(truncatingIfNeeded: base),
            referenceTime: Int32(truncatingIfNeeded: referenceTime), feedbackPacketCount: feedbackCount,
            packets: packets)
    }

    private mutating func unwrap(_ sequenceNumber: UInt16) -> Int64 {
        guard let highest else {
            self.highest = Int64(sequenceNumber)
            return Int64(sequenceNumber)
        }
        let delta = Int64(Int16(bitPattern: sequenceNumber &- UInt16(truncatingIfNeeded: highest)))
        let unwrapped = highest + delta
        if unwrapped > highest {
            // A jump larger than the store is a restarted sender: start over from here.
            if let next = nextUnreported, unwrapped - next > Int64(Self.capacity) * 4 {
                nextUnreported = nil
                arrivals.removeAll(keepingCapacity: true)
            }
            self.highest = unwrapped
        }
        return unwrapped
    }

    private static func floorDivide(_ a: Int64, _ b: Int64) -> Int64 {
        let q = a / b
        return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
    }
}
