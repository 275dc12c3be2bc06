import SFUBase
import TestSupport

/// What one direction of a virtual link does to datagrams.
struct LinkConditions: Sendable {
    /// One-way propagation delay.
    var delayMilliseconds: UInt64 = 5
    /// Extra delay drawn uniformly from 0…jitter per datagram: later datagrams may overtake
    /// earlier ones (reordering).
    var jitterMilliseconds: UInt64 = 0
    /// Share of SRTP/SRTCP datagrams dropped at random (STUN and DTLS always pass, so that the
    /// handshake, whose message sizes vary by a byte or two, takes the same virtual time in
    /// every run and a seed reproduces the whole trace).
    var lossPercent: Double = 0
    /// Bottleneck rate; nil = unlimited. Datagrams queue behind it and wait.
    var bitsPerSecond: UInt64?
    /// Bytes the bottleneck queue holds; a datagram that does not fit is dropped (drop-tail).
    var queueBytes: Int = 30_000
}

/// One direction of a link between two endpoints of the in-memory network: a bottleneck queue
/// (serialization at `bitsPerSecond`), then propagation delay and jitter, then random loss.
/// Sans-IO: asked when a datagram sent at `now` arrives, or whether it is lost.
struct VirtualLink {
    var conditions: LinkConditions
    /// When the bottleneck finishes sending what is already queued (ns).
    private var busyUntil: UInt64 = 0
    private(set) var datagramsDropped = 0
    private(set) var datagramsQueuedOut = 0
    /// Bytes of the datagrams that went through (for how much of the link was used).
    private(set) var bytesCarried = 0

    init(_ conditions: LinkConditions = LinkConditions()) { self.conditions = conditions }

    /// The arrival time (ns) of a datagram of `size` bytes sent at `now`, or nil when it is lost.
    mutating func arrival(size: Int, isMedia: Bool, now: UInt64, random: inout SplitMix64) -> UInt64? {
        if isMedia, conditions.lossPercent > 0, Double.random(in: 0..<100, using: &random) < conditions.lossPercent {
            datagramsDropped += 1
            return nil
        }
        var departure = now
        if let rate = conditions.bitsPerSecond, rate > 0 {
            let start = max(now, busyUntil)
            let queued = Int((start - now) * rate / 8_000_000_000)
            if queued + size > conditions.queueBytes {
                datagramsDropped += 1
                datagramsQueuedOut += 1
                return nil
            }
            departure = start + UInt64(size) * 8_000_000_000 / rate
            busyUntil = departure
        }
        bytesCarried += size
        var delay = conditions.delayMilliseconds * 1_000_000
        if conditions.jitterMilliseconds > 0 {
            delay += UInt64.random(in: 0...(conditions.jitterMilliseconds * 1_000_000), using: &random)
        }
        return departure + delay
    }
}

