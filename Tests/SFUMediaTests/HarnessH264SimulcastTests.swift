import RTP
import SFUBase
import Testing
import WebRTCPeer

@testable import MediaCore
@testable import SFUMedia

/// H.264 simulcast (three rid layers, as Chromium sends with `sendEncodings`): the layer choice
/// recognises H.264 pictures by their IDR (or SPS) NAL units — single NAL, STAP-A, FU-A — so a
/// subscriber starts on the top layer and moves to a lower one on that layer's IDR, without a
/// numbering gap.
@Suite struct HarnessH264SimulcastTests {
    static let layerSSRCs = SimulcastStreams.layerSSRCs
    static let subscriberSSRC = SimulcastStreams.subscriberSSRC

    /// One packet of each layer per call: an IDR when the layer starts or the server asked for a
    /// keyframe (as a STAP-A of SPS + IDR for layer 0, a single IDR NAL otherwise), else a slice.
    final class H264Source: @unchecked Sendable {
        let peer: HarnessPeer
        var streams: [SyntheticStream] = []
        var answered = [0, 0, 0]
        var started = [false, false, false]

        init(peer: HarnessPeer) {
            self.peer = peer
            for layer in 0..<3 {
                let first = UInt16(2000 * (layer + 1))
                streams.append(SyntheticStream(ssrc: HarnessH264SimulcastTests.layerSSRCs[layer], payloadType: 102,
                                               isVideo: true, firstSequenceNumber: first))
            }
        }

        func frame() {
            for layer in 0..<3 {
                let plis = peer.pictureLossIndications(mediaSSRC: HarnessH264SimulcastTests.layerSSRCs[layer])
                let keyframe = plis > answered[layer] || !started[layer]
                answered[layer] = plis
                started[layer] = true
                var packet = streams[layer].next()
                let tail = Array(packet.payload.suffix(6))  // SSRC and number: matches a copy to its original
                if keyframe {
                    packet.payload = layer == 0 ? [0x18, 0x00, 0x02, 0x67, 0x42, 0x00, 0x02, 0x65, 0x88] : [0x65, 0x88, 0x84]
                } else {
                    packet.payload = [0x41, 0x9A, 0x02]
                }
                packet.payload += tail
                packet.extensions = [(id: 9, value: Array("v".utf8)), (id: 10, value: Array(SimulcastStreams.rids[layer].utf8))]
                peer.peer.sendRTP(packet)
            }
        }
    }

    static func isIDR(_ payload: [UInt8]) -> Bool {
        payload.withUnsafeBytes { H264Payload.isKeyframe(payload: $0) }
    }

    @Test func aSubscriberStartsOnTheTopLayerAndSwitchesDownOnAnIDR() throws {
        let network = try InMemoryNetwork(seed: 17)
        var publisherStreams = SimulcastStreams.publisherStreams()
        publisherStreams[0].payloadType = 102
        publisherStreams[0].codecName = "h264"
        let publisher = try network.addPeer(room: SimulcastStreams.room, streams: publisherStreams, midExtensionID: 9)
        var subscriberStreams = SimulcastStreams.subscriberStreams()
        subscriberStreams[0].payloadType = 102
        subscriberStreams[0].codecName = "h264"
        let subscriber = try network.addPeer(room: SimulcastStreams.room, streams: subscriberStreams)
        #expect(network.connectAll())
        let source = SourceKey(publisher: publisher.allocation.id, mid: "v")
        network.engine.bindSubscriber(subscriber.allocation, bindings: [SubscriberBinding(mid: "1", source: source)])
        let h264 = H264Source(peer: publisher)
        network.every(milliseconds: 10) { _ in h264.frame() }

        network.run(milliseconds: 1_000)
        let top = subscriber.received(ssrc: Self.subscriberSSRC)
        #expect(top.count > 80)
        #expect(Set(top.compactMap(EngineRoomTests.originalSSRC)) == [Self.layerSSRCs[2]])
        #expect(top.first.map { Self.isIDR($0.payload) } == true, "it starts on an IDR")

        network.engine.bindSubscriber(subscriber.allocation, bindings: [SubscriberBinding(mid: "1", source: source, substream: 0)])
        network.run(milliseconds: 1_000)
        let all = subscriber.received(ssrc: Self.subscriberSSRC)
        let after = all.dropFirst(top.count)
        let firstLow = try #require(after.first { EngineRoomTests.originalSSRC($0) == Self.layerSSRCs[0] })
        #expect(Self.isIDR(firstLow.payload), "the switch is on the low layer's IDR (a STAP-A with SPS and IDR)")
        #expect(after.suffix(50).allSatisfy { EngineRoomTests.originalSSRC($0) == Self.layerSSRCs[0] })
        #expect(all.hasContinuousSequenceNumbers, "no numbering gap across the switch")
    }
}
