import SFUBase
import Testing

@testable import MediaCore
@testable import SFUMedia

/// `MediaEngine.inspect` (the Admin API's `handle_info`) on the in-memory network: a simulcast
/// publisher and its subscriber, read on their worker while media flows.
@Suite struct HarnessInspectionTests {
    /// Runs the network in small steps until `pending` has its answer (the command is queued from
    /// another task, so the worker must run after it arrives).
    private func answer(
        _ network: InMemoryNetwork, _ pending: Task<TransportInspection?, Never>
    ) async -> TransportInspection? {
        for _ in 0..<20 {
            try? await Task.sleep(for: .milliseconds(5))
            network.run(milliseconds: 10)
        }
        return await pending.value
    }

    @Test func publisherAndSubscriberAsHandleInfoShowsThem() async throws {
        let network = try InMemoryNetwork(seed: 7)
        let (publisher, subscriber, _) = try network.simulcastPublisherAndSubscriber()
        network.run(milliseconds: 500)

        let engine = try #require(network.engine)
        let published = try #require(await answer(network, Task { await engine.inspect(publisher.allocation) }))
        #expect(published.iceState == "connected")
        #expect(published.dtlsState == "connected")
        #expect(published.srtpProfile?.hasPrefix("SRTP_") == true)
        let video = try #require(published.streams.first { $0.mid == "v" })
        #expect(video.simulcastLayers == 3)
        #expect(video.simulcastRIDs.count == 3)
        #expect(video.forwardedLayer == 2)  // the top layer, all three sending
        #expect(video.packetsReceived > 0)

        let subscribed = try #require(await answer(network, Task { await engine.inspect(subscriber.allocation) }))
        let forwarded = try #require(subscribed.streams.first { $0.mid == "1" })
        #expect(forwarded.sends && !forwarded.receives)
        #expect(forwarded.packetsSent > 0 && forwarded.bytesSent > forwarded.packetsSent)
        // The subscriber's own choice among the source's three layers: the top one.
        #expect(forwarded.simulcastLayers == 3)
        #expect(forwarded.forwardedLayer == 2)
    }
}

extension InMemoryNetwork {
    /// A simulcast publisher (three layers, all sending every 10 ms) and one subscriber bound to
    /// its video, connected.
    func simulcastPublisherAndSubscriber() throws
        -> (publisher: HarnessPeer, subscriber: HarnessPeer, source: HarnessSimulcastTests.LayeredSource)
    {
        let publisher = try addPeer(
            room: SimulcastStreams.room, streams: SimulcastStreams.publisherStreams(),
            settings: PublisherSettings(), midExtensionID: 9)
        let subscriber = try addPeer(
            room: SimulcastStreams.room, streams: SimulcastStreams.subscriberStreams())
        #expect(connectAll())
        engine.bindSubscriber(
            subscriber.allocation,
            bindings: [SubscriberBinding(mid: "1", source: SourceKey(publisher: publisher.allocation.id, mid: "v"))])
        let source = HarnessSimulcastTests.LayeredSource(peer: publisher)
        every(milliseconds: 10) { _ in source.frame() }
        return (publisher, subscriber, source)
    }
}
