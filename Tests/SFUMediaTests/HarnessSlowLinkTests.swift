import RTP
import SFUBase
import Testing
import WebRTCPeer

@testable import MediaCore
@testable import SFUMedia

/// Slow-link reports (Janus `slowlink`, threshold 4 lost packets a second by default) on the
/// in-memory network: none on clean links; `uplink: false` for losses on what a publisher sends
/// us, `uplink: true` for losses a subscriber reports (NACKs) on what we send it.
@Suite struct HarnessSlowLinkTests {
    static func slowLinks(_ log: TransportEventLog) -> [(mid: String, uplink: Bool, lost: Int)] {
        log.all.compactMap { event in
            if case .slowLink(let mid, _, let uplink, let lost) = event { (mid, uplink, lost) } else { nil }
        }
    }

    @Test func lossesReportSlowLinksInBothDirections() throws {
        let (network, publisher, subscribers) = try HarnessForwardingTests.makeRoom(seed: 21, subscribers: 1)
        let subscriber = subscribers[0]
        network.run(milliseconds: 3_000)
        #expect(Self.slowLinks(publisher.peer.serverEvents).isEmpty, "clean links are not slow")
        #expect(Self.slowLinks(subscriber.serverEvents).isEmpty)

        // 25 % of what the publisher sends (≈ 100 packets a second) is lost on the way in.
        network.setUplink(LinkConditions(delayMilliseconds: 10, lossPercent: 25), from: publisher.peer)
        // The subscriber NACKs two packets of its video every 50 ms (40 a second).
        network.every(milliseconds: 50) { _ in
            guard let last = subscriber.received(ssrc: HarnessForwardingTests.videoSSRC(0)).last else { return }
            subscriber.peer.sendNACK(
                senderSSRC: 1, mediaSSRC: HarnessForwardingTests.videoSSRC(0),
                lost: [last.sequenceNumber &- 1, last.sequenceNumber &- 2])
        }
        network.run(milliseconds: 3_000)
        let inbound = Self.slowLinks(publisher.peer.serverEvents)
        #expect(!inbound.isEmpty && inbound.allSatisfy { !$0.uplink && $0.lost >= 4 }, "\(inbound)")
        #expect(Set(inbound.map(\.mid)) == ["a", "v"], "audio and video both lose")
        let outbound = Self.slowLinks(subscriber.serverEvents)
        #expect(!outbound.isEmpty && outbound.allSatisfy { $0.uplink && $0.mid == EngineRoomTests.subscriberMids(0).video })
        #expect(outbound.allSatisfy { (30...50).contains($0.lost) }, "≈ 40 NACKed a second: \(outbound)")
    }

    @Test func aZeroThresholdTurnsReportsOff() throws {
        let network = try InMemoryNetwork(seed: 4, slowLinkThreshold: 0)
        let peer = try network.addPeer(
            room: RoomKey(1), streams: EngineRoomTests.publisherStreams(audioSSRC: 0xA1, videoSSRC: 0xB1),
            settings: PublisherSettings(), midExtensionID: 9)
        #expect(network.connectAll())
        network.setUplink(LinkConditions(lossPercent: 50), from: peer)
        let source = HarnessPublisher(peer: peer, audioSSRC: 0xA1, videoSSRC: 0xB1)
        network.every(milliseconds: 20) { _ in source.frame() }
        network.run(milliseconds: 3_000)
        #expect(Self.slowLinks(peer.serverEvents).isEmpty)
    }
}
