import MetricsTestKit
import Testing

@testable import SFU

/// What the embedder's handles see: metrics through its own factory, a clean stop on cancellation.
@Suite(.timeLimit(.minutes(1))) struct SFUServerLifecycleTests {
    @Test func metricsGoToTheEmbeddersFactoryWithTheServerName() async throws {
        let metrics = TestMetrics()
        let server = try SFUServer(options: embeddedOptions {
            $0.name = "twin-a"
            $0.metrics = metrics
            $0.metricsInterval = .milliseconds(20)
        })
        try await whileRunning([server]) {
            var client = EmbeddedJanusClient(server)
            try await client.createSession()
            var recorded: Double?
            for _ in 0..<200 where recorded != 1 {
                try await Task.sleep(for: .milliseconds(10))
                recorded = try? metrics.expectGauge("sfu_janus_sessions", [("server", "twin-a")]).lastValue
            }
            #expect(recorded == 1)
            #expect(throws: (any Error).self) { try metrics.expectGauge("sfu_janus_sessions") }
            _ = try metrics.expectCounter("sfu_media_datagrams_received_total", [("server", "twin-a")])
        }
    }

    @Test func cancellingRunShutsDownCleanly() async throws {
        let server = try SFUServer(options: embeddedOptions())
        let events = server.events()
        let running = Task { try await server.run() }
        try await server.waitUntilReady()
        try await server.createRoom(RoomOptions(id: 3))
        running.cancel()
        try await running.value
        #expect(server.boundAddresses == nil)
        var kinds: [SFUEvent.Kind] = []
        for await event in events { kinds.append(event.kind) }
        #expect(kinds == [.roomCreated])
        await #expect(throws: SFUError.notRunning) { try await server.roomExists(3) }
    }

    @Test func stopBeforeRunEndsRunAsSoonAsItStarted() async throws {
        let server = try SFUServer(options: embeddedOptions())
        server.stop()
        try await server.run()
        #expect(server.boundAddresses == nil)
        await #expect(throws: SFUError.notRunning) { try await server.waitUntilReady() }
    }
}
