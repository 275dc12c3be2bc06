import SFUBase
import Testing

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
        let publisher = try network.addPeer(
            room: SimulcastStreams.room, streams: SimulcastStreams.publisherStreams(),
            behaviour: .publisher(PublisherSettings()), midExtensionID: 9)
        let subscriber = try network.addPeer(
            room: SimulcastStreams.room, streams: SimulcastStreams.subscriberStreams(), behaviour: .subscriber)
        #expect(network.connectAll())
        network.engine.bindSubscriber(
            subscriber.allocation,
            bindings: [SubscriberBinding(mid: "1", source: SourceKey(publisher: publisher.allocation.id, mid: "v"))])
        let source = HarnessSimulcastTests.LayeredSource(peer: publisher)
        network.every(milliseconds: 10) { _ in source.frame() }
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
        #expect(forwarded.simulcastLayers == 1)
    }
}
