import Foundation
import ICE
import RTP
import Testing
import WebRTCPeer

@testable import SFUMedia

/// A simulcast publisher (three rid layers on one m-line, as janus.js `simulcast: true` sends
/// them) feeding a subscriber through the MediaEngine: one layer reaches the subscriber, and
/// when the top layer stops the next one takes over without a gap in the subscriber's stream.
@Suite(.serialized) struct EngineSimulcastTests {
    static let room = RoomKey(77)
    static let ridURI = "urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id"
    /// rids as the SDP lists them lowest first; SSRCs per layer (low, mid, high).
    static let rids = ["l", "m", "h"]
    static let layerSSRCs: [UInt32] = [0xC100_0001, 0xC100_0002, 0xC100_0003]
    static let subscriberSSRC: UInt32 = 0x5C00_0001

    static func publisherStreams() -> [StreamSetup] {
        var video = StreamSetup(
            mid: "v", kind: .video, payloadType: 96, clockRate: 90_000, remoteSSRCs: [], localSSRC: 0xDD00_0001,
            receives: true, sends: false,
            extensions: [StreamExtension(id: 9, uri: EngineTest.midURI), StreamExtension(id: 10, uri: ridURI)],
            codecName: "vp8")
        video.simulcastRIDs = rids
        return [video]
    }

    static func subscriberStreams() -> [StreamSetup] {
        [StreamSetup(mid: "1", kind: .video, payloadType: 100, clockRate: 90_000, remoteSSRCs: [],
                     localSSRC: subscriberSSRC, receives: false, sends: true,
                     extensions: [StreamExtension(id: 4, uri: EngineTest.midURI)], codecName: "vp8")]
    }

    /// Sends one packet of each layer in `layers` every 10 ms, at least `rounds` times and for at
    /// least `seconds` (a loaded machine may sleep longer), each a keyframe when it is the layer's
    /// first packet or the server asked for one (a PLI naming its SSRC).
    static func stream(_ layers: [Int], from peer: ConnectedPeer, streams: inout [SyntheticStream],
                       answered: inout [Int], rounds: Int = 100, seconds: Double) async {
        let end = Date().addingTimeInterval(seconds)
        var sent = 0
        while sent < rounds || Date() < end {
            sent += 1
            let record = peer.driver.snapshot
            for layer in layers {
                let plis = record.pictureLossIndications(mediaSSRC: layerSSRCs[layer])
                let keyframe = plis > answered[layer] || streams[layer].sequenceNumber == UInt16(1000 * (layer + 1))
                answered[layer] = plis
                streams[layer].extensions = [(id: 9, value: Array("v".utf8)), (id: 10, value: Array(rids[layer].utf8))]
                let packet = streams[layer].next(keyframe: keyframe)
                peer.driver.withPeer { _ = $0.sendRTP(packet) }
            }
            try? await Task.sleep(nanoseconds: 10_000_000)
        }
    }

    @Test func subscriberGetsTheTopLayerAndFallsBackWithoutASequenceGap() async throws {
        let engine = try EngineTest.makeEngine()
        defer { engine.shutdown() }
        let publisher = try ConnectedPeer(
            engine: engine, room: Self.room, streams: Self.publisherStreams(), behaviour: .publisher(PublisherSettings()),
            midExtensionID: 9)
        let subscriber = try ConnectedPeer(
            engine: engine, room: Self.room, streams: Self.subscriberStreams(), behaviour: .subscriber)
        defer {
            publisher.driver.stop()
            subscriber.driver.stop()
        }
        #expect(await publisher.waitConnected())
        #expect(await subscriber.waitConnected())
        engine.bindSubscriber(
            subscriber.allocation,
            bindings: [SubscriberBinding(mid: "1", source: SourceKey(publisher: publisher.allocation.id, mid: "v"), send: true)])

        var streams: [SyntheticStream] = []
        for layer in 0..<3 {
            let first = UInt16(1000 * (layer + 1))
            let timestamp = UInt32(7_000_000 * (layer + 1))
            streams.append(SyntheticStream(ssrc: Self.layerSSRCs[layer], payloadType: 96, isVideo: true,
                                           firstSequenceNumber: first, firstTimestamp: timestamp))
        }
        var answered = [0, 0, 0]
        // All three layers: only the top one is forwarded.
        await Self.stream([0, 1, 2], from: publisher, streams: &streams, answered: &answered, seconds: 1.0)
        // The first keyframe to arrive may start a lower layer for a few milliseconds; from the
        // top layer's first keyframe on, only the top layer is forwarded.
        let whileAll = subscriber.received(ssrc: Self.subscriberSSRC)
        let firstTop = try #require(whileAll.firstIndex { EngineRoomTests.originalSSRC($0) == Self.layerSSRCs[2] })
        let sources = Set(whileAll[firstTop...].compactMap(EngineRoomTests.originalSSRC))
        #expect(sources == [Self.layerSSRCs[2]], "only the top layer is forwarded while all three are sent")
        #expect(whileAll.count - firstTop > 30)

        // The top layer stops: after the fallback the middle one takes over on a keyframe.
        await Self.stream([0, 1], from: publisher, streams: &streams, answered: &answered, seconds: 1.2)
        let all = subscriber.received(ssrc: Self.subscriberSSRC)
        let fromMiddle = all.filter { EngineRoomTests.originalSSRC($0) == Self.layerSSRCs[1] }
        #expect(fromMiddle.count > 30, "the middle layer took over")
        #expect(!all[firstTop...].contains { EngineRoomTests.originalSSRC($0) == Self.layerSSRCs[0] },
                "the lowest layer never, while a higher one is sent")
        #expect(fromMiddle.first.map { SyntheticStream.isKeyframe($0.payload) } == true, "the switch is on a keyframe")
        #expect(publisher.driver.snapshot.pictureLossIndications(mediaSSRC: Self.layerSSRCs[1]) >= 1,
                "a keyframe was asked of the new layer")
        #expect(all.hasContinuousSequenceNumbers, "no sequence gap across the fallback")
        #expect(zip(all, all.dropFirst()).allSatisfy { Int32(bitPattern: $1.timestamp &- $0.timestamp) > 0 },
                "timestamps keep moving forward across the fallback")

        // The top layer comes back: forwarding returns to it, again without a gap.
        let before = all.count
        await Self.stream([0, 1, 2], from: publisher, streams: &streams, answered: &answered, seconds: 1.0)
        let resumed = subscriber.received(ssrc: Self.subscriberSSRC)
        #expect(resumed.dropFirst(before).suffix(20).allSatisfy { EngineRoomTests.originalSSRC($0) == Self.layerSSRCs[2] })
        #expect(resumed.hasContinuousSequenceNumbers)
    }
}
