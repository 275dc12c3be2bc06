import Testing

@testable import MediaCore

/// The allocator spends an estimate: audio first, video from the lowest layer up round the
/// streams, a pause when not even a lowest layer fits, a manual ceiling respected, and upgrades
/// that need headroom while keeping what one has does not.
@Suite struct BandwidthAllocatorTests {
    typealias Stream = BandwidthAllocator.Stream
    static let simulcast = [150_000, 500_000, 1_500_000, 0]
    static let audio = Stream(isVideo: false, layerRates: [40_000, 0, 0, 0])

    func video(current: Int? = nil, ceiling: Int? = nil, priority: Int = 0, rates: [Int] = simulcast) -> Stream {
        Stream(isVideo: true, layerRates: rates, ceiling: ceiling, current: current, priority: priority)
    }

    @Test func everythingFitsOnAWideLink() {
        let (decisions, total) = BandwidthAllocator.allocate([Self.audio, video(), video()], estimate: 10_000_000)
        #expect(decisions == [.layer(0), .layer(2), .layer(2)])
        #expect(total == 40_000 + 3_000_000)
    }

    @Test func layersGoUpRoundTheStreamsNotOneStreamFirst() {
        // 1.2 Mbit/s: both get their middle layer rather than one the top and the other nothing.
        let (decisions, _) = BandwidthAllocator.allocate([Self.audio, video(), video()], estimate: 1_200_000)
        #expect(decisions == [.layer(0), .layer(1), .layer(1)])
    }

    @Test func priorityDecidesWhoGoesFirst() {
        let (decisions, _) = BandwidthAllocator.allocate([video(), video(priority: 1)], estimate: 2_300_000)
        #expect(decisions == [.layer(1), .layer(2)])
    }

    @Test func aStreamWhoseLowestLayerDoesNotFitPausesAndAudioStays() {
        let (decisions, total) = BandwidthAllocator.allocate([Self.audio, video(), video()], estimate: 300_000)
        #expect(decisions == [.layer(0), .layer(0), .paused])
        #expect(total == 190_000)
        let nothing = BandwidthAllocator.allocate([Self.audio, video()], estimate: 100_000)
        #expect(nothing.decisions == [.layer(0), .paused])
    }

    @Test func theManualChoiceIsACeiling() {
        let (decisions, _) = BandwidthAllocator.allocate([video(ceiling: 1), video(ceiling: 0)], estimate: 10_000_000)
        #expect(decisions == [.layer(1), .layer(0)])
        #expect(BandwidthAllocator.demand([video(ceiling: 1), video(ceiling: 0)]) == 650_000)
    }

    @Test func layersNotBeingSentAreSkipped() {
        // The publisher dropped its top layer (its own estimate): the middle one is the top.
        let (decisions, _) = BandwidthAllocator.allocate([video(rates: [150_000, 500_000, 0, 0])], estimate: 10_000_000)
        #expect(decisions == [.layer(1)])
        // A single-encoding source is sent or paused.
        let single = BandwidthAllocator.allocate([video(rates: [800_000, 0, 0, 0])], estimate: 700_000)
        #expect(single.decisions == [.paused])
    }

    @Test func upgradingNeedsHeadroomKeepingDoesNot() {
        // 520 kbit/s: the middle layer (500) fits, but a step up from the bottom needs 15 % more
        // than its 350 kbit/s price; one already on it keeps it.
        let up = BandwidthAllocator.allocate([video(current: 0)], estimate: 520_000)
        #expect(up.decisions == [.layer(0)])
        let kept = BandwidthAllocator.allocate([video(current: 1)], estimate: 520_000)
        #expect(kept.decisions == [.layer(1)])
        // Resuming a paused stream needs the headroom too.
        let paused = BandwidthAllocator.allocate([video(current: nil)], estimate: 160_000)
        #expect(paused.decisions == [.paused])
        let running = BandwidthAllocator.allocate([video(current: 0)], estimate: 160_000)
        #expect(running.decisions == [.layer(0)])
    }

    @Test func oneStepUpClimbsLayerByLayer() {
        let wide = 10_000_000
        #expect(BandwidthAllocator.allocate([video(current: 0)], estimate: wide, oneStepUp: true).decisions == [.layer(1)])
        #expect(BandwidthAllocator.allocate([video(current: nil)], estimate: wide, oneStepUp: true).decisions == [.layer(0)])
        #expect(BandwidthAllocator.allocate([video(current: 2)], estimate: wide, oneStepUp: true).decisions == [.layer(2)])
        // Going down is not limited.
        #expect(BandwidthAllocator.allocate([video(current: 2)], estimate: 200_000, oneStepUp: true).decisions == [.layer(0)])
    }

    @Test func withoutPausingAVideoThatDoesNotFitKeepsItsLowestLayer() {
        let (decisions, _) = BandwidthAllocator.allocate([Self.audio, video()], estimate: 100_000, mayPause: false)
        #expect(decisions == [.layer(0), .layer(0)])
    }
}
