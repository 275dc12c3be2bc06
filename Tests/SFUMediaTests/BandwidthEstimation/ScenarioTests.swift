import Testing
import Foundation
@testable import MediaCore

/// The project's published targets, measured with the deterministic simulator.
/// Every test prints its figures with a "[BWE]" prefix.
@Suite struct ScenarioTests {
    typealias S = Scenario

    @Test func startReachesDemandWithinTwoSeconds() {
        let sim = NetworkSimulator(estimator: BandwidthEstimator(), demand: S.demand, link: { _ in 3_000_000 })
        sim.run(until: 3 * S.s)
        let reached = sim.firstTime(from: 0, where: { $0 >= S.demand })
        S.report("start 300k, link 3M, demand 1650k: estimate >= demand after \(S.seconds(reached)); estimate at 3 s \(S.kbps(Double(sim.estimator.estimate)))")
        #expect(reached != nil && reached! <= 2 * S.s)
    }

    @Test func highDemandSettlesBelowLink() {
        let sim = NetworkSimulator(estimator: BandwidthEstimator(), demand: 5_000_000, link: { _ in 3_000_000 })
        sim.run(until: 60 * S.s)
        let spread = S.spread(sim.samples(from: 10 * S.s, to: 60 * S.s).map(\.estimate))
        let w = sim.window(from: 10 * S.s, to: 60 * S.s)
        S.report(String(format: "demand 5M, link 3M, 10-60 s: estimate mean %.0f, p5 %.0f, p95 %.0f, min %.0f, max %.0f kbit/s; media sent %.0f kbit/s, padding %.0f kbit/s, loss %.2f %%",
                        spread.mean / 1000, spread.p5 / 1000, spread.p95 / 1000, spread.min / 1000, spread.max / 1000,
                        w.media / 1000, w.padding / 1000, w.loss * 100))
        #expect(spread.mean >= 2_400_000 && spread.mean <= 3_000_000)
        #expect(spread.p5 >= 2_400_000 && spread.p95 <= 3_000_000)
    }

    @Test(arguments: [NetworkSimulator.QueueLimit.delayMicros(100_000), .bytes(40_000)])
    func downSwitchWithinOneSecond(queue: NetworkSimulator.QueueLimit) {
        var worst: Int64 = 0
        for offset: Int64 in [0, 23_000, 51_000, 77_000] {
            let step = 10 * S.s + offset
            let sim = NetworkSimulator(estimator: BandwidthEstimator(), demand: S.demand,
                                       link: S.steps([(0, 3_000_000), (step, 500_000)]))
            sim.queueLimit = queue
            sim.run(until: step + 3 * S.s)
            let down = sim.firstTime(from: step, where: { $0 <= 500_000 }).map { $0 - step }
            let after = sim.samples(from: step, to: step + 3 * S.s)
            let w = sim.window(from: step, to: step + 3 * S.s)
            let low = after.map(\.estimate).min() ?? 0
            let peakQueue = after.map(\.queueDelayMicros).max() ?? 0
            S.report("down-switch 3M -> 500k at \(S.seconds(step)) (\(queue)): estimate <= 500k after \(S.seconds(down)); lowest estimate in next 3 s \(S.kbps(Double(low))); loss in next 3 s \(String(format: "%.1f", w.loss * 100)) %; peak queue \(peakQueue / 1000) ms")
            #expect(down != nil && down! <= S.s)
            worst = max(worst, down ?? .max)
        }
        S.report("down-switch worst case (\(queue)): \(S.seconds(worst))")
    }

    @Test func recoveryWithinFourSeconds() {
        var worst: Int64 = 0
        // The periodic probe runs every 3 s, so sweep the step across that period.
        for offset: Int64 in stride(from: 0, to: 3_000_000, by: 250_000) {
            let up = 25 * S.s + offset
            let sim = NetworkSimulator(estimator: BandwidthEstimator(), demand: S.demand,
                                       link: S.steps([(0, 3_000_000), (5 * S.s, 500_000), (up, 3_000_000)]))
            sim.run(until: up + 8 * S.s)
            let recovered = sim.firstTime(from: up, where: { $0 >= S.demand }).map { $0 - up }
            S.report("recovery 500k -> 3M at \(S.seconds(up)): estimate >= 1650k after \(S.seconds(recovered))")
            #expect(recovered != nil && recovered! <= 4 * S.s)
            worst = max(worst, recovered ?? .max)
        }
        S.report("recovery worst case over the probe period: \(S.seconds(worst))")
    }

    @Test(arguments: [NetworkSimulator.QueueLimit.delayMicros(100_000), .bytes(40_000)])
    func stabilityAt500k(queue: NetworkSimulator.QueueLimit) {
        let sim = NetworkSimulator(estimator: BandwidthEstimator(), demand: S.demand, link: { _ in 500_000 })
        sim.queueLimit = queue
        sim.run(until: 120 * S.s)
        let from = 10 * S.s, to = 120 * S.s
        let w = sim.window(from: from, to: to)
        let estimates = sim.samples(from: from, to: to).map(\.estimate)
        let spread = S.spread(estimates)
        let switches = S.layerSwitches(estimates)
        let held = S.layerSwitchesWithHold(estimates)
        let minutes = Double(to - from) / 60_000_000
        let queueDelays = sim.samples(from: from, to: to).map { Int($0.queueDelayMicros) }
        let q = S.spread(queueDelays)
        S.report(String(format: "stability 500k (%@), 10-120 s: media %.0f kbit/s = %.1f %% of link (with padding %.1f %%), loss %.2f %%; estimate mean %.0f, sd %.0f, p5 %.0f, p95 %.0f, min %.0f, max %.0f kbit/s; layer switches %d (%.2f/min; with 2 s down-hold %d); queue delay mean %.0f ms, p95 %.0f ms",
                        "\(queue)", w.media / 1000, w.media / 5_000, (w.media + w.padding) / 5_000, w.loss * 100,
                        spread.mean / 1000, spread.stddev / 1000, spread.p5 / 1000, spread.p95 / 1000, spread.min / 1000, spread.max / 1000,
                        switches, Double(switches) / minutes, held, q.mean / 1000, q.p95 / 1000))
        #expect(w.media >= 0.70 * 500_000 && w.media <= 0.95 * 500_000)
        #expect(w.loss < 0.02)
    }

    @Test func capAppliesImmediatelyAndReleases() {
        let sim = NetworkSimulator(estimator: BandwidthEstimator(), demand: S.demand, link: { _ in 3_000_000 })
        sim.run(until: 5 * S.s)
        #expect(sim.estimator.estimate >= S.demand)
        sim.withEstimator { $0.setCap(bitsPerSecond: 300_000) }
        let capped = sim.estimator.estimate
        #expect(capped <= 300_000)
        sim.run(until: 15 * S.s)
        let maxWhileCapped = sim.samples(from: 5 * S.s + 1, to: 15 * S.s).map(\.estimate).max() ?? 0
        #expect(maxWhileCapped <= 300_000)
        sim.withEstimator { $0.setCap(bitsPerSecond: nil) }
        sim.run(until: 25 * S.s)
        let released = sim.firstTime(from: 15 * S.s + 1, where: { $0 >= S.demand }).map { $0 - 15 * S.s }
        S.report("cap 300k: estimate right after setCap \(S.kbps(Double(capped))), max while capped \(S.kbps(Double(maxWhileCapped))); after removing the cap >= 1650k in \(S.seconds(released))")
        #expect(released != nil && released! <= 3 * S.s)
    }

    @Test func feedbackTimeoutLowersEstimate() {
        let sim = NetworkSimulator(estimator: BandwidthEstimator(), demand: S.demand, link: { _ in 3_000_000 })
        sim.run(until: 5 * S.s)
        let before = sim.estimator.estimate
        sim.feedbackEnabled = false
        sim.run(until: 7 * S.s)
        let after = sim.estimator.estimate
        S.report("feedback stops for 2 s: estimate \(S.kbps(Double(before))) -> \(S.kbps(Double(after)))")
        #expect(Double(after) < 0.6 * Double(before))
        sim.feedbackEnabled = true
        sim.run(until: 12 * S.s)
        #expect(sim.estimator.estimate >= S.demand)
    }
}

/// Informational: how calm the estimate is on links where it straddles a layer boundary.
@Suite struct OscillationReport {
    typealias S = Scenario

    @Test(arguments: [700_000, 800_000, 1_200_000, 1_800_000, 2_500_000])
    func steadyLink(link: Int) {
        let sim = NetworkSimulator(estimator: BandwidthEstimator(), demand: S.demand, link: { _ in link })
        sim.run(until: 120 * S.s)
        let from = 10 * S.s, to = 120 * S.s
        let w = sim.window(from: from, to: to)
        let estimates = sim.samples(from: from, to: to).map(\.estimate)
        let spread = S.spread(estimates)
        let switches = S.layerSwitches(estimates)
        let held = S.layerSwitchesWithHold(estimates)
        S.report(String(format: "steady %4.0f kbit/s link, 10-120 s: media %.1f %% of link (demand-limited at %.1f %%), loss %.2f %%; estimate mean %.0f, sd %.0f, p5 %.0f, p95 %.0f kbit/s; layer switches %.2f/min (with 2 s down-hold: %.2f/min)",
                        Double(link) / 1000, w.media / Double(link) * 100, Double(S.demand) / Double(link) * 100, w.loss * 100,
                        spread.mean / 1000, spread.stddev / 1000, spread.p5 / 1000, spread.p95 / 1000,
                        Double(switches) / (Double(to - from) / 60_000_000), Double(held) / (Double(to - from) / 60_000_000)))
        #expect(w.loss < 0.02)
    }
}

/// Informational: the same targets with 0–10 ms of random per-packet delay jitter.
@Suite struct JitterReport {
    typealias S = Scenario

    @Test func targetsWithJitter() {
        let jitter: Int64 = 10_000
        let start = NetworkSimulator(estimator: BandwidthEstimator(), demand: S.demand, link: { _ in 3_000_000 })
        start.jitterMicros = jitter
        start.run(until: 3 * S.s)
        let reached = start.firstTime(from: 0, where: { $0 >= S.demand })

        let step = 10 * S.s, up = 30 * S.s
        let sim = NetworkSimulator(estimator: BandwidthEstimator(), demand: S.demand,
                                   link: S.steps([(0, 3_000_000), (step, 500_000), (up, 3_000_000)]))
        sim.jitterMicros = jitter
        sim.run(until: up + 8 * S.s)
        let down = sim.firstTime(from: step, where: { $0 <= 500_000 }).map { $0 - step }
        let recovered = sim.firstTime(from: up, where: { $0 >= S.demand }).map { $0 - up }

        let steady = NetworkSimulator(estimator: BandwidthEstimator(), demand: S.demand, link: { _ in 500_000 })
        steady.jitterMicros = jitter
        steady.run(until: 120 * S.s)
        let w = steady.window(from: 10 * S.s, to: 120 * S.s)
        let estimates = steady.samples(from: 10 * S.s, to: 120 * S.s).map(\.estimate)
        let spread = S.spread(estimates)
        S.report(String(format: "with 0-10 ms jitter: start >= demand after %@; down-switch %@; recovery %@; steady 500k: media %.1f %% of link, loss %.2f %%, estimate mean %.0f sd %.0f p5 %.0f p95 %.0f kbit/s",
                        S.seconds(reached), S.seconds(down), S.seconds(recovered), w.media / 5_000, w.loss * 100,
                        spread.mean / 1000, spread.stddev / 1000, spread.p5 / 1000, spread.p95 / 1000))
        #expect(w.loss < 0.02)
    }
}
