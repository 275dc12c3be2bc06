import RTP
import SFUBase
import Testing
import WebRTCPeer

@testable import MediaCore
@testable import SFUMedia

/// A simulcast publisher (three rid layers on one m-line, as janus.js `simulcast: true` sends
/// them) on the in-memory network: one layer reaches the subscriber; when the top layer stops
/// the middle one takes over on a keyframe without a gap in the subscriber's stream, and the top
/// one returns when it comes back. Deterministic: virtual time, no sockets.
@Suite struct HarnessSimulcastTests {
    static let room = SimulcastStreams.room
    static let layerSSRCs = SimulcastStreams.layerSSRCs
    static let subscriberSSRC = SimulcastStreams.subscriberSSRC

    /// Sends one packet of each layer in `layers` per call, each a keyframe when it is the layer's
    /// first packet or the server asked for one.
    final class LayeredSource: @unchecked Sendable {
        let peer: HarnessPeer
        var streams: [SyntheticStream]
        var answered = [0, 0, 0]
        var started = [false, false, false]
        var layers = [0, 1, 2]

        init(peer: HarnessPeer) {
            self.peer = peer
            streams = []
            for layer in 0..<3 {
                let first = UInt16(1000 * (layer + 1))
                let timestamp = UInt32(7_000_000 * (layer + 1))
                streams.append(SyntheticStream(ssrc: HarnessSimulcastTests.layerSSRCs[layer], payloadType: 96,
                                               isVideo: true, firstSequenceNumber: first, firstTimestamp: timestamp))
            }
        }

        func frame() {
            for layer in layers {
                let plis = peer.pictureLossIndications(mediaSSRC: HarnessSimulcastTests.layerSSRCs[layer])
                let keyframe = plis > answered[layer] || !started[layer]
                answered[layer] = plis
                started[layer] = true
                streams[layer].extensions = [(id: 9, value: Array("v".utf8)), (id: 10, value: Array(SimulcastStreams.rids[layer].utf8))]
                peer.peer.sendRTP(streams[layer].next(keyframe: keyframe))
            }
        }
    }

    @Test func subscriberGetsTheTopLayerAndFallsBackWithoutASequenceGap() throws {
        let network = try InMemoryNetwork(seed: 5)
        let (_, subscriber, source) = try network.simulcastPublisherAndSubscriber()

        network.run(milliseconds: 1_000)
        let whileAll = subscriber.received(ssrc: Self.subscriberSSRC)
        let firstTop = try #require(whileAll.firstIndex { EngineRoomTests.originalSSRC($0) == Self.layerSSRCs[2] })
        #expect(Set(whileAll[firstTop...].compactMap(EngineRoomTests.originalSSRC)) == [Self.layerSSRCs[2]])
        // It starts within a few frames: the keyframe asked of the forwarded layer is not held back
        // by the throttle of one asked of another layer (the first packet's) just before.
        #expect(firstTop == 0 && whileAll.count > 95, "\(whileAll.count) packets, first top one at \(firstTop)")

        // The top layer stops: after the 250 ms fallback the middle one takes over on a keyframe.
        source.layers = [0, 1]
        network.run(milliseconds: 1_000)
        let all = subscriber.received(ssrc: Self.subscriberSSRC)
        let fromMiddle = all.dropFirst(whileAll.count).filter { EngineRoomTests.originalSSRC($0) == Self.layerSSRCs[1] }
        #expect(fromMiddle.count > 60, "the middle layer took over")
        #expect(fromMiddle.first.map { SyntheticStream.isKeyframe($0.payload) } == true, "the switch is on a keyframe")
        let gap = try #require(fromMiddle.first).receivedAt.nanoseconds - whileAll.last!.receivedAt.nanoseconds
        #expect(gap < 400_000_000, "switched within the fallback plus a keyframe's round trip: \(gap / 1_000_000) ms")
        #expect(!all[firstTop...].contains { EngineRoomTests.originalSSRC($0) == Self.layerSSRCs[0] })
        #expect(all.hasContinuousSequenceNumbers, "no sequence gap across the fallback")
        #expect(zip(all, all.dropFirst()).allSatisfy { Int32(bitPattern: $1.timestamp &- $0.timestamp) > 0 })

        // The top layer returns: forwarding goes back to it, again without a gap.
        source.layers = [0, 1, 2]
        let before = all.count
        network.run(milliseconds: 1_000)
        let resumed = subscriber.received(ssrc: Self.subscriberSSRC)
        #expect(resumed.dropFirst(before).suffix(50).allSatisfy { EngineRoomTests.originalSSRC($0) == Self.layerSSRCs[2] })
        #expect(resumed.hasContinuousSequenceNumbers)
    }

    /// Two subscribers of one simulcast source choose their own layers: one the top, one capped
    /// at the lowest (Janus `substream: 0`), one on the publisher's worker and one on the other.
    /// Raising the cap moves that subscriber to the middle layer on a keyframe of it, without a
    /// sequence gap, and the other subscriber does not notice.
    @Test func eachSubscriberForwardsItsOwnLayer() throws {
        let network = try InMemoryNetwork(seed: 11)
        let publisher = try network.addPeer(
            room: Self.room, streams: SimulcastStreams.publisherStreams(), settings: PublisherSettings(), midExtensionID: 9)
        let top = try network.addPeer(room: Self.room, streams: SimulcastStreams.subscriberStreams())
        let lowSSRC: UInt32 = 0x5C00_0002
        let low = try network.addPeer(room: Self.room, streams: SimulcastStreams.subscriberStreams(localSSRC: lowSSRC))
        #expect(network.connectAll())
        #expect(top.allocation.workerIndex != low.allocation.workerIndex, "one local, one cross-worker consumer")
        let source = SourceKey(publisher: publisher.allocation.id, mid: "v")
        network.engine.bindSubscriber(top.allocation, bindings: [SubscriberBinding(mid: "1", source: source)])
        network.engine.bindSubscriber(low.allocation, bindings: [SubscriberBinding(mid: "1", source: source, substream: 0)])
        let layered = LayeredSource(peer: publisher)
        network.every(milliseconds: 10) { _ in layered.frame() }

        network.run(milliseconds: 1_000)
        let atTop = top.received(ssrc: Self.subscriberSSRC)
        let atLow = low.received(ssrc: lowSSRC)
        #expect(atTop.count > 90 && atLow.count > 90, "\(atTop.count) and \(atLow.count) packets")
        #expect(Set(atTop.compactMap(EngineRoomTests.originalSSRC)) == [Self.layerSSRCs[2]])
        #expect(Set(atLow.compactMap(EngineRoomTests.originalSSRC)) == [Self.layerSSRCs[0]])

        let plisBefore = publisher.pictureLossIndications(mediaSSRC: Self.layerSSRCs[1])
        network.engine.bindSubscriber(low.allocation, bindings: [SubscriberBinding(mid: "1", source: source, substream: 1)])
        network.run(milliseconds: 1_000)
        #expect(publisher.pictureLossIndications(mediaSSRC: Self.layerSSRCs[1]) > plisBefore, "a keyframe asked of the middle layer")
        let lowAfter = low.received(ssrc: lowSSRC)
        let switched = lowAfter.dropFirst(atLow.count)
        #expect(switched.suffix(50).allSatisfy { EngineRoomTests.originalSSRC($0) == Self.layerSSRCs[1] })
        let firstMiddle = try #require(switched.first { EngineRoomTests.originalSSRC($0) == Self.layerSSRCs[1] })
        #expect(SyntheticStream.isKeyframe(firstMiddle.payload), "the switch is on a keyframe")
        #expect(lowAfter.hasContinuousSequenceNumbers, "no sequence gap across the switch")
        #expect(zip(lowAfter, lowAfter.dropFirst()).allSatisfy { Int32(bitPattern: $1.timestamp &- $0.timestamp) > 0 })
        let topAfter = top.received(ssrc: Self.subscriberSSRC)
        #expect(Set(topAfter.compactMap(EngineRoomTests.originalSSRC)) == [Self.layerSSRCs[2]])
        #expect(topAfter.hasContinuousSequenceNumbers)
        // Each layer a consumer starts forwarding is reported once (Janus `substream` events).
        let layerEvents = { (peer: HarnessPeer) in
            peer.serverEvents.all.compactMap { event -> Int? in
                if case .layerChanged(mid: "1", let substream) = event { return substream }
                return nil
            }
        }
        #expect(layerEvents(top) == [2])
        #expect(layerEvents(low) == [0, 1])
    }
}
