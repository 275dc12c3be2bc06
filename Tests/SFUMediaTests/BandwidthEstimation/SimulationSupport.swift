import Foundation
@testable import MediaCore

/// Shared helpers for the scenario tests: statistics and the layer-switch model.
enum Scenario {
    static let demand = 1_650_000
    static let s: Int64 = 1_000_000

    static func kbps(_ bps: Double) -> String { String(format: "%.0f kbit/s", bps / 1000) }
    static func seconds(_ micros: Int64?) -> String {
        micros.map { String(format: "%.2f s", Double($0) / 1_000_000) } ?? "never"
    }

    struct Spread {
        var mean = 0.0, stddev = 0.0, min = 0.0, max = 0.0, p5 = 0.0, p95 = 0.0
    }

    static func spread(_ values: [Int]) -> Spread {
        guard !values.isEmpty else { return Spread() }
        let d = values.map(Double.init).sorted()
        let mean = d.reduce(0, +) / Double(d.count)
        let variance = d.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(d.count)
        func pct(_ p: Double) -> Double { d[min(d.count - 1, Int(p * Double(d.count - 1)))] }
        return Spread(mean: mean, stddev: variance.squareRoot(), min: d[0], max: d[d.count - 1], p5: pct(0.05), p95: pct(0.95))
    }

    /// How often a simple allocator would change simulcast layer following the estimate.
    /// Layers (cumulative) 150 / 650 / 1,650 kbit/s; go up only when the estimate
    /// exceeds the next layer by 10 %, go down as soon as the current one no longer fits.
    static func layerSwitches(_ estimates: [Int]) -> Int {
        let cumulative = [150_000.0, 650_000.0, 1_650_000.0]
        var layer = startLayer(estimates, cumulative)
        var switches = 0
        for e in estimates.map(Double.init) {
            var next = layer
            while next + 1 < cumulative.count, e >= 1.1 * cumulative[next + 1] { next += 1 }
            while next > 0, e < cumulative[next] { next -= 1 }
            if next != layer { switches += 1; layer = next }
        }
        return switches
    }

    /// The same layers with the hysteresis an SFU allocator would more likely use:
    /// up at +10 %, down at once only when the estimate is 15 % short of the current
    /// layer, otherwise only after it has been short for `holdSamples` samples in a row.
    static func layerSwitchesWithHold(_ estimates: [Int], holdSamples: Int = 20) -> Int {
        let cumulative = [150_000.0, 650_000.0, 1_650_000.0]
        var layer = startLayer(estimates, cumulative)
        var switches = 0
        var shortFor = 0
        for e in estimates.map(Double.init) {
            var next = layer
            while next + 1 < cumulative.count, e >= 1.1 * cumulative[next + 1] { next += 1 }
            shortFor = (next == layer && layer > 0 && e < cumulative[layer]) ? shortFor + 1 : 0
            if next == layer, layer > 0, e < 0.85 * cumulative[layer] || shortFor >= holdSamples {
                while next > 0, e < cumulative[next] { next -= 1 }
                shortFor = 0
            }
            if next != layer { switches += 1; layer = next }
        }
        return switches
    }

    /// The layer in use when the measurement window opens (not counted as a switch).
    private static func startLayer(_ estimates: [Int], _ cumulative: [Double]) -> Int {
        guard let e = estimates.first.map(Double.init) else { return 0 }
        return cumulative.lastIndex { $0 <= e } ?? 0
    }

    /// Piecewise-constant link rate: `[(from, bps)]`, sorted by time.
    static func steps(_ steps: [(Int64, Int)]) -> (Int64) -> Int {
        { t in steps.last { $0.0 <= t }?.1 ?? steps[0].1 }
    }

    static func report(_ line: String) {
        print("[BWE] " + line)
    }
}
