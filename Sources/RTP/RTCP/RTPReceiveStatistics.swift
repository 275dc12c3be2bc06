import SFUBase
/// Reception statistics for one incoming RTP stream (RFC 3550 Appendix A.1, A.3, A.8):
/// extended highest sequence number, cumulative and fractional loss, interarrival jitter.
/// Feeds the report blocks of the RRs an SFU sends to publishers.
///
/// A value owned by the thread that receives the stream; `record` does no allocation.
public struct RTPReceiveStatistics: Sendable {
    public let clockRate: UInt32

    static let maxDropout: UInt16 = 3000
    static let maxMisorder: UInt16 = 100

    private var started = false
    private var maxSequence: UInt16 = 0
    private var cycles: UInt32 = 0
    private var baseSequence: UInt32 = 0
    private var badSequence: UInt32 = 0x1_0001  // outside the 16-bit space: "none"
    public private(set) var packetsReceived: UInt32 = 0
    private var expectedPrior: UInt32 = 0
    private var receivedPrior: UInt32 = 0
    private var lastTransit: Int64 = 0
    private var hasTransit = false
    /// Jitter × 16, in timestamp units (RFC 3550 A.8 keeps the fixed-point form).
    private var jitterScaled: UInt32 = 0

    public init(clockRate: UInt32) {
        self.clockRate = max(clockRate, 1)
    }

    public var extendedHighestSequenceNumber: UInt32 { cycles &+ UInt32(maxSequence) }

    /// Interarrival jitter in timestamp units.
    public var jitter: UInt32 { jitterScaled >> 4 }

    /// Packets expected minus packets received since the start (may be negative with duplicates).
    public var cumulativeLost: Int32 {
        guard started else { return 0 }
        let expected = Int64(extendedHighestSequenceNumber) - Int64(baseSequence) + 1
        return Int32(clamping: expected - Int64(packetsReceived))
    }

    private mutating func restart(at seq: UInt16) {
        maxSequence = seq
        cycles = 0
        baseSequence = UInt32(seq)
        badSequence = 0x1_0001
        packetsReceived = 0
        expectedPrior = 0
        receivedPrior = 0
    }

    /// Records one packet. Returns false when the sequence number jumped so far that it is
    /// treated as a possible restart (RFC 3550 A.1; a second packet in sequence confirms it).
    @discardableResult
    public mutating func record(sequenceNumber seq: UInt16, rtpTimestamp: UInt32, arrival: MonotonicInstant) -> Bool {
        if !started {
            started = true
            restart(at: seq)
        } else {
            let delta = seq &- maxSequence
            if delta < Self.maxDropout {
                if seq < maxSequence { cycles &+= 0x1_0000 }
                maxSequence = seq
            } else if delta <= UInt16.max - Self.maxMisorder {
                if UInt32(seq) == badSequence {
                    restart(at: seq)
                } else {
                    badSequence = (UInt32(seq) + 1) & 0xFFFF
                    return false
                }
            }
            // else: duplicate or reordered packet; counted, max unchanged.
        }
        packetsReceived &+= 1
        updateJitter(rtpTimestamp: rtpTimestamp, arrival: arrival)
        return true
    }

    private mutating func updateJitter(rtpTimestamp: UInt32, arrival: MonotonicInstant) {
        let arrivalUnits = Int64(truncatingIfNeeded: (arrival.nanoseconds / 1000) &* UInt64(clockRate) / 1_000_000)
        let transit = arrivalUnits &- Int64(rtpTimestamp)
        if hasTransit {
            let d = UInt32(clamping: (transit &- lastTransit).magnitude)
            // J += (|D| - J) / 16, in the ×16 fixed-point form of A.8.
            jitterScaled = jitterScaled &+ d &- ((jitterScaled &+ 8) >> 4)
        }
        lastTransit = transit
        hasTransit = true
    }

    /// The report block for this stream, advancing the interval used for `fractionLost`.
    public mutating func makeReportBlock(
        ssrc: UInt32, lastSenderReport: UInt32 = 0, delaySinceLastSenderReport: UInt32 = 0
    ) -> RTCPReportBlock {
        let expected = started ? extendedHighestSequenceNumber &- baseSequence &+ 1 : 0
        let expectedInterval = Int64(expected) - Int64(expectedPrior)
        let receivedInterval = Int64(packetsReceived) - Int64(receivedPrior)
        expectedPrior = expected
        receivedPrior = packetsReceived
        let lostInterval = expectedInterval - receivedInterval
        let fraction: UInt8 =
            (expectedInterval <= 0 || lostInterval <= 0) ? 0 : UInt8(clamping: (lostInterval << 8) / expectedInterval)
        return RTCPReportBlock(
            ssrc: ssrc, fractionLost: fraction, cumulativeLost: cumulativeLost,
            extendedHighestSequenceNumber: extendedHighestSequenceNumber, interarrivalJitter: jitter,
            lastSenderReport: lastSenderReport, delaySinceLastSenderReport: delaySinceLastSenderReport)
    }
}
