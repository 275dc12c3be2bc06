/// Measures the throughput the receiver actually got: acknowledged bytes over a
/// sliding window of receiver arrival time.
///
/// This is the "incoming rate" R_hat of draft-ietf-rmcat-gcc-02 §5.5, measured on the
/// send side from TWCC feedback (libwebrtc's AcknowledgedBitrateEstimator plays the
/// same role). The delay-based controller backs off to 0.85 × this rate on overuse, so
/// it must reflect what got through the bottleneck now, not what we sent: hence a
/// short window (200 ms) on the receiver's clock. The rate is measured between the
/// first and last arrival in the window (the first packet's bytes excluded), which is
/// exact for back-to-back packets leaving a saturated bottleneck instead of jumping by
/// a packet's worth with window alignment. At least two packets are kept so sparse
/// low-rate streams still measure. Bounded: at most `capacity` packets.
struct AcknowledgedBitrateEstimator: Sendable {
    static let windowMicros: Int64 = 200_000
    /// Below this much arrival spread the rate is too noisy to act on.
    static let minimumSpanMicros: Int64 = 50_000
    /// A receiver clock moving by more than this between packets is a reset (or garbage).
    static let clockJumpMicros: Int64 = 10_000_000
    static let capacity = 4096

    private struct Entry: Sendable {
        var arrival: Int64
        var bytes: Int
    }

    private var entries = FixedRing(capacity: AcknowledgedBitrateEstimator.capacity, filler: Entry(arrival: 0, bytes: 0))
    private var bytesInWindow = 0
    private var latestArrival: Int64?

    mutating func reset() {
        entries.removeAll()
        bytesInWindow = 0
        latestArrival = nil
    }

    /// Adds one acknowledged packet (sanitised arrival time and size).
    mutating func add(arrivedAt: Int64, bytes: Int) {
        if let latest = latestArrival,
           arrivedAt > latest + Self.clockJumpMicros || arrivedAt < latest - Self.clockJumpMicros {
            reset()
        }
        guard let latest = latestArrival else {
            latestArrival = arrivedAt
            append(Entry(arrival: arrivedAt, bytes: bytes))
            return
        }
        // Reordered so late it is already outside the window: it no longer says anything
        // about the current rate.
        if arrivedAt <= latest - Self.windowMicros { return }
        latestArrival = max(latest, arrivedAt)
        append(Entry(arrival: arrivedAt, bytes: bytes))
        evictOld()
    }

    /// Acknowledged bits/s over the last window, nil until enough history exists.
    var bitsPerSecond: Double? {
        guard entries.count >= 2, let first = entries.first else { return nil }
        var earliest = first.arrival, latest = first.arrival
        for i in 0..<entries.count {
            earliest = min(earliest, entries[i].arrival)
            latest = max(latest, entries[i].arrival)
        }
        let span = latest - earliest
        guard span >= Self.minimumSpanMicros else { return nil }
        // Bytes that arrived after the earliest packet, over the time they took.
        return Double(bytesInWindow - first.bytes) * 8 * 1_000_000 / Double(span)
    }

    private mutating func append(_ entry: Entry) {
        if let evicted = entries.append(entry) {
            bytesInWindow -= evicted.bytes   // ring full (absurd packet rate or garbage)
        }
        bytesInWindow += entry.bytes
    }

    private mutating func evictOld() {
        guard let latest = latestArrival else { return }
        let cutoff = latest - Self.windowMicros
        while entries.count > 2, let oldest = entries.first, oldest.arrival <= cutoff {
            bytesInWindow -= oldest.bytes
            entries.removeFirst()
        }
    }
}
