import Prometheus
import Testing

@testable import SFU

/// `GET /metrics` with swift-prometheus behind the swift-metrics hook: refreshed on scrape,
/// Prometheus names and labels, a registry of the embedder's own.
@Suite(.timeLimit(.minutes(1))) struct SFUPrometheusTests {
    private static func scrape(_ server: SFUServer) async -> String {
        let response = await server.respond(to: JanusHTTPRequest(method: "GET", path: "/metrics"))
        #expect(response.status == 200)
        #expect(response.headers.contains { $0.name == "Content-Type" && $0.value.hasPrefix("text/plain; version=0.0.4") })
        return String(decoding: response.body, as: UTF8.self)
    }

    /// The value of the sample line `name{labels}` (labels in the order the registry writes them).
    private static func value(_ text: String, _ series: String) -> Double? {
        for line in text.split(separator: "\n") where line.hasPrefix(series + " ") {
            return Double(line.dropFirst(series.count + 1))
        }
        return nil
    }

    @Test func scrapeShowsSessionsRequestsAndRoomsAtOnce() async throws {
        let registry = PrometheusCollectorRegistry()
        let server = try SFUServer(options: embeddedOptions {
            $0.name = "p1"
            $0.metrics = PrometheusMetricsFactory(registry: registry)
            $0.metricsInterval = .seconds(3600)  // only scrapes refresh in this test
        })
        try await whileRunning([server]) {
            try await server.createRoom(RoomOptions(id: 77))
            var client = EmbeddedJanusClient(server)
            try await client.createSession()
            _ = try await client.attachVideoRoom()
            _ = await client.post("/janus", ["janus": "attach", "session_id": .uint(client.session), "plugin": "janus.plugin.nope"])
            let text = await Self.scrape(server)
            #expect(text.contains("# TYPE sfu_janus_sessions gauge"))
            #expect(text.contains("# TYPE sfu_media_datagrams_received_total counter"))
            for series in ["sfu_media_nacks_received_total", "sfu_media_retransmissions_total",
                           "sfu_media_keyframe_requests_sent_total", "sfu_media_received_bytes_total",
                           "sfu_media_worker_busy_seconds_total", "sfu_media_transport_failures_total"] {
                #expect(text.contains("# TYPE \(series) counter"), "\(series)")
            }
            #expect(text.contains(#"reason="srtp_auth""#) && text.contains(#"reason="slab_empty""#))
            // Only the client's: the room API calls the VideoRoom directly, without a Janus session.
            #expect(Self.value(text, #"sfu_janus_sessions{server="p1"}"#) == 1)
            #expect(Self.value(text, #"sfu_janus_handles{server="p1",plugin="janus.plugin.videoroom"}"#) == 1)
            #expect(Self.value(text, #"sfu_videoroom_rooms{server="p1"}"#) == 1)
            #expect(Self.value(text, #"sfu_janus_requests_total{server="p1",request="create",code="0"}"#) == 1)
            #expect(Self.value(text, #"sfu_janus_requests_total{server="p1",request="attach",code="460"}"#) == 1)
            #expect(Self.value(text, #"sfu_media_worker_transports{server="p1",worker="0"}"#) == 0)
            #expect(Self.value(text, #"sfu_media_peerconnections{server="p1",state="connected"}"#) == 0)
            _ = await client.post("/janus", ["janus": "destroy", "session_id": .uint(client.session)])
            let after = await Self.scrape(server)
            #expect(Self.value(after, #"sfu_janus_sessions{server="p1"}"#) == 0)
            #expect(Self.value(after, #"sfu_janus_requests_total{server="p1",request="destroy",code="0"}"#) == 1)
        }
    }

    @Test func metricsListenerTakesMetricsOffTheJanusListener() async throws {
        let server = try SFUServer(options: embeddedOptions {
            $0.metrics = PrometheusMetricsFactory(registry: PrometheusCollectorRegistry())
            $0.metricsListener = .init(host: "127.0.0.1", port: 0)
        })
        try await whileRunning([server]) {
            let port = try #require(server.boundAddresses?.metricsPort)
            #expect(port > 0)
            #expect(server.boundAddresses?.summary.hasSuffix(" metrics=\(port)") == true)
            #expect(await server.respond(to: JanusHTTPRequest(method: "GET", path: "/metrics")).status == 404)
        }
    }

    @Test func metricsListenerNeedsAPrometheusFactory() {
        #expect(throws: SFUError.self) {
            try SFUServer(options: embeddedOptions { $0.metricsListener = .init(host: "127.0.0.1", port: 0) })
        }
    }
}
