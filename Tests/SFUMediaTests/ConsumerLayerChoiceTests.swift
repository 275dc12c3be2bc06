import RTP
import SFUBase
import Testing

@testable import MediaCore
@testable import SFUMedia

/// One consumer's choice among a simulcast source's layers, on virtual time. `live` is the
/// producer's view of which layers send (bit per layer).
@Suite struct ConsumerLayerChoiceTests {
    static func at(_ milliseconds: UInt64) -> MonotonicInstant { MonotonicInstant(nanoseconds: milliseconds * 1_000_000) }
    static let all: UInt8 = 0b111

    @Test func startsOnTheHighestLayerSendingAndOnlyOnAPictureStart() {
        var choice = ConsumerLayerChoice(layerCount: 3)
        // Every layer sends: the low layer's keyframe is not the target, the top layer is.
        #expect(choice.packetArrived(layer: 0, liveLayers: Self.all, startsPicture: true, now: Self.at(0)) == .drop)
        // The top layer mid-picture: not forwarded, a keyframe is asked of it once.
        #expect(choice.packetArrived(layer: 2, liveLayers: Self.all, startsPicture: false, now: Self.at(1))
                == .dropAndRequestKeyframe)
        #expect(choice.packetArrived(layer: 2, liveLayers: Self.all, startsPicture: false, now: Self.at(2)) == .drop)
        #expect(choice.packetArrived(layer: 1, liveLayers: Self.all, startsPicture: true, now: Self.at(4)) == .drop)
        // The top layer's keyframe: it starts there.
        #expect(choice.packetArrived(layer: 2, liveLayers: Self.all, startsPicture: true, now: Self.at(40)) == .forward(switched: true))
        #expect(choice.current == 2)
        #expect(choice.packetArrived(layer: 0, liveLayers: Self.all, startsPicture: true, now: Self.at(41)) == .drop)
        #expect(choice.packetArrived(layer: 2, liveLayers: Self.all, startsPicture: false, now: Self.at(42)) == .forward(switched: false))
    }

    @Test func fallsBackWhenTheCurrentLayerStopsAndReturnsWhenItResumes() {
        var choice = ConsumerLayerChoice(layerCount: 3)
        _ = choice.packetArrived(layer: 2, liveLayers: Self.all, startsPicture: true, now: Self.at(0))
        #expect(choice.current == 2)
        // The producer no longer counts the top layer as sending: the middle one is the target;
        // the current layer stays until the target's keyframe.
        let lowerTwo: UInt8 = 0b011
        #expect(choice.packetArrived(layer: 0, liveLayers: lowerTwo, startsPicture: false, now: Self.at(300)) == .drop)
        #expect(choice.packetArrived(layer: 1, liveLayers: lowerTwo, startsPicture: false, now: Self.at(301))
                == .dropAndRequestKeyframe)
        #expect(choice.packetArrived(layer: 1, liveLayers: lowerTwo, startsPicture: true, now: Self.at(330)) == .forward(switched: true))
        #expect(choice.current == 1)
        // The top layer returns with a keyframe: back to it.
        #expect(choice.packetArrived(layer: 2, liveLayers: Self.all, startsPicture: true, now: Self.at(800)) == .forward(switched: true))
        #expect(choice.current == 2)
    }

    @Test func aCeilingCapsTheLayerAndABelowEverythingCeilingTakesTheLowest() {
        var capped = ConsumerLayerChoice(layerCount: 3, ceiling: 1)
        #expect(capped.targetLayer(liveLayers: Self.all) == 1)
        #expect(capped.packetArrived(layer: 2, liveLayers: Self.all, startsPicture: true, now: Self.at(0)) == .drop)
        #expect(capped.packetArrived(layer: 1, liveLayers: Self.all, startsPicture: true, now: Self.at(1)) == .forward(switched: true))
        // Only the top layer sends: a picture is better than none.
        #expect(capped.targetLayer(liveLayers: 0b100) == 2)
        #expect(ConsumerLayerChoice(layerCount: 3, ceiling: 0).targetLayer(liveLayers: 0b110) == 1)
        #expect(ConsumerLayerChoice(layerCount: 3).targetLayer(liveLayers: 0) == nil)
        // Lowering the ceiling while forwarding the top: the top goes on until the lower keyframe.
        var lowered = ConsumerLayerChoice(layerCount: 3)
        _ = lowered.packetArrived(layer: 2, liveLayers: Self.all, startsPicture: true, now: Self.at(0))
        lowered.ceiling = 0
        #expect(lowered.packetArrived(layer: 2, liveLayers: Self.all, startsPicture: false, now: Self.at(1)) == .forward(switched: false))
        #expect(lowered.packetArrived(layer: 0, liveLayers: Self.all, startsPicture: true, now: Self.at(2)) == .forward(switched: true))
        #expect(lowered.packetArrived(layer: 2, liveLayers: Self.all, startsPicture: true, now: Self.at(3)) == .drop)
    }

    @Test func keyframeRequestsForATargetAreThrottled() {
        var choice = ConsumerLayerChoice(layerCount: 2)
        var requests = 0
        for ms in stride(from: UInt64(1), through: 1000, by: 10) {
            if case .dropAndRequestKeyframe = choice.packetArrived(layer: 1, liveLayers: 0b11, startsPicture: false, now: Self.at(ms)) {
                requests += 1
            }
        }
        #expect(requests == 4)  // at 1, 301, 601 and 901 ms
    }

    @Test func unknownLayersAreDropped() {
        var choice = ConsumerLayerChoice(layerCount: 2)
        #expect(choice.packetArrived(layer: 5, liveLayers: 0b11, startsPicture: true, now: Self.at(0)) == .drop)
        #expect(choice.current == nil)
    }
}

/// VP8 picture ids and TL0PICIDX stay continuous across a change of source encoding.
@Suite struct VP8PictureContinuityTests {
    /// X=1, S=1 (PID 0); I, L, T present; 15-bit picture id; then a payload header byte.
    static func payload(picture: UInt16, tl0: UInt8, keyframe: Bool) -> [UInt8] {
        [0x90, 0xE0, 0x80 | UInt8(picture >> 8), UInt8(picture & 0xFF), tl0, 0x20, keyframe ? 0x00 : 0x01, 0x9D]
    }

    static func read(_ bytes: [UInt8]) -> (picture: UInt16?, tl0: UInt8?) {
        bytes.withUnsafeBytes { raw in
            let descriptor = VP8PayloadDescriptor(payload: raw)
            return (descriptor?.pictureID, descriptor?.tl0PictureIndex)
        }
    }

    @Test func continuesNumberingAfterASwitch() {
        var continuity = VP8PictureContinuity()
        var outputs: [(UInt16?, UInt8?)] = []
        func feed(_ bytes: [UInt8]) {
            var copy = bytes
            copy.withUnsafeMutableBytes { continuity.rewrite($0) }
            outputs.append(Self.read(copy))
        }
        feed(Self.payload(picture: 0x7FFE, tl0: 250, keyframe: true))
        feed(Self.payload(picture: 0x7FFF, tl0: 251, keyframe: false))
        continuity.sourceChanged()
        feed(Self.payload(picture: 1200, tl0: 9, keyframe: true))
        feed(Self.payload(picture: 1201, tl0: 10, keyframe: false))
        #expect(outputs.map(\.0) == [0x7FFE, 0x7FFF, 0, 1], "15-bit picture ids wrap and continue")
        #expect(outputs.map(\.1) == [250, 251, 252, 253])
    }

    @Test func aRetransmissionGetsTheCurrentOffsetsWithoutMovingThem() {
        var continuity = VP8PictureContinuity()
        var first = Self.payload(picture: 500, tl0: 5, keyframe: true)
        first.withUnsafeMutableBytes { continuity.rewrite($0) }
        continuity.sourceChanged()
        var switched = Self.payload(picture: 9000, tl0: 90, keyframe: true)
        switched.withUnsafeMutableBytes { continuity.rewrite($0) }
        #expect(Self.read(switched).picture == 501)
        // An older packet of the new layer sent again: the same offset, and the next packet
        // still follows the last one sent for the first time.
        var resent = Self.payload(picture: 8999, tl0: 89, keyframe: false)
        resent.withUnsafeMutableBytes { continuity.apply(to: $0) }
        #expect(Self.read(resent).picture == 500)
        var next = Self.payload(picture: 9001, tl0: 91, keyframe: false)
        next.withUnsafeMutableBytes { continuity.rewrite($0) }
        #expect(Self.read(next).picture == 502)
    }

    @Test func leavesUntouchedWithoutASwitch() {
        var continuity = VP8PictureContinuity()
        var bytes = Self.payload(picture: 4321, tl0: 7, keyframe: false)
        let original = bytes
        bytes.withUnsafeMutableBytes { continuity.rewrite($0) }
        #expect(bytes == original)
    }

    /// Janus `fallback`: with its own value a consumer keeps its own view of which layers send
    /// (the producer's 250 ms one is ignored): a top layer silent for 600 ms of a 1 s fallback
    /// is still the target; after more than a second the middle one is.
    @Test func aConsumersOwnFallbackDecidesWhenALayerCountsAsStopped() {
        var choice = ConsumerLayerChoice(layerCount: 3)
        choice.fallbackNanoseconds = 1_000_000_000
        #expect(choice.packetArrived(layer: 2, liveLayers: ConsumerLayerChoiceTests.all, startsPicture: true, now: ConsumerLayerChoiceTests.at(0)) == .forward(switched: true))
        _ = choice.packetArrived(layer: 1, liveLayers: ConsumerLayerChoiceTests.all, startsPicture: false, now: ConsumerLayerChoiceTests.at(1))
        // The producer says the top layer stopped; within the consumer's second it has not.
        let lowerTwo: UInt8 = 0b011
        #expect(choice.packetArrived(layer: 1, liveLayers: lowerTwo, startsPicture: true, now: ConsumerLayerChoiceTests.at(600)) == .drop)
        #expect(choice.current == 2)
        #expect(choice.packetArrived(layer: 1, liveLayers: lowerTwo, startsPicture: true, now: ConsumerLayerChoiceTests.at(1_100)) == .forward(switched: true))
        #expect(choice.current == 1)
    }
}
