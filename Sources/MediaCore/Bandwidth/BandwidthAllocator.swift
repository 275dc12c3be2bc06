/// Spends one subscriber's bandwidth estimate over what it receives: audio first (always sent),
/// then video stream by stream in priority order, each first at its lowest layer, then one
/// layer step at a time round the streams while the next step fits. A video stream whose lowest
/// layer does not fit is paused. A manual choice (Janus `substream`) is a ceiling.
///
/// Hysteresis against flapping: a stream keeps what it has while the total fits the estimate,
/// but moving up (or resuming) needs `upgradeHeadroom` more than the step costs — an estimate
/// that wobbles around a layer's price does not switch it on every wobble.
///
/// Pure: streams and an estimate in, a layer (or a pause) per stream out. Runs on the
/// transport's timer, not per packet.
struct BandwidthAllocator {
    struct Stream: Equatable {
        var isVideo: Bool
        /// Measured bits/s of each layer of the source (0: the layer is not being sent).
        var layerRates: [Int]
        /// The highest layer wanted (manual `substream`); nil: any.
        var ceiling: Int?
        /// What the stream has now: a layer, or nil when paused (or never allocated).
        var current: Int?
        /// Higher first (a screen share above cameras).
        var priority: Int = 0
    }

    enum Decision: Equatable {
        case layer(Int)
        case paused
    }

    /// An upgrade (or a resume) needs the step's price times this to be free.
    static let upgradeHeadroom = 1.15

    /// The decisions, and the bits/s they add up to. What streams have is kept within `estimate`;
    /// moving up must also fit `upgradeBudget` (what the path is known to carry; nil: the estimate).
    /// `oneStepUp`: no stream goes more than one layer above what it has (a paused one resumes at
    /// its lowest), so the path is tried layer by layer. `mayPause` false: a video that does not
    /// fit gets its lowest layer all the same.
    static func allocate(
        _ streams: [Stream], estimate: Int, upgradeBudget: Int? = nil, oneStepUp: Bool = false, mayPause: Bool = true
    ) -> (decisions: [Decision], total: Int) {
        var decisions = [Decision](repeating: .paused, count: streams.count)
        var remaining = estimate
        let upgradeLimit = upgradeBudget ?? estimate
        var total = 0
        for (index, stream) in streams.enumerated() where !stream.isVideo {
            decisions[index] = .layer(0)
            let rate = stream.layerRates.first ?? 0
            remaining -= rate
            total += rate
        }
        // Each video stream's choosable layers, lowest first.
        let choices: [[Int]] = streams.map { stream in
            guard stream.isVideo else { return [] }
            let live = stream.layerRates.indices.filter { stream.layerRates[$0] > 0 }
            let allowed = live.filter { $0 <= (stream.ceiling ?? Int.max) }
            // A ceiling below everything sent still gets the lowest layer (as the manual choice does).
            return allowed.isEmpty ? Array(live.prefix(1)) : allowed
        }
        let order = streams.indices.filter { streams[$0].isVideo && !choices[$0].isEmpty }
            .sorted { (streams[$0].priority, -$0) > (streams[$1].priority, -$1) }
        var step = [Int](repeating: -1, count: streams.count)  // position in choices; -1 = paused
        func price(_ index: Int, _ position: Int) -> Int { position < 0 ? 0 : streams[index].layerRates[choices[index][position]] }
        func fits(_ index: Int, to position: Int) -> Bool {
            let cost = price(index, position) - price(index, step[index])
            guard cost > 0 else { return true }
            let layer = choices[index][position]
            let keeping = (streams[index].current ?? -1) >= layer
            guard !keeping else { return cost <= remaining }
            if oneStepUp, position > 0, choices[index][position - 1] > (streams[index].current ?? -1) { return false }
            let spent = estimate - remaining
            return Double(cost) * upgradeHeadroom <= Double(min(remaining, upgradeLimit - spent))
        }
        var changed = true
        while changed {
            changed = false
            for index in order where step[index] + 1 < choices[index].count && fits(index, to: step[index] + 1) {
                remaining -= price(index, step[index] + 1) - price(index, step[index])
                step[index] += 1
                changed = true
            }
        }
        for index in order {
            if step[index] < 0 && !mayPause { step[index] = 0 }
            guard step[index] >= 0 else { continue }
            decisions[index] = .layer(choices[index][step[index]])
            total += price(index, step[index])
        }
        return (decisions, total)
    }

    /// What the streams would take with no limit (each at its highest allowed layer): the
    /// demand that tells the estimator whether finding more bandwidth is worth a probe.
    static func demand(_ streams: [Stream]) -> Int {
        streams.reduce(0) { sum, stream in
            guard stream.isVideo else { return sum + (stream.layerRates.first ?? 0) }
            let live = stream.layerRates.indices.filter { stream.layerRates[$0] > 0 }
            let top = live.last { $0 <= (stream.ceiling ?? Int.max) } ?? live.first
            return sum + (top.map { stream.layerRates[$0] } ?? 0)
        }
    }
}
