import RTP
import SFUBase

/// What one m-line needs for RTCP reports (RFC 3550 §6.4): reception statistics and the last
/// sender report heard (for the RR's LSR/DLSR), and what we sent (for our SR).
struct RTCPReportState {
    var reception: RTPReceiveStatistics
    var lastSenderReportMiddle: UInt32 = 0
    var lastSenderReportArrival: MonotonicInstant?
    var packetsSent: UInt32 = 0
    var octetsSent: UInt32 = 0
    var lastSentTimestamp: UInt32 = 0
    var lastSentAt: MonotonicInstant?

    init(clockRate: UInt32) {
        reception = RTPReceiveStatistics(clockRate: max(1, clockRate))
    }

    @inline(__always)
    mutating func noteSent(timestamp: UInt32, payloadBytes: Int, now: MonotonicInstant) {
        packetsSent &+= 1
        octetsSent &+= UInt32(truncatingIfNeeded: payloadBytes)
        lastSentTimestamp = timestamp
        lastSentAt = now
    }

    /// Our RTP clock now, extrapolated from the last packet sent (the SR's RTP timestamp).
    func currentTimestamp(now: MonotonicInstant, clockRate: UInt32) -> UInt32 {
        guard let lastSentAt else { return lastSentTimestamp }
        let elapsed = now.nanoseconds(since: lastSentAt)
        return lastSentTimestamp &+ UInt32(truncatingIfNeeded: elapsed &* UInt64(clockRate) / 1_000_000_000)
    }
}
