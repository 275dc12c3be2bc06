import SFUBase

/// A token bucket per source IP address (the port is ignored, so a sender cannot spray ports to
/// get fresh buckets), for answers we would otherwise send to anyone who asks — STUN error
/// responses to unauthenticated Binding requests, which make the server a (small) reflector.
///
/// Sans-IO and allocation-free per call: a fixed table of `slotCount` buckets made at init,
/// indexed by a hash of the address. A source whose slot is taken by another evicts it and
/// starts with a full bucket; with few legitimate sources per transport that only matters to
/// a flood of spoofed addresses, each of which then gets at most `burst` answers anyway.
/// Owned by one thread (a media worker's transport).
public struct SourceRateLimiter: Sendable {
    private struct Bucket {
        var high: UInt64 = 0
        var low: UInt64 = 0
        var isIPv6 = false
        var used = false
        /// Tokens × 1e9 (whole tokens are `perSecond`-scaled nanoseconds), so refills stay integral.
        var credit: UInt64 = 0
        var last = MonotonicInstant(nanoseconds: 0)
    }

    /// Sustained answers a second per source.
    public let perSecond: UInt64
    /// Answers a source may get at once after being quiet.
    public let burst: UInt64
    private var buckets: [Bucket]
    private let mask: Int
    /// Answers refused since creation (for logs and counters).
    public private(set) var refused = 0

    /// `slotCount` is rounded up to a power of two (at least 1). `perSecond` 0 refuses everything
    /// after the burst; `burst` 0 refuses everything.
    public init(perSecond: Int, burst: Int, slotCount: Int = 64) {
        self.perSecond = UInt64(max(0, perSecond))
        self.burst = UInt64(max(0, burst))
        var slots = 1
        while slots < max(1, slotCount) { slots <<= 1 }
        self.buckets = Array(repeating: Bucket(), count: slots)
        self.mask = slots - 1
    }

    private static let unit: UInt64 = 1_000_000_000

    /// Whether `source` may be answered now; takes one token when it may.
    public mutating func allow(_ source: TransportAddress, now: MonotonicInstant) -> Bool {
        let index = Self.slot(source, mask: mask)
        let capacity = burst &* Self.unit
        let allowed = buckets.withUnsafeMutableBufferPointer { table -> Bool in
            var bucket = table[index]
            if !bucket.used || bucket.high != source.high || bucket.low != source.low || bucket.isIPv6 != source.isIPv6 {
                bucket = Bucket(high: source.high, low: source.low, isIPv6: source.isIPv6, used: true, credit: capacity, last: now)
            } else if now > bucket.last {
                // credit += elapsed × perSecond, saturating at the bucket's capacity.
                let elapsed = now.nanoseconds(since: bucket.last)
                let (gain, overflow) = elapsed.multipliedReportingOverflow(by: perSecond)
                bucket.credit = overflow ? capacity : min(capacity, bucket.credit &+ min(gain, capacity))
                bucket.last = now
            }
            defer { table[index] = bucket }
            guard bucket.credit >= Self.unit else { return false }
            bucket.credit -= Self.unit
            return true
        }
        if !allowed { refused += 1 }
        return allowed
    }

    private static func slot(_ address: TransportAddress, mask: Int) -> Int {
        // A multiplicative mix of both halves; the top bits are the best mixed.
        var x = address.high &* 0x9E37_79B9_7F4A_7C15 ^ address.low
        x = (x ^ (x >> 29)) &* 0xBF58_476D_1CE4_E5B9
        return Int(truncatingIfNeeded: x >> 32) & mask
    }
}
