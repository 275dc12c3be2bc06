import RTP
import SFUBase
import Testing
import WebRTCPeer

@testable import MediaCore
@testable import SFUMedia

/// Forwarding, NACK repair and bottlenecks on the in-memory network: the real media plane and
/// real client peers (ICE, DTLS, SRTP) on virtual time, with seeded loss and rate limits.
@Suite struct HarnessForwardingTests {
    static let room = RoomKey(5)

    /// A publisher (audio "a", video "v") and `subscribers` subscribers bound to it, connected.
    static func makeRoom(seed: UInt64, subscribers: Int = 2, answerNACKs: Bool = false,
                         conditions: LinkConditions = LinkConditions()) throws
        -> (InMemoryNetwork, HarnessPublisher, [HarnessPeer])
    {
        let network = try InMemoryNetwork(seed: seed, defaultConditions: conditions)
        let publisherPeer = try network.addPeer(
            room: room, streams: EngineRoomTests.publisherStreams(audioSSRC: 0xA1, videoSSRC: 0xB1),
            settings: PublisherSettings(), midExtensionID: 9, answerNACKs: answerNACKs)
        var subscriberPeers: [HarnessPeer] = []
        for index in 0..<subscribers {
            subscriberPeers.append(
                try network.addPeer(
                    room: room,
                    streams: EngineRoomTests.subscriberStreams(
                        index: index, audioSSRC: audioSSRC(index), videoSSRC: videoSSRC(index))))
        }
        guard network.connectAll() else { throw HarnessError.notConnected }
        for (index, subscriber) in subscriberPeers.enumerated() {
            let mids = EngineRoomTests.subscriberMids(index)
            let source = publisherPeer.allocation.id
            network.engine.bindSubscriber(
                subscriber.allocation,
                bindings: [
                    SubscriberBinding(mid: mids.audio, source: SourceKey(publisher: source, mid: "a")),
                    SubscriberBinding(mid: mids.video, source: SourceKey(publisher: source, mid: "v")),
                ])
        }
        let publisher = HarnessPublisher(peer: publisherPeer, audioSSRC: 0xA1, videoSSRC: 0xB1)
        network.every(milliseconds: 20) { _ in publisher.frame() }
        return (network, publisher, subscriberPeers)
    }

    static func audioSSRC(_ index: Int) -> UInt32 { 0x5A00_0000 + UInt32(index) }
    static func videoSSRC(_ index: Int) -> UInt32 { 0x5B00_0000 + UInt32(index) }

    enum HarnessError: Error { case notConnected }

    @Test func publisherReachesSubscribersOnBothWorkers() throws {
        let (network, publisher, subscribers) = try Self.makeRoom(seed: 1)
        #expect(Set(([publisher.peer] + subscribers).map(\.allocation.workerIndex)) == [0, 1], "spread over both workers")
        network.run(milliseconds: 2_000)
        for (index, subscriber) in subscribers.enumerated() {
            let video = subscriber.received(ssrc: Self.videoSSRC(index))
            let audio = subscriber.received(ssrc: Self.audioSSRC(index))
            #expect(video.count >= 95, "≈100 frames in 2 s, got \(video.count)")
            #expect(audio.count >= 95)
            #expect(video.first.map { SyntheticStream.isKeyframe($0.payload) } == true)
            #expect(video.hasContinuousSequenceNumbers && audio.hasContinuousSequenceNumbers)
            for packet in video {
                let original = try #require(EngineRoomTests.originalSequenceNumber(packet))
                #expect(publisher.sent[publisher.videoSSRC]?[original] == packet.payload)
            }
        }
    }

    @Test func uplinkLossIsRepairedByNACKsToThePublisher() throws {
        let (network, publisher, subscribers) = try Self.makeRoom(seed: 7, subscribers: 1, answerNACKs: true)
        network.setUplink(LinkConditions(delayMilliseconds: 10, lossPercent: 10), from: publisher.peer)
        network.run(milliseconds: 4_000)
        network.stopRepeating()
        network.run(milliseconds: 1_000)
        let nacked = publisher.peer.nackedSequenceNumbers(mediaSSRC: publisher.videoSSRC)
        #expect(nacked.count > 10, "the server asked for the lost packets")
        // The media plane's counters saw it (metrics: sfu_media_nacks_sent_total).
        #expect(network.engine.statistics.nacksSent >= nacked.count)
        // Every video packet the publisher sent after the subscriber started reached it once repaired.
        let video = subscribers[0].received(ssrc: Self.videoSSRC(0))
        let originals = Set(video.compactMap(EngineRoomTests.originalSequenceNumber))
        let first = try #require(video.first.flatMap(EngineRoomTests.originalSequenceNumber))
        let expected = (0..<publisher.videoPacketsSent).map { UInt16(20_000 + $0) }.filter { $0 >= first }
        let missing = expected.filter { !originals.contains($0) }
        #expect(Double(missing.count) <= 0.01 * Double(expected.count), "missing after repair: \(missing.count) of \(expected.count)")
    }

    @Test func downlinkLossIsRepairedFromTheRetransmissionBuffer() throws {
        let (network, _, subscribers) = try Self.makeRoom(seed: 11, subscribers: 1)
        let subscriber = subscribers[0]
        network.setDownlink(LinkConditions(delayMilliseconds: 10, lossPercent: 8), to: subscriber)
        // The subscriber NACKs every gap it sees, every 50 ms, as a browser does.
        var asked = Set<UInt16>()
        network.every(milliseconds: 50) { _ in
            let numbers = subscriber.received(ssrc: Self.videoSSRC(0)).map(\.sequenceNumber)
            guard let low = numbers.min(), let high = numbers.max(), high > low else { return }
            let have = Set(numbers)
            let lost = (low...high).filter { !have.contains($0) && !asked.contains($0) }
            guard !lost.isEmpty else { return }
            asked.formUnion(lost)
            subscriber.peer.sendNACK(senderSSRC: 1, mediaSSRC: Self.videoSSRC(0), lost: Array(lost.prefix(100)))
        }
        network.run(milliseconds: 4_000)
        let numbers = Set(subscriber.received(ssrc: Self.videoSSRC(0)).map(\.sequenceNumber))
        let low = try #require(numbers.min())
        let high = try #require(numbers.max())
        #expect(!asked.isEmpty)
        let statistics = network.engine.statistics
        // (The last NACK may still be on its way when the run ends.)
        #expect(statistics.nacksReceived > 0 && statistics.nacksReceived <= asked.count, "sfu_media_nacks_received_total")
        #expect(statistics.retransmissionsSent > 0, "sfu_media_retransmissions_total")
        #expect(statistics.bytesSent > 10_000 && statistics.bytesReceived > 10_000)
        let holes = (low...high).filter { !numbers.contains($0) }
        // Retransmissions can be lost too (8 %); a second NACK is not sent for them here.
        #expect(Double(holes.count) < 0.02 * Double(high - low), "holes after repair: \(holes.count)")
    }

    @Test func aBottleneckQueuesThenDrops() throws {
        let (network, publisher, subscribers) = try Self.makeRoom(seed: 3, subscribers: 1)
        publisher.videoPadding = 1_000  // ≈ 1,050 B a video packet every 20 ms ≈ 420 kbit/s with audio
        let rate: UInt64 = 200_000
        network.setDownlink(
            LinkConditions(delayMilliseconds: 20, bitsPerSecond: rate, queueBytes: 20_000), to: subscribers[0])
        network.run(milliseconds: 1_000)
        let startBytes = subscribers[0].received.reduce(0) { $0 + $1.payload.count }
        network.run(milliseconds: 5_000)
        let bytes = subscribers[0].received.reduce(0) { $0 + $1.payload.count } - startBytes
        let bitsPerSecond = Double(bytes * 8) / 5.0
        #expect(bitsPerSecond > 0.8 * Double(rate) && bitsPerSecond < 1.0 * Double(rate),
                "payload through a \(rate) bit/s bottleneck: \(bitsPerSecond)")
        let link = try #require(network.link(from: subscribers[0].serverAddress, to: subscribers[0].address))
        #expect(link.datagramsQueuedOut > 50, "the full queue dropped datagrams")
        // Queueing delay is bounded by the queue: 20 kB at 200 kbit/s = 0.8 s, plus 20 ms.
        let delays = network.trace.filter { $0.to == subscribers[0].address }.compactMap { entry in
            entry.arrivesAt.map { $0 - entry.sentAt }
        }
        #expect((delays.max() ?? 0) <= 830_000_000 + 20_000_000)
        #expect((delays.max() ?? 0) > 500_000_000, "the queue filled")
    }

    @Test func theSameSeedGivesTheSamePacketTrace() throws {
        func trace(seed: UInt64) throws -> [InMemoryNetwork.TraceEntry] {
            let (network, publisher, subscribers) = try Self.makeRoom(seed: seed, subscribers: 1, answerNACKs: true)
            network.setUplink(LinkConditions(delayMilliseconds: 10, jitterMilliseconds: 8, lossPercent: 5), from: publisher.peer)
            network.setDownlink(
                LinkConditions(delayMilliseconds: 15, jitterMilliseconds: 5, lossPercent: 3, bitsPerSecond: 150_000),
                to: subscribers[0])
            network.run(milliseconds: 2_000)
            return network.trace
        }
        let first = try trace(seed: 42)
        let second = try trace(seed: 42)
        let other = try trace(seed: 43)
        #expect(first.count > 300)
        let firstDifference = first.indices.first { $0 < second.count && first[$0] != second[$0] }
        #expect(first.count == second.count && firstDifference == nil,
                "same seed, same trace: \(first.count) vs \(second.count) datagrams, first difference at \(String(describing: firstDifference)): \(firstDifference.map { "\(first[$0]) vs \(second[$0])" } ?? "")")
        #expect(first != other, "another seed, another trace")
    }
}
