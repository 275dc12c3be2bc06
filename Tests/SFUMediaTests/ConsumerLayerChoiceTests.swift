import RTP
import SFUBase
import Testing

@testable import MediaCore
@testable import SFUMedia

/// The layer choice of a simulcast source on virtual time.
@Suite struct SimulcastLayerSelectorTests {
    static func at(_ milliseconds: UInt64) -> MonotonicInstant { MonotonicInstant(nanoseconds: milliseconds * 1_000_000) }
    static let ssrcs: [UInt32] = [11, 22, 33]

    @Test func startsOnTheHighestLayerSendingAndOnlyOnAPictureStart() {
        var selector = SimulcastLayerSelector(layerCount: 3)
        // The low layer's keyframe comes first: it is forwarded (nothing higher is known yet).
        #expect(selector.packetArrived(layer: 0, ssrc: 11, startsPicture: true, now: Self.at(0)) == .forward(switched: true))
        // The high layer appears mid-picture: not forwarded, a keyframe is asked of it once.
        #expect(selector.packetArrived(layer: 2, ssrc: 33, startsPicture: false, now: Self.at(1))
                == .dropAndRequestKeyframe(ssrc: 33))
        #expect(selector.packetArrived(layer: 2, ssrc: 33, startsPicture: false, now: Self.at(2)) == .drop)
        // Meanwhile the current layer keeps flowing, the middle one is ignored.
        #expect(selector.packetArrived(layer: 0, ssrc: 11, startsPicture: false, now: Self.at(3)) == .forward(switched: false))
        #expect(selector.packetArrived(layer: 1, ssrc: 22, startsPicture: true, now: Self.at(4)) == .drop)
        // The high layer's keyframe: switch.
        #expect(selector.packetArrived(layer: 2, ssrc: 33, startsPicture: true, now: Self.at(40)) == .forward(switched: true))
        #expect(selector.current == 2 && selector.currentSSRC == 33)
        #expect(selector.packetArrived(layer: 0, ssrc: 11, startsPicture: true, now: Self.at(41)) == .drop)
    }

    @Test func fallsBackWhenTheCurrentLayerStopsAndReturnsWhenItResumes() {
        var selector = SimulcastLayerSelector(layerCount: 3)
        var now: UInt64 = 0
        for layer in [0, 1, 2] { _ = selector.packetArrived(layer: layer, ssrc: Self.ssrcs[layer], startsPicture: true, now: Self.at(now)) }
        #expect(selector.current == 2)
        // Only the lower two keep sending; within the fallback (250 ms) nothing changes.
        now = 200
        #expect(selector.packetArrived(layer: 1, ssrc: 22, startsPicture: true, now: Self.at(now)) == .drop)
        // Past it, the middle layer is the target: a keyframe is asked of it, then it takes over.
        now = 260
        #expect(selector.packetArrived(layer: 0, ssrc: 11, startsPicture: false, now: Self.at(now)) == .drop)
        #expect(selector.packetArrived(layer: 1, ssrc: 22, startsPicture: false, now: Self.at(now + 1))
                == .dropAndRequestKeyframe(ssrc: 22))
        #expect(selector.packetArrived(layer: 1, ssrc: 22, startsPicture: true, now: Self.at(now + 30))
                == .forward(switched: true))
        #expect(selector.currentSSRC == 22)
        // The top layer returns with a keyframe: back to it.
        #expect(selector.packetArrived(layer: 2, ssrc: 33, startsPicture: true, now: Self.at(now + 500))
                == .forward(switched: true))
        #expect(selector.current == 2)
    }

    @Test func keyframeRequestsForATargetAreThrottled() {
        var selector = SimulcastLayerSelector(layerCount: 2)
        _ = selector.packetArrived(layer: 0, ssrc: 11, startsPicture: true, now: Self.at(0))
        var requests = 0
        for ms in stride(from: UInt64(1), through: 1000, by: 10) {
            if case .dropAndRequestKeyframe = selector.packetArrived(layer: 1, ssrc: 22, startsPicture: false, now: Self.at(ms)) {
                requests += 1
            }
        }
        #expect(requests == 4)  // at 1, 301, 601 and 901 ms
    }

    @Test func unknownLayersAreDropped() {
        var selector = SimulcastLayerSelector(layerCount: 2)
        #expect(selector.packetArrived(layer: 5, ssrc: 99, startsPicture: true, now: Self.at(0)) == .drop)
        #expect(selector.current == nil)
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

    @Test func leavesUntouchedWithoutASwitch() {
        var continuity = VP8PictureContinuity()
        var bytes = Self.payload(picture: 4321, tl0: 7, keyframe: false)
        let original = bytes
        bytes.withUnsafeMutableBytes { continuity.rewrite($0) }
        #expect(bytes == original)
    }
}
