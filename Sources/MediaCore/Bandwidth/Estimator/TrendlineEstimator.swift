/// Estimates the queueing-delay trend: the least-squares slope of the smoothed,
/// accumulated one-way delay variation over the last 20 groups.
///
/// This is libwebrtc's TrendlineEstimator, which replaced the Kalman arrival-time
/// filter of draft-ietf-rmcat-gcc-02 §5.3 (slope ≈ d(queue delay)/dt; > 0 means the
/// bottleneck queue is growing). Exponential smoothing (0.9) removes per-group jitter
/// before the fit.
struct TrendlineEstimator: Sendable {
    static let windowSize = 20
    static let smoothing = 0.9
    /// Saturates the trend gain so an old session is not infinitely sensitive.
    static let maxDeltasForGain = 60

    private struct Sample: Sendable {
        var x: Double   // arrival time since the first sample, ms
        var y: Double   // smoothed accumulated delay, ms
    }

    private var window = FixedRing(capacity: TrendlineEstimator.windowSize, filler: Sample(x: 0, y: 0))
    private var accumulatedDelay = 0.0
    private var smoothedDelay = 0.0
    private var firstArrivalMs: Double?
    private(set) var slope = 0.0
    /// Deltas seen so far (capped); scales the detector's gain like libwebrtc.
    private(set) var deltaCount = 0

    mutating func reset() {
        window.removeAll()
        accumulatedDelay = 0
        smoothedDelay = 0
        firstArrivalMs = nil
        slope = 0
        deltaCount = 0
    }

    /// Adds one inter-group delta and returns the updated slope (ms of delay per ms).
    mutating func update(_ delta: InterArrivalGrouper.Delta) -> Double {
        let variation = delta.arrivalDeltaMs - delta.sendDeltaMs
        deltaCount = min(deltaCount + 1, 1000)
        let origin = firstArrivalMs ?? delta.arrivalMs
        firstArrivalMs = origin
        accumulatedDelay += variation
        smoothedDelay = Self.smoothing * smoothedDelay + (1 - Self.smoothing) * accumulatedDelay
        guard accumulatedDelay.isFinite, smoothedDelay.isFinite else {
            reset()
            return slope
        }
        window.append(Sample(x: delta.arrivalMs - origin, y: smoothedDelay))
        if window.isFull, let fitted = fitSlope() {
            slope = fitted
        }
        return slope
    }

    /// Ordinary least squares on the window; nil when all x coincide.
    private func fitSlope() -> Double? {
        let n = Double(window.count)
        var sumX = 0.0, sumY = 0.0
        for i in 0..<window.count {
            sumX += window[i].x
            sumY += window[i].y
        }
        let meanX = sumX / n, meanY = sumY / n
        var numerator = 0.0, denominator = 0.0
        for i in 0..<window.count {
            let dx = window[i].x - meanX
            numerator += dx * (window[i].y - meanY)
            denominator += dx * dx
        }
        guard denominator > 0 else { return nil }
        let s = numerator / denominator
        return s.isFinite ? s : nil
    }
}
