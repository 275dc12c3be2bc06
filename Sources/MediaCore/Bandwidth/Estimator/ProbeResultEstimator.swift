/// Turns the feedback of one probe cluster into a capacity measurement.
///
/// libwebrtc's ProbeBitrateEstimator (GCC probing is not in draft-ietf-rmcat-gcc-02;
/// it is the "probing" of libwebrtc's goog_cc): the send rate is the cluster's bytes
/// (minus the last packet) over its send span, the receive rate its bytes (minus the
/// first arrival) over its arrival span; the result is the smaller. If the receiver
/// got clearly less than we sent (< 90 %) the bottleneck was hit and the result is
/// 95 % of the receive rate. No result comes from clusters with under 80 % of the
/// wanted packets acknowledged, over 20 % loss, spans ≤ 0 or over 1 s, or an
/// implausible receive/send ratio (over 2). Only clusters we issued count (8 slots).
struct ProbeResultEstimator: Sendable {
    static let slots = 8
    static let minimumShare = 0.8
    static let maximumLoss = 0.2
    static let maximumSpanMicros: Int64 = 1_000_000
    static let maximumReceiveToSendRatio = 2.0
    /// Packets of a cluster are not accepted after this long (stale ids or garbage).
    static let lifetimeMicros: Int64 = 5_000_000

    private struct Cluster: Sendable {
        var id = 0
        var active = false
        var targetBps = 0.0
        var wantedPackets = 0
        var issuedAt: Int64 = 0
        var received = 0
        var lost = 0
        var bytes = 0
        var firstSend: Int64 = .max
        var lastSend: Int64 = .min
        var lastSendSize = 0
        var firstArrival: Int64 = .max
        var firstArrivalSize = 0
        var lastArrival: Int64 = .min
        var touched = false
    }

    struct Result: Sendable, Equatable {
        var bitsPerSecond: Double
        var clusterTargetBps: Double
        var cluster: Int = 0
    }

    private var clusters = [Cluster](repeating: Cluster(), count: ProbeResultEstimator.slots)
    private var nextSlot = 0

    /// Remembers a cluster we just handed to the transport.
    mutating func register(_ cluster: ProbeCluster, now: Int64) {
        var c = Cluster()
        c.id = cluster.id
        c.active = true
        c.targetBps = Double(max(0, cluster.bitsPerSecond))
        c.wantedPackets = max(1, cluster.minimumPackets)
        c.issuedAt = now
        clusters[nextSlot] = c
        nextSlot = (nextSlot + 1) % clusters.count
    }

    /// Accounts one packet tagged with a cluster id (sanitised fields).
    mutating func add(cluster id: Int, sentAt: Int64, arrivedAt: Int64?, bytes: Int, now: Int64) {
        guard let i = clusters.firstIndex(where: { $0.active && $0.id == id }) else { return }
        if now - clusters[i].issuedAt > Self.lifetimeMicros {
            clusters[i].active = false
            return
        }
        clusters[i].touched = true
        guard let arrival = arrivedAt else {
            clusters[i].lost += 1
            return
        }
        var c = clusters[i]
        c.received += 1
        c.bytes += bytes
        if sentAt < c.firstSend { c.firstSend = sentAt }
        if sentAt >= c.lastSend { c.lastSend = sentAt; c.lastSendSize = bytes }
        if arrival < c.firstArrival { c.firstArrival = arrival; c.firstArrivalSize = bytes }
        if arrival > c.lastArrival { c.lastArrival = arrival }
        clusters[i] = c
    }

    /// The best valid result among the clusters touched since the last call.
    mutating func takeResult() -> Result? {
        var best: Result?
        for i in clusters.indices where clusters[i].touched {
            clusters[i].touched = false
            guard let r = result(clusters[i]) else { continue }
            if r.bitsPerSecond > (best?.bitsPerSecond ?? 0) { best = r }
        }
        return best
    }

    private func result(_ c: Cluster) -> Result? {
        guard c.active else { return nil }
        let wanted = Double(c.wantedPackets) * Self.minimumShare
        guard Double(c.received) >= wanted else { return nil }
        guard Double(c.lost) <= Self.maximumLoss * Double(c.lost + c.received) else { return nil }
        let sendSpan = c.lastSend - c.firstSend
        let receiveSpan = c.lastArrival - c.firstArrival
        guard sendSpan > 0, sendSpan <= Self.maximumSpanMicros,
              receiveSpan > 0, receiveSpan <= Self.maximumSpanMicros else { return nil }
        let sendRate = Double(c.bytes - c.lastSendSize) * 8_000_000 / Double(sendSpan)
        let receiveRate = Double(c.bytes - c.firstArrivalSize) * 8_000_000 / Double(receiveSpan)
        guard sendRate > 0, receiveRate > 0,
              receiveRate <= Self.maximumReceiveToSendRatio * sendRate else { return nil }
        var rate = min(sendRate, receiveRate)
        if receiveRate < 0.9 * sendRate {
            rate = 0.95 * receiveRate   // the bottleneck shaped the probe: trust its exit rate
        }
        guard rate.isFinite else { return nil }
        return Result(bitsPerSecond: rate, clusterTargetBps: c.targetBps, cluster: c.id)
    }
}
