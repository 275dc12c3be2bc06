import Foundation
import ICE
import Logging
import RTP
import Testing
import WebRTCPeer

@testable import MediaCore
@testable import SFUMedia

/// Cross-worker forwarding under churn (issue 4): three workers, room transports spread over
/// them, publishers and subscribers added and removed while media flows.
@Suite(.serialized) struct EngineFanOutStressTests {
    static let room = RoomKey(7)

    final class Churn: @unchecked Sendable {
        let engine: MediaEngine
        var publishers: [PublisherSimulator] = []
        var subscribers: [(peer: ConnectedPeer, ssrc: UInt32)] = []
        private var nextPublisher = 0
        private var nextSubscriber = 0

        init(workers: Int) throws {
            var logger = Logger(label: "fan-out-stress")
            logger.logLevel = .error
            engine = try MediaEngine(
                configuration: MediaConfiguration(iceAddresses: ["127.0.0.1"], lowPort: 0, workerCount: workers),
                logger: logger)
            engine.start()
        }

        func addPublisher() async throws -> PublisherSimulator {
            nextPublisher += 1
            let audioSSRC = 0xA100_0000 + UInt32(nextPublisher)
            let videoSSRC = 0xB100_0000 + UInt32(nextPublisher)
            let peer = try ConnectedPeer(
                engine: engine, room: EngineFanOutStressTests.room,
                streams: EngineRoomTests.publisherStreams(audioSSRC: audioSSRC, videoSSRC: videoSSRC),
                settings: PublisherSettings(), midExtensionID: 9)
            let publisher = PublisherSimulator(
                peer: peer, audio: SyntheticStream(ssrc: audioSSRC, payloadType: 111, isVideo: false),
                video: SyntheticStream(ssrc: videoSSRC, payloadType: 96, isVideo: true), interval: 0.005)
            guard await peer.waitConnected() else { throw EngineRoomTests.RoomError.notConnected }
            publisher.start()
            publishers.append(publisher)
            return publisher
        }

        /// A connected subscriber bound to `publisher`; returns its index.
        func addSubscriber(boundTo publisher: PublisherSimulator) async throws -> Int {
            nextSubscriber += 1
            let ssrc = 0x5C00_0000 + UInt32(nextSubscriber)
            let peer = try ConnectedPeer(
                engine: engine, room: EngineFanOutStressTests.room,
                streams: EngineRoomTests.subscriberStreams(index: 0, audioSSRC: ssrc ^ 0xFF, videoSSRC: ssrc))
            guard await peer.waitConnected() else { throw EngineRoomTests.RoomError.notConnected }
            subscribers.append((peer, ssrc))
            bind(subscribers.count - 1, to: publisher)
            return subscribers.count - 1
        }

        func bind(_ subscriber: Int, to publisher: PublisherSimulator) {
            let source = publisher.peer.allocation.id
            engine.bindSubscriber(
                subscribers[subscriber].peer.allocation,
                bindings: [
                    SubscriberBinding(mid: "0", source: SourceKey(publisher: source, mid: "a")),
                    SubscriberBinding(mid: "1", source: SourceKey(publisher: source, mid: "v")),
                ])
        }

        func video(_ subscriber: Int) -> [ReceivedRTPPacket] {
            subscribers[subscriber].peer.received(ssrc: subscribers[subscriber].ssrc)
        }

        func removePublisher(_ publisher: PublisherSimulator) {
            publisher.stop()
            engine.closeTransport(publisher.peer.allocation)
            publisher.peer.driver.stop()
            publishers.removeAll { $0 === publisher }
        }

        func stop() {
            for publisher in publishers { publisher.stop() }
            engine.shutdown()
            for peer in publishers.map(\.peer) + subscribers.map(\.peer) { peer.driver.stop() }
        }
    }

    /// Waits until every transport close has run on its worker (the engine's live count).
    static func waitForTransports(_ engine: MediaEngine, _ count: Int) async -> Bool {
        await EngineTest.eventually(timeout: 5) { engine.statistics.transports == count }
    }

    @Test func subscribersAndPublishersComeAndGoWhileMediaFlows() async throws {
        let churn = try Churn(workers: 3)
        defer { churn.stop() }
        var live = [try await churn.addPublisher(), try await churn.addPublisher()]
        for index in 0..<4 { _ = try await churn.addSubscriber(boundTo: live[index % 2]) }
        #expect(await EngineTest.eventually(timeout: 10) { (0..<4).allSatisfy { churn.video($0).count >= 10 } })

        var removed: [(index: Int, received: Int)] = []
        for round in 0..<4 {
            // One subscriber leaves, two join, one switches publisher; every round one publisher
            // is replaced by a new one and its subscribers move over.
            let leaving = removed.count
            churn.engine.closeTransport(churn.subscribers[leaving].peer.allocation)
            let newcomer = try await churn.addPublisher()
            let retiring = live[round % 2]
            live[round % 2] = newcomer
            for index in churn.subscribers.indices where index > leaving && !removed.contains(where: { $0.index == index }) {
                churn.bind(index, to: live[index % 2])
            }
            churn.removePublisher(retiring)
            _ = try await churn.addSubscriber(boundTo: live[0])
            _ = try await churn.addSubscriber(boundTo: live[1])
            let expectedTransports = churn.publishers.count + churn.subscribers.count - removed.count - 1
            #expect(await Self.waitForTransports(churn.engine, expectedTransports))
            // The close ran on its worker; what was already in the kernel's socket buffer lands now.
            await EngineTest.settle(0.1)
            removed.append((leaving, churn.video(leaving).count))
        }

        // Everyone still in the room gets media again from their current publisher.
        let active = churn.subscribers.indices.filter { index in !removed.contains { $0.index == index } }
        let before = active.map { churn.video($0).count }
        #expect(
            await EngineTest.eventually(timeout: 10) {
                zip(active, before).allSatisfy { index, count in churn.video(index).count >= count + 20 }
            })
        // Nothing reached a removed subscriber after its removal completed.
        for (index, count) in removed { #expect(churn.video(index).count == count, "removed subscriber \(index)") }

        let workers = churn.engine.workerStatistics
        #expect(workers.filter { $0.transports > 0 }.count == 3, "room transports spread over every worker")
        #expect(churn.engine.statistics.slotsHandedOff > 0, "packets crossed workers")

        // Media stops: every slot comes back to its slab and every hand-off was taken.
        for publisher in churn.publishers { publisher.stop() }
        #expect(await EngineTest.eventually(timeout: 5) { churn.engine.statistics.slotsInUse == 0 })
        let totals = churn.engine.statistics
        #expect(totals.slotsDelivered == totals.slotsHandedOff)
        #expect(totals.fanOutDrops == 0)
    }

    @Test func togetherPlacementKeepsARoomOnOneWorker() throws {
        var logger = Logger(label: "placement")
        logger.logLevel = .error
        let engine = try MediaEngine(
            configuration: MediaConfiguration(
                iceAddresses: ["127.0.0.1"], lowPort: 0, workerCount: 3, roomPlacement: .together),
            logger: logger)
        defer { engine.shutdown() }
        let workers = Set((0..<6).map { _ in engine.allocateTransport(room: Self.room).workerIndex })
        #expect(workers.count == 1)
        let spreadEngine = try MediaEngine(
            configuration: MediaConfiguration(iceAddresses: ["127.0.0.1"], lowPort: 0, workerCount: 3),
            logger: logger)
        defer { spreadEngine.shutdown() }
        let spread = (0..<6).map { _ in spreadEngine.allocateTransport(room: Self.room).workerIndex }
        #expect(Set(spread).count == 3)
        #expect((0..<3).allSatisfy { worker in spread.filter { $0 == worker }.count == 2 })
    }
}
