/// The loss-based ceiling on the send rate.
///
/// draft-ietf-rmcat-gcc-02 §6: with loss fraction p over a feedback interval,
/// p > 10 % → A = A·(1 − 0.5·p); p < 2 % → A may grow; otherwise hold. As in
/// libwebrtc's SendSideBandwidthEstimation the growth is 8 %/s (+1 kbit/s), a
/// measurement needs ≥ 20 packets (smaller samples are aggregated), and decreases are
/// spaced by RTT + 300 ms so one loss episode reported in several feedbacks is not
/// punished several times. It starts at the maximum: it only matters once loss bites.
/// Probe results raise it (a probe is a loss-free measurement at a higher rate).
struct LossBasedController: Sendable {
    static let minimumPackets = 20
    static let increaseBelow = 0.02
    static let decreaseAbove = 0.10
    static let lnGainPerSecond = 0.076961041136128   // ln(1.08)

    let minimum: Double
    let maximum: Double
    private(set) var rate: Double
    private(set) var lastLossFraction = 0.0
    private var lostCount = 0
    private var packetCount = 0
    private var lastUpdate: Int64?
    private var lastDecrease: Int64?

    init(minimum: Double, maximum: Double) {
        self.minimum = minimum
        self.maximum = maximum
        rate = maximum
    }

    /// Adds one feedback's loss counts. `current` is the estimate in force (the min of
    /// all controllers), which is what the loss was actually observed at.
    mutating func onFeedback(lost: Int, total: Int, current: Double, roundTripMicros: Int64, now: Int64) {
        lostCount += max(0, lost)
        packetCount += max(0, total)
        guard packetCount >= Self.minimumPackets else { return }
        let fraction = SafeMath.clamp(Double(lostCount) / Double(packetCount), 0, 1)
        lostCount = 0
        packetCount = 0
        lastLossFraction = fraction

        let elapsed = SafeMath.clamp(Double(now - (lastUpdate ?? now)) / 1_000_000, 0, 1)
        lastUpdate = now

        if fraction < Self.increaseBelow {
            let grown = rate * SafeMath.growth(lnPerSecond: Self.lnGainPerSecond, seconds: elapsed) + 1_000 * elapsed
            // While loss is low the ceiling need not run away above what is sent: keeping
            // it within 2× of the estimate keeps it meaningful (and the growth observable).
            rate = SafeMath.clamp(min(grown, 2 * current), minimum, maximum)
        } else if fraction <= Self.decreaseAbove {
            // Hold: not above what we are sending now.
            rate = SafeMath.clamp(min(rate, current), minimum, maximum)
        } else {
            let spacing = max(0, roundTripMicros) + 300_000
            if let last = lastDecrease, now - last < spacing { return }
            lastDecrease = now
            rate = SafeMath.clamp(min(rate, current) * (1 - 0.5 * fraction), minimum, maximum)
        }
    }

    /// A probe proved the path carries `bps` without (much) loss.
    mutating func raise(to bps: Double) {
        rate = SafeMath.clamp(max(rate, bps), minimum, maximum)
    }

    /// Feedback timeout: scale down with everything else.
    mutating func scaleDown(by factor: Double) {
        rate = SafeMath.clamp(rate * factor, minimum, maximum)
    }
}
