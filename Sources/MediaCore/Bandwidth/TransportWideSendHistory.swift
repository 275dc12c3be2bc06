import RTP
import SFUBase

/// What we sent a peer, by transport-wide sequence number: the send side of transport-wide
/// congestion control (draft-holmer-rmcat-transport-wide-cc-extensions-01). Every packet sent
/// on the transport (media, retransmissions, probe padding) takes the next number and leaves
/// its send time and size here; the peer's feedback names the numbers with their arrival
/// times, and the two together are what the bandwidth estimator learns from.
///
/// A ring of fixed size, reserved on the first packet: recording is a store, no allocation.
/// Confined to its transport's worker thread.
struct TransportWideSendHistory {
    struct Record {
        /// Unwrapped sequence number (-1: empty slot).
        var sequence: Int64 = -1
        var sentAtMicroseconds: Int64 = 0
        var size: Int32 = 0
        /// Probe cluster id, -1 for none.
        var probeCluster: Int32 = -1
    }

    /// Records kept (24 bytes each, 48 KB a subscriber PeerConnection): 2 s of 1,000 packets a
    /// second (about 10 Mbit/s), far longer than feedback takes to come (100 ms).
    static let capacity = 2048
    private var records: [Record] = []
    /// The unwrapped number the next packet takes.
    private(set) var nextSequence: Int64 = 0

    /// The number (as written on the wire) the next packet sent takes.
    var nextWireSequence: UInt16 { UInt16(truncatingIfNeeded: nextSequence) }

    /// The packet stamped with `nextWireSequence` went out.
    @inline(__always)
    mutating func recordSent(size: Int, at now: MonotonicInstant, probeCluster: Int? = nil) {
        if records.isEmpty { records = Array(repeating: Record(), count: Self.capacity) }
        records[Int(nextSequence) & (Self.capacity - 1)] = Record(
            sequence: nextSequence, sentAtMicroseconds: Int64(now.nanoseconds / 1_000), size: Int32(clamping: size),
            probeCluster: Int32(clamping: probeCluster ?? -1))
        nextSequence += 1
    }

    /// The unwrapped number of wire number `wire`: the most recent one sent with those 16 bits.
    func unwrap(_ wire: UInt16) -> Int64 {
        let behind = Int64(UInt16(truncatingIfNeeded: nextSequence) &- wire)
        return nextSequence - (behind == 0 ? 65_536 : behind)
    }

    /// Each packet a feedback reports that we still remember, with its arrival time (receiver
    /// clock) or nil when reported lost, in the feedback's order.
    func outcomes(of feedback: RTCPTransportWideFeedback) -> [SentPacketOutcome] {
        guard !records.isEmpty else { return [] }
        var outcomes: [SentPacketOutcome] = []
        outcomes.reserveCapacity(feedback.packets.count)
        for (wire, arrival) in feedback.arrivalTimes {
            let sequence = unwrap(wire)
            guard sequence >= 0 else { continue }
            let record = records[Int(sequence) & (Self.capacity - 1)]
            guard record.sequence == sequence else { continue }
            outcomes.append(SentPacketOutcome(
                transportSequence: sequence, sentAtMicros: record.sentAtMicroseconds, sizeBytes: Int(record.size),
                arrivedAtMicros: arrival, probeCluster: record.probeCluster >= 0 ? Int(record.probeCluster) : nil))
        }
        return outcomes
    }
}
