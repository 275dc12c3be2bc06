/// Remembers the throughput at which the path last became congested, with its spread.
///
/// draft-ietf-rmcat-gcc-02 §5.5 keeps "the average max bitrate" and its variance to
/// choose between multiplicative increase (far from it) and additive increase (close to
/// it); this is libwebrtc's LinkCapacityEstimator form of that: an exponential average
/// (α = 0.05) of acknowledged throughput at overuse and a normalised deviation, in kbit/s.
struct LinkCapacityEstimator: Sendable {
    static let alpha = 0.05
    static let deviationRange = 0.4...2.5

    private(set) var estimateKbps: Double?
    private var deviation = 0.4

    var hasEstimate: Bool { estimateKbps != nil }

    private var spreadKbps: Double {
        guard let e = estimateKbps else { return 0 }
        return (deviation * e).squareRoot()
    }

    /// 3 σ above the average: throughput beyond it means the path got faster.
    var upperBound: Double? { estimateKbps.map { ($0 + 3 * spreadKbps) * 1000 } }
    /// 3 σ below the average: a congestion point below it means the path got slower.
    var lowerBound: Double? { estimateKbps.map { max(0, $0 - 3 * spreadKbps) * 1000 } }
    var estimate: Double? { estimateKbps.map { $0 * 1000 } }

    mutating func reset() {
        estimateKbps = nil
        deviation = 0.4
    }

    mutating func onOveruse(acknowledged bps: Double) {
        let sample = SafeMath.clamp(bps / 1000, 0, SafeMath.rateLimit)
        guard let e = estimateKbps else {
            estimateKbps = sample
            return
        }
        let updated = (1 - Self.alpha) * e + Self.alpha * sample
        let error = updated - sample
        deviation = SafeMath.clamp(
            (1 - Self.alpha) * deviation + Self.alpha * error * error / max(updated, 1),
            Self.deviationRange.lowerBound, Self.deviationRange.upperBound)
        estimateKbps = updated
    }
}
