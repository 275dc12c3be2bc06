/// One packet we sent, as a transport-wide congestion control (TWCC) feedback reports it.
///
/// The estimator's only per-packet input. The plumbing joins the RTCP transport-cc
/// feedback (draft-holmer-rmcat-transport-wide-cc-extensions-01 §3.1) with its own
/// send history to fill it in. Times are microseconds; send and arrival times are on
/// different clocks, so only differences within each clock are ever used.
struct SentPacketOutcome: Sendable, Equatable {
    /// Unwrapped transport-wide sequence number (monotonic over the session).
    var transportSequence: Int64
    /// Our send time (sender clock).
    var sentAtMicros: Int64
    /// Bytes on the wire (RTP including header; SRTP overhead is fine).
    var sizeBytes: Int
    /// The receiver's arrival time (receiver clock, arbitrary offset); nil = reported lost.
    var arrivedAtMicros: Int64?
    /// Id of the probe cluster this packet was sent for, if any (see `ProbeCluster`).
    var probeCluster: Int?

    init(
        transportSequence: Int64,
        sentAtMicros: Int64,
        sizeBytes: Int,
        arrivedAtMicros: Int64?,
        probeCluster: Int? = nil
    ) {
        self.transportSequence = transportSequence
        self.sentAtMicros = sentAtMicros
        self.sizeBytes = sizeBytes
        self.arrivedAtMicros = arrivedAtMicros
        self.probeCluster = probeCluster
    }
}
