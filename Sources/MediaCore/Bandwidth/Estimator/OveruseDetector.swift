/// Compares the delay trend with an adaptive threshold and decides overusing /
/// normal / underusing.
///
/// draft-ietf-rmcat-gcc-02 §5.4: the threshold follows |m| with gains k_u = 0.0087 /
/// k_d = 0.039 per ms, is clamped to [6, 600] ms and skips outliers (|m| > γ + 15);
/// overuse is signalled only after the signal has stayed above the threshold for
/// > 10 ms and at least two deltas while still rising. As in libwebrtc the trend is
/// scaled by min(deltas, 60) × 4 so it is comparable to the draft's ms threshold.
struct OveruseDetector: Sendable {
    static let trendGain = 4.0
    static let initialThreshold = 12.5
    static let kUp = 0.0087
    static let kDown = 0.039
    static let overuseTimeMs = 10.0
    static let thresholdRange = 6.0...600.0
    static let maxThresholdStepMs = 100.0

    private(set) var state: DelayState = .normal
    private(set) var threshold = OveruseDetector.initialThreshold
    private(set) var modifiedTrend = 0.0
    private var timeOverUsingMs = -1.0
    private var overuseCount = 0
    private var previousTrend = 0.0
    private var lastThresholdUpdateMs: Double?

    mutating func reset() {
        self = OveruseDetector()
    }

    mutating func detect(trend: Double, sendDeltaMs: Double, deltaCount: Int, nowMs: Double) -> DelayState {
        guard deltaCount >= 2 else {
            state = .normal
            return state
        }
        let gainDeltas = Double(min(deltaCount, TrendlineEstimator.maxDeltasForGain))
        let m = gainDeltas * trend * Self.trendGain
        modifiedTrend = m.isFinite ? m : 0

        if modifiedTrend > threshold {
            // Half the first send delta: the overuse started somewhere inside it.
            timeOverUsingMs = timeOverUsingMs < 0 ? sendDeltaMs / 2 : timeOverUsingMs + sendDeltaMs
            overuseCount += 1
            if timeOverUsingMs > Self.overuseTimeMs, overuseCount > 1, trend >= previousTrend {
                timeOverUsingMs = 0
                overuseCount = 0
                state = .overusing
            }
            // Otherwise keep the previous verdict until the time condition is met.
        } else if modifiedTrend < -threshold {
            timeOverUsingMs = -1
            overuseCount = 0
            state = .underusing
        } else {
            timeOverUsingMs = -1
            overuseCount = 0
            state = .normal
        }
        previousTrend = trend
        adaptThreshold(nowMs: nowMs)
        return state
    }

    private mutating func adaptThreshold(nowMs: Double) {
        let last = lastThresholdUpdateMs ?? nowMs
        lastThresholdUpdateMs = nowMs
        let magnitude = abs(modifiedTrend)
        // A single spike far above the threshold must not drag it up (draft §5.4).
        if magnitude > threshold + 15 { return }
        let k = magnitude < threshold ? Self.kDown : Self.kUp
        let dt = SafeMath.clamp(nowMs - last, 0, Self.maxThresholdStepMs)
        threshold = SafeMath.clamp(
            threshold + k * (magnitude - threshold) * dt,
            Self.thresholdRange.lowerBound, Self.thresholdRange.upperBound)
    }
}
