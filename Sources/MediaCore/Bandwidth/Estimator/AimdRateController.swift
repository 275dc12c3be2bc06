/// The delay-based rate: additive/multiplicative increase, multiplicative decrease.
///
/// draft-ietf-rmcat-gcc-02 §5.5 (state machine Hold / Increase / Decrease driven by the
/// detector; decrease to β = 0.85 × the acknowledged rate), with libwebrtc's
/// AimdRateControl refinements: multiplicative increase of 8 %/s while far from the
/// last congestion point, additive increase of about one packet per response time
/// (RTT + 100 ms) near it, never increasing beyond 1.5 × acknowledged + 10 kbit/s
/// (application-limited), and at most one decrease per RTT.
struct AimdRateController: Sendable {
    enum Phase: Sendable { case hold, increase, decrease }

    static let beta = 0.85
    /// ln(1.08): 8 % per second, compounded continuously.
    static let lnMultiplicativeGain = 0.076961041136128
    static let minimumAdditivePerSecond = 4_000.0
    static let assumedFramesPerSecond = 30.0
    static let assumedPacketBits = 1_200.0 * 8

    let minimum: Double
    let maximum: Double
    private(set) var rate: Double
    private(set) var phase: Phase = .hold
    private(set) var capacity = LinkCapacityEstimator()
    private var lastChange: Int64?
    /// Round trip used for decrease pacing and the additive step; set by the owner.
    var roundTripMicros: Int64 = 200_000

    init(start: Double, minimum: Double, maximum: Double) {
        self.minimum = minimum
        self.maximum = maximum
        rate = SafeMath.clamp(start, minimum, maximum)
    }

    /// True when another decrease is allowed: one RTT (10...200 ms) since the last
    /// change, or we are sending more than twice what gets through.
    func timeToReduceFurther(now: Int64, acknowledged: Double?) -> Bool {
        let interval = min(max(roundTripMicros, 10_000), 200_000)
        if let last = lastChange, now - last < interval {
            if let acked = acknowledged { return acked < 0.5 * rate }
            return false
        }
        return true
    }

    /// Applies one detector verdict (once per feedback).
    mutating func update(_ usage: DelayState, acknowledged: Double?, now: Int64) {
        switch usage {
        case .overusing: phase = .decrease
        case .underusing: phase = .hold   // the queue is draining: let it
        case .normal: if phase == .hold { phase = .increase }
        }
        switch phase {
        case .hold:
            break
        case .increase:
            increase(acknowledged: acknowledged, now: now)
        case .decrease:
            decrease(acknowledged: acknowledged, now: now)
        }
    }

    /// Jumps to a measured rate (probe result); the congestion memory is dropped when
    /// the new rate lies beyond it, so growth from there is multiplicative again.
    mutating func setRate(_ newRate: Double, now: Int64) {
        rate = SafeMath.clamp(newRate, minimum, maximum)
        if let upper = capacity.upperBound, rate > upper { capacity.reset() }
        lastChange = now
    }

    /// Lowers the rate without counting as congestion (feedback timeout).
    mutating func scaleDown(by factor: Double, now: Int64) {
        rate = SafeMath.clamp(rate * factor, minimum, maximum)
        lastChange = now
    }

    private mutating func increase(acknowledged: Double?, now: Int64) {
        let elapsed = SafeMath.clamp(Double(now - (lastChange ?? now)) / 1_000_000, 0, 1)
        lastChange = now
        if let acked = acknowledged, let upper = capacity.upperBound, acked > upper {
            capacity.reset()   // more got through than ever before: the path grew
        }
        let step = capacity.hasEstimate ? additiveStep(elapsed) : multiplicativeStep(elapsed)
        var next = rate + step
        if let acked = acknowledged {
            // Application-limited: growing far beyond what we actually send would make
            // the estimate meaningless, so stay within reach of the acknowledged rate.
            let limit = 1.5 * acked + 10_000
            if rate >= limit { return }
            next = min(next, limit)
        }
        rate = SafeMath.clamp(next, minimum, maximum)
    }

    private func multiplicativeStep(_ seconds: Double) -> Double {
        let factor = SafeMath.growth(lnPerSecond: Self.lnMultiplicativeGain, seconds: seconds)
        return max(rate * (factor - 1), 1_000 * seconds)
    }

    private func additiveStep(_ seconds: Double) -> Double {
        let responseSeconds = Double(roundTripMicros + 100_000) / 1_000_000
        let bitsPerFrame = rate / Self.assumedFramesPerSecond
        let packetsPerFrame = max(1, (bitsPerFrame / Self.assumedPacketBits).rounded(.up))
        let packetBits = bitsPerFrame / packetsPerFrame
        let perSecond = max(Self.minimumAdditivePerSecond, packetBits / responseSeconds)
        return perSecond * seconds
    }

    private mutating func decrease(acknowledged: Double?, now: Int64) {
        var target = Self.beta * (acknowledged ?? rate)
        if target > rate, let capacityEstimate = capacity.estimate {
            target = Self.beta * capacityEstimate
        }
        if let acked = acknowledged {
            if let lower = capacity.lowerBound, acked < lower {
                capacity.reset()   // congested well below the remembered point: path shrank
            }
            capacity.onOveruse(acknowledged: acked)
        }
        if target < rate {
            rate = SafeMath.clamp(target, minimum, maximum)
        }
        phase = .hold
        lastChange = now
    }
}
