import Testing
@testable import MediaCore

/// Unit tests of the building blocks, each against a hand-computed expectation.
@Suite struct ComponentTests {
    @Test func ringEvictsOldestWhenFull() {
        var ring = FixedRing(capacity: 3, filler: 0)
        for i in 1...3 { #expect(ring.append(i) == nil) }
        #expect(ring.append(4) == 1)
        #expect((0..<ring.count).map { ring[$0] } == [2, 3, 4])
        #expect(ring.removeFirst() == 2)
        #expect(ring.first == 3 && ring.last == 4 && ring.count == 2)
    }

    @Test func growthMatchesCompoundedRate() {
        let oneSecond = SafeMath.growth(lnPerSecond: 0.076961041136128, seconds: 1)
        #expect(abs(oneSecond - 1.08) < 1e-9)
        #expect(SafeMath.growth(lnPerSecond: 0.0769, seconds: .nan).isFinite)
        #expect(SafeMath.int(.nan) == 0 && SafeMath.int(.infinity) == Int(SafeMath.rateLimit))
    }

    @Test func acknowledgedRateOfSteadyStream() {
        var acked = AcknowledgedBitrateEstimator()
        // 1,250 bytes every 10 ms = 1 Mbit/s.
        for i in 0..<100 { acked.add(arrivedAt: 5_000_000 + Int64(i) * 10_000, bytes: 1_250) }
        let rate = acked.bitsPerSecond ?? 0
        #expect(abs(rate - 1_000_000) < 1_000)
    }

    @Test func acknowledgedRateNeedsHistory() {
        var acked = AcknowledgedBitrateEstimator()
        acked.add(arrivedAt: 0, bytes: 1_000)
        acked.add(arrivedAt: 1_000, bytes: 1_000)
        #expect(acked.bitsPerSecond == nil)
    }

    /// Groups every 10 ms, packet `i` queued `queueMicros(i)` µs on the way: the detector's verdict.
    private func detectorVerdict(queueMicros: (Int) -> Int64) -> DelayState {
        var grouper = InterArrivalGrouper()
        var trend = TrendlineEstimator()
        var detector = OveruseDetector()
        var state = DelayState.normal
        for i in 0..<60 {
            let sent = Int64(i) * 10_000
            if let d = grouper.add(sentAt: sent, arrivedAt: 1_000_000_000 + sent + queueMicros(i)) {
                state = detector.detect(trend: trend.update(d), sendDeltaMs: d.sendDeltaMs,
                                        deltaCount: trend.deltaCount, nowMs: d.arrivalMs)
            }
        }
        return state
    }

    @Test func detectorSeesGrowingQueueAsOveruse() {
        #expect(detectorVerdict { Int64(Double($0) * 10_000 * 0.2) } == .overusing)
        #expect(detectorVerdict { _ in 0 } == .normal)
    }

    @Test func detectorSeesDrainingQueueAsUnderuse() {
        // Draining 0.3 ms per ms (slower than burst merging).
        #expect(detectorVerdict { 300_000 - Int64($0) * 3_000 } == .underusing)
    }

    @Test func burstPacketsFormOneGroup() {
        var grouper = InterArrivalGrouper()
        // Three packets sent within 5 ms form one group: no delta until the next burst.
        #expect(grouper.add(sentAt: 0, arrivedAt: 100) == nil)
        #expect(grouper.add(sentAt: 2_000, arrivedAt: 2_100) == nil)
        #expect(grouper.add(sentAt: 4_000, arrivedAt: 4_100) == nil)
        #expect(grouper.add(sentAt: 20_000, arrivedAt: 20_100) == nil)
        let d = grouper.add(sentAt: 40_000, arrivedAt: 41_100)
        #expect(d?.sendDeltaMs == 16 && d?.arrivalDeltaMs == 16)
    }

    @Test func probeResultIsBottleneckRate() {
        var probes = ProbeResultEstimator()
        probes.register(ProbeCluster(id: 7, bitsPerSecond: 8_000_000, durationMicros: 10_000, minimumPackets: 5), now: 0)
        // 10 × 1,000 B sent 1 ms apart (8 Mbit/s), arriving 2 ms apart (4 Mbit/s).
        for i in 0..<10 {
            probes.add(cluster: 7, sentAt: Int64(i) * 1_000, arrivedAt: 50_000 + Int64(i) * 2_000, bytes: 1_000, now: 100_000)
        }
        let r = probes.takeResult()
        #expect(r.map { abs($0.bitsPerSecond - 3_800_000) < 1 } == true)
        #expect(probes.takeResult() == nil)   // reported once per new feedback
    }

    @Test func probeResultRejectsTooFewOrLossy() {
        var probes = ProbeResultEstimator()
        probes.register(ProbeCluster(id: 1, bitsPerSecond: 1_000_000, durationMicros: 15_000, minimumPackets: 5), now: 0)
        for i in 0..<3 { probes.add(cluster: 1, sentAt: Int64(i) * 3_000, arrivedAt: Int64(i) * 3_000, bytes: 500, now: 0) }
        #expect(probes.takeResult() == nil)
        for i in 3..<6 { probes.add(cluster: 1, sentAt: Int64(i) * 3_000, arrivedAt: nil, bytes: 500, now: 0) }
        #expect(probes.takeResult() == nil)
        probes.add(cluster: 99, sentAt: 0, arrivedAt: 0, bytes: 500, now: 0)   // never issued
        #expect(probes.takeResult() == nil)
    }

    @Test func lossAboveTenPercentCutsRate() {
        var loss = LossBasedController(minimum: 50_000, maximum: 20_000_000)
        loss.onFeedback(lost: 20, total: 100, current: 1_000_000, roundTripMicros: 50_000, now: 1_000_000)
        #expect(abs(loss.rate - 900_000) < 1)
        // A second report of the same episode right after is not punished again.
        loss.onFeedback(lost: 20, total: 100, current: 900_000, roundTripMicros: 50_000, now: 1_100_000)
        #expect(abs(loss.rate - 900_000) < 1)
        // Low loss lets it grow again (8 %/s).
        loss.onFeedback(lost: 0, total: 100, current: 900_000, roundTripMicros: 50_000, now: 2_100_000)
        #expect(loss.rate > 960_000 && loss.rate < 975_000)
    }

    @Test func overuseDecreasesToBetaTimesAcknowledged() {
        var aimd = AimdRateController(start: 2_000_000, minimum: 50_000, maximum: 20_000_000)
        aimd.update(.overusing, acknowledged: 1_000_000, now: 1_000_000)
        #expect(abs(aimd.rate - 850_000) < 1)
        // Near the congestion point the increase is additive: a few kbit/s per 100 ms.
        aimd.update(.normal, acknowledged: 850_000, now: 1_100_000)
        aimd.update(.normal, acknowledged: 850_000, now: 1_200_000)
        #expect(aimd.rate > 850_000 && aimd.rate < 880_000)
    }

    @Test func farFromCapacityIncreaseIsMultiplicative() {
        var aimd = AimdRateController(start: 1_000_000, minimum: 50_000, maximum: 20_000_000)
        aimd.update(.normal, acknowledged: 1_000_000, now: 0)
        for i in 1...10 { aimd.update(.normal, acknowledged: 1_000_000, now: Int64(i) * 100_000) }
        #expect(abs(aimd.rate - 1_080_000) < 2_000)
    }
}

@Suite struct ProbeControllerTests {
    private func context(_ estimate: Double, demand: Double? = 5_000_000, ceiling: Double = 20_000_000) -> ProbeController.Context {
        .init(estimate: estimate, demand: demand, ceiling: ceiling, feedbackSeen: true, overusing: false)
    }

    @Test func initialProbesAtThreeAndSixTimesStart() {
        var p = ProbeController(startRate: 300_000)
        let first = p.poll(now: 0, context: context(300_000))
        let second = p.poll(now: 0, context: context(300_000))
        #expect(first?.bitsPerSecond == 900_000 && second?.bitsPerSecond == 1_800_000)
        #expect(first?.id != second?.id)
        #expect(p.poll(now: 0, context: context(300_000)) == nil)
    }

    @Test func goodResultProbesFurtherUntilDemandIsMet() {
        var p = ProbeController(startRate: 300_000)
        _ = p.poll(now: 0, context: context(300_000))
        _ = p.poll(now: 0, context: context(300_000))
        p.onProbeResult(1_700_000, now: 150_000, context: context(1_700_000))
        #expect(p.poll(now: 155_000, context: context(1_700_000))?.bitsPerSecond == 3_400_000)
        // A result clearly below what was probed ends the exponential phase.
        p.onProbeResult(2_000_000, now: 300_000, context: context(2_000_000))
        #expect(p.poll(now: 305_000, context: context(2_000_000)) == nil)
    }

    @Test func applicationLimitedDoesNotProbe() {
        var p = ProbeController(startRate: 300_000)
        _ = p.poll(now: 0, context: context(300_000, demand: 200_000))
        #expect(p.poll(now: 0, context: context(300_000, demand: 200_000)) == nil)
        #expect(p.poll(now: 10_000_000, context: context(2_000_000, demand: 1_650_000)) == nil)
    }

    @Test func periodicProbeWhenDemandExceedsEstimate() {
        var p = ProbeController(startRate: 300_000)
        while p.poll(now: 0, context: context(300_000)) != nil {}
        #expect(p.poll(now: 2_000_000, context: context(450_000)) == nil)
        #expect(p.poll(now: 3_100_000, context: context(450_000))?.bitsPerSecond == 900_000)
    }

    @Test func probesAreCappedByDemandAndCeiling() {
        var p = ProbeController(startRate: 300_000)
        while p.poll(now: 0, context: context(300_000)) != nil {}
        let probe = p.poll(now: 5_000_000, context: context(1_000_000, demand: 1_200_000, ceiling: 1_500_000))
        #expect(probe?.bitsPerSecond == 1_500_000)
    }

    @Test func fastRecoveryAfterLargeDrop() {
        var p = ProbeController(startRate: 300_000)
        while p.poll(now: 0, context: context(300_000)) != nil {}
        p.onEstimate(2_000_000, now: 1_000_000)
        p.onEstimate(1_200_000, now: 2_000_000)
        p.onEstimate(500_000, now: 2_200_000)
        // 3 s after the start-up probes the periodic probe comes first (2 × estimate) …
        #expect(p.poll(now: 3_500_000, context: context(500_000))?.bitsPerSecond == 1_000_000)
        // … and once its result is overdue, the recovery probe near the old rate.
        #expect(p.poll(now: 4_600_000, context: context(500_000))?.bitsPerSecond == 1_700_000)
    }
}
