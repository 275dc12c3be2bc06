/// The delay-based detector's verdict on the last feedback (draft-ietf-rmcat-gcc-02 §5.4).
enum DelayState: Sendable, Equatable {
    case normal
    case overusing
    case underusing
}

/// A read-only snapshot of the estimator's internals, for tests and metrics.
/// Updated on every `handleFeedback`; rates are bits/s, times microseconds.
struct Diagnostics: Sendable, Equatable {
    var delayState: DelayState = .normal
    /// Loss fraction of the last loss measurement (≥ 20 packets aggregated), 0...1.
    var lossFraction: Double = 0
    /// Throughput the receiver acknowledged over the last window, if known.
    var acknowledgedBitsPerSecond: Int?
    /// The delay-based (AIMD) rate before min-ing with loss, REMB and cap.
    var delayBasedBitsPerSecond: Int = 0
    /// The loss-based ceiling (`maximum` while no loss has limited it).
    var lossBasedBitsPerSecond: Int = 0
    /// Smoothed round-trip time derived from feedback.
    var roundTripMicros: Int64 = 0
    /// Last valid probe result, if any.
    var lastProbeBitsPerSecond: Int?
    /// How many probe results raised the estimate, and how many valid results came at all.
    var raisingProbes = 0
    var probeResults = 0
    /// The cluster the last valid result came from.
    var lastProbeCluster: Int?
    /// Gain-scaled trendline slope and the adaptive threshold it is compared to.
    var modifiedTrend: Double = 0
    var threshold: Double = 0
    /// Total feedback packets accepted / rejected as duplicate, stale or garbage.
    var packetsAccepted: Int = 0
    var packetsRejected: Int = 0

    init() {}
}
