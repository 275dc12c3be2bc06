import RTP
import SFUBase

/// What a producer needs for its RTCP receiver report blocks (RFC 3550 §6.4.2): reception
/// statistics and the last sender report heard from the peer (for LSR/DLSR).
struct ReceptionReportState {
    var reception: RTPReceiveStatistics
    var lastSenderReportMiddle: UInt32 = 0
    var lastSenderReportArrival: MonotonicInstant?

    init(clockRate: UInt32) {
        reception = RTPReceiveStatistics(clockRate: max(1, clockRate))
    }
}

/// What a consumer needs for its RTCP sender report (RFC 3550 §6.4.1): what it sent.
struct SendReportState {
    var packetsSent: UInt32 = 0
    var octetsSent: UInt32 = 0
    var lastSentTimestamp: UInt32 = 0
    var lastSentAt: MonotonicInstant?

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
