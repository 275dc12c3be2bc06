import Testing
import TestSupport
@testable import MediaCore


@Suite struct RobustnessTests {
    static let minimum = 50_000
    static let maximum = 20_000_000

    private func wildInt64(_ rng: inout SplitMix64, around base: Int64) -> Int64 {
        switch Int.random(in: 0..<10, using: &rng) {
        case 0: return .min
        case 1: return .max
        case 2: return Int64.random(in: .min ... .max, using: &rng)
        case 3: return -Int64.random(in: 0...10_000_000, using: &rng)
        default: return base &+ Int64.random(in: -200_000...200_000, using: &rng)
        }
    }

    private func wildInt(_ rng: inout SplitMix64) -> Int {
        switch Int.random(in: 0..<8, using: &rng) {
        case 0: return .min
        case 1: return .max
        case 2: return -Int.random(in: 0...1_000_000, using: &rng)
        case 3: return 0
        default: return Int.random(in: 0...30_000_000, using: &rng)
        }
    }

    private func checkBounds(_ e: BandwidthEstimator, cap: Int?) {
        let upper = min(Self.maximum, cap ?? Self.maximum)
        let lower = min(Self.minimum, upper)
        #expect(e.estimate >= lower && e.estimate <= upper)
        let d = e.diagnostics
        #expect(d.modifiedTrend.isFinite && d.threshold.isFinite)
        #expect(d.lossFraction >= 0 && d.lossFraction <= 1)
        #expect(d.delayBasedBitsPerSecond >= 0 && d.lossBasedBitsPerSecond >= 0)
    }

    @Test(arguments: [1, 2, 3, 4, 5] as [UInt64])
    func garbageNeverTrapsAndStaysInBounds(seed: UInt64) {
        var rng = SplitMix64(state: seed)
        var e = BandwidthEstimator()
        var cap: Int?
        var now: Int64 = 0
        var issued: [Int] = []
        var seq: Int64 = 0
        for _ in 0..<3_000 {
            now = Int.random(in: 0..<20, using: &rng) == 0 ? wildInt64(&rng, around: now) : now &+ 20_000
            switch Int.random(in: 0..<10, using: &rng) {
            case 0...4:
                let count = Int.random(in: 0..<20, using: &rng) == 0 ? 5_000 : Int.random(in: 0...60, using: &rng)
                var packets: [SentPacketOutcome] = []
                for _ in 0..<count {
                    seq = Int.random(in: 0..<30, using: &rng) == 0 ? wildInt64(&rng, around: seq) : seq &+ Int64.random(in: -2...3, using: &rng)
                    packets.append(SentPacketOutcome(
                        transportSequence: seq,
                        sentAtMicros: wildInt64(&rng, around: now &- 60_000),
                        sizeBytes: Int.random(in: 0..<5, using: &rng) == 0 ? wildInt(&rng) : 1_200,
                        arrivedAtMicros: Bool.random(using: &rng) ? nil : wildInt64(&rng, around: now &+ 5_000_000),
                        probeCluster: Int.random(in: 0..<4, using: &rng) == 0 ? (issued.randomElement(using: &rng) ?? wildInt(&rng)) : nil))
                }
                if Bool.random(using: &rng) { packets.shuffle(using: &rng) }
                if Bool.random(using: &rng) { packets += packets.prefix(10) }
                e.handleFeedback(packets, now: now)
            case 5:
                e.handleReceiverEstimate(bitsPerSecond: wildInt(&rng), now: now)
            case 6:
                cap = Bool.random(using: &rng) ? nil : wildInt(&rng)
                e.setCap(bitsPerSecond: cap)
                if let c = cap, c <= 0 { cap = nil }
            case 7:
                e.setDemand(bitsPerSecond: wildInt(&rng), now: now)
            case 8:
                e.tick(now: now)
            default:
                while let p = e.nextProbe(now: now) {
                    #expect(p.bitsPerSecond > 0 && p.bitsPerSecond <= Self.maximum)
                    #expect(p.durationMicros > 0 && p.minimumPackets > 0)
                    issued.append(p.id)
                }
            }
            checkBounds(e, cap: cap)
        }
    }

    @Test func realisticFeedbackShuffledAndDuplicatedStaysSane() {
        var rng = SplitMix64(state: 42)
        var e = BandwidthEstimator()
        e.setDemand(bitsPerSecond: 1_650_000, now: 0)
        var seq: Int64 = 0
        for f in 1...300 {
            let now = Int64(f) * 100_000
            var packets: [SentPacketOutcome] = []
            for i in 0..<20 {
                let sent = now - 120_000 + Int64(i) * 5_000
                packets.append(SentPacketOutcome(
                    transportSequence: seq, sentAtMicros: sent, sizeBytes: 1_200,
                    arrivedAtMicros: Int.random(in: 0..<10, using: &rng) == 0 ? nil : -9_000_000_000 + sent + Int64.random(in: 0...30_000, using: &rng)))
                seq += 1
            }
            packets.shuffle(using: &rng)
            packets += packets.prefix(5)
            e.handleFeedback(packets, now: now)
            e.tick(now: now + 50_000)
            _ = e.nextProbe(now: now + 50_000)
            checkBounds(e, cap: nil)
        }
    }

    @Test func extremeConstructorArguments() {
        let e1 = BandwidthEstimator(startBitsPerSecond: .max, minimumBitsPerSecond: .max, maximumBitsPerSecond: .min)
        #expect(e1.estimate > 0)
        let e2 = BandwidthEstimator(startBitsPerSecond: -5, minimumBitsPerSecond: -5, maximumBitsPerSecond: 0)
        #expect(e2.estimate >= 0)
        var e3 = BandwidthEstimator(startBitsPerSecond: 10, minimumBitsPerSecond: 100_000, maximumBitsPerSecond: 200_000)
        #expect(e3.estimate == 100_000)
        e3.handleFeedback([], now: .max)
        e3.tick(now: .min)
        #expect(e3.estimate >= 100_000 && e3.estimate <= 200_000)
    }

    @Test func receiverEstimateOnlyIsFollowed() {
        var e = BandwidthEstimator()
        e.setDemand(bitsPerSecond: 5_000_000, now: 0)
        #expect(e.estimate == 300_000)
        e.handleReceiverEstimate(bitsPerSecond: 800_000, now: 0)
        #expect(e.estimate == 800_000)
        for t in stride(from: Int64(0), through: 10_000_000, by: 50_000) { e.tick(now: t) }
        #expect(e.estimate == 800_000)   // no TWCC ever: no feedback timeout either
        e.handleReceiverEstimate(bitsPerSecond: 2_000_000, now: 10_000_000)
        #expect(e.estimate == 2_000_000)
        e.handleReceiverEstimate(bitsPerSecond: 400_000, now: 11_000_000)
        #expect(e.estimate == 400_000)
        e.handleReceiverEstimate(bitsPerSecond: 100_000_000, now: 12_000_000)
        #expect(e.estimate == 20_000_000)
        e.handleReceiverEstimate(bitsPerSecond: 10_000, now: 13_000_000)
        #expect(e.estimate == 50_000)
        e.setCap(bitsPerSecond: 1_000_000)
        e.handleReceiverEstimate(bitsPerSecond: 3_000_000, now: 14_000_000)
        #expect(e.estimate == 1_000_000)
        // Only the start-up probes are ever issued without TWCC feedback.
        var probes = 0
        for t in stride(from: Int64(14_000_000), through: 30_000_000, by: 50_000) {
            while e.nextProbe(now: t) != nil { probes += 1 }
        }
        #expect(probes <= 2)
        Scenario.report("REMB only: estimate follows REMB (800k, 2M, 400k, clamped to 20M / 50k, capped to 1M); probes issued: \(probes) (start-up only)")
    }

    @Test func remBoundsTwccEstimate() {
        let sim = NetworkSimulator(estimator: BandwidthEstimator(), demand: 1_650_000, link: { _ in 3_000_000 })
        sim.run(until: 3_000_000)
        sim.withEstimator { $0.handleReceiverEstimate(bitsPerSecond: 700_000, now: 3_000_000) }
        #expect(sim.estimator.estimate == 700_000)
        sim.run(until: 8_000_000)
        #expect(sim.estimator.estimate <= 700_000)
    }
}
