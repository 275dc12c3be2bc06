/// A burst of padding the transport should send to find out whether the path has headroom.
///
/// The transport sends padding packets at `bitsPerSecond`, on top of whatever media it
/// is forwarding anyway, spread evenly over `durationMicros`, and at least
/// `minimumPackets` of them (so at low rates the packets get small, not fewer), and
/// records `id` in its send history for each so the TWCC feedback comes back with
/// `SentPacketOutcome.probeCluster == id`. Media is not tagged. The result is the
/// padding throughput the receiver saw (libwebrtc ProbeBitrateEstimator semantics),
/// a conservative capacity measurement since the media flowed alongside.
struct ProbeCluster: Sendable, Equatable {
    var id: Int
    var bitsPerSecond: Int
    /// How long to spread the padding over (15 ms, as libwebrtc).
    var durationMicros: Int64
    /// Fewest padding packets to send (5, as libwebrtc); results from fewer than 80 % of
    /// this many acknowledged packets are discarded.
    var minimumPackets: Int

    init(id: Int, bitsPerSecond: Int, durationMicros: Int64, minimumPackets: Int) {
        self.id = id
        self.bitsPerSecond = bitsPerSecond
        self.durationMicros = durationMicros
        self.minimumPackets = minimumPackets
    }
}
