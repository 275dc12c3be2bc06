import SFUBase
/// NTP timestamps as RTCP uses them (RFC 3550 §4, §6.4.1): 64-bit seconds since 1900 with a
/// 32-bit fraction; LSR/DLSR/round-trip arithmetic in 1/65536-second units.
public enum NTPTime {
    /// Seconds from 1900-01-01 to 1970-01-01.
    public static let unixEpochOffset: UInt64 = 2_208_988_800

    /// The NTP timestamp for a Unix time in nanoseconds.
    public static func timestamp(unixNanoseconds: UInt64) -> UInt64 {
        let seconds = unixNanoseconds / 1_000_000_000 + unixEpochOffset
        let nanos = unixNanoseconds % 1_000_000_000
        let fraction = (nanos << 32) / 1_000_000_000
        return seconds << 32 | fraction
    }

    /// The middle 32 bits (the LSR field of a report block).
    public static func middle32(_ ntp: UInt64) -> UInt32 {
        UInt32(truncatingIfNeeded: ntp >> 16)
    }

    /// DLSR: the time between receiving an SR and sending the report, in 1/65536 s.
    public static func delaySinceLastSenderReport(received: MonotonicInstant, now: MonotonicInstant) -> UInt32 {
        let ns = now.nanoseconds(since: received)
        return UInt32(clamping: ns * 65_536 / 1_000_000_000)
    }

    /// Round-trip time from a report block (RFC 3550 §6.4.1: A − LSR − DLSR), in seconds;
    /// nil when the block carries no LSR or the arithmetic goes negative.
    public static func roundTripTime(
        arrivalMiddle32 arrival: UInt32, lastSenderReport: UInt32, delaySinceLastSenderReport: UInt32
    ) -> Double? {
        guard lastSenderReport != 0 else { return nil }
        let rtt = Int64(arrival &- lastSenderReport) - Int64(delaySinceLastSenderReport)
        guard rtt >= 0, arrival &- lastSenderReport < 0x8000_0000 else { return nil }
        return Double(rtt) / 65_536
    }
}
