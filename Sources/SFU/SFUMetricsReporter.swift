import Metrics
import Signaling

/// Publishes a running server's figures through the embedder's `MetricsFactory` (never the
/// global `MetricsSystem`), with the dimension `server=<name>`: every `metricsInterval`, and on
/// each Prometheus scrape just before the registry is written out.
///
/// Nothing here runs per packet: the media workers keep relaxed atomic counters
/// (`MediaEngine.statistics` / `workerStatistics`) and this reads them; counters are advanced
/// by the difference since the last read. The names are listed in README.md ("Metrics").
actor SFUMetricsReporter {
    private let factory: any MetricsFactory
    private let server: String
    private let engine: MediaEngine
    private var core: JanusCore?
    private var counters: [String: (counter: Counter, last: Int)] = [:]
    private var gauges: [String: Gauge] = [:]
    private var secondCounters: [String: (counter: FloatingPointCounter, lastNanoseconds: Int)] = [:]
    /// Writes out the Prometheus registry behind the factory; nil for other backends.
    private let exposition: (@Sendable () -> [UInt8])?

    init(factory: any MetricsFactory, server: String, engine: MediaEngine) {
        self.factory = factory
        self.server = server
        self.engine = engine
        self.exposition = SFUOptions.prometheusExposition(of: factory)
    }

    /// The Janus core whose sessions, handles, requests and plugins are reported.
    func bind(core: JanusCore) { self.core = core }

    /// Refreshes every figure, then returns the Prometheus text exposition (empty without a
    /// Prometheus registry).
    func scrape() async -> [UInt8] {
        await refresh()
        return exposition?() ?? []
    }

    /// Reads the figures now.
    func refresh() async {
        let media = engine.statistics
        gauge("sfu_media_transports", media.transports)
        count("sfu_media_datagrams_received_total", media.datagramsReceived)
        count("sfu_media_datagrams_sent_total", media.datagramsSent)
        count("sfu_media_datagrams_dropped_total", media.datagramsDropped, [("reason", "no_route")])
        count("sfu_media_datagrams_dropped_total", media.fanOutDrops - media.slabExhaustedDrops, [("reason", "ring_full")])
        count("sfu_media_datagrams_dropped_total", media.slabExhaustedDrops, [("reason", "slab_empty")])
        count("sfu_media_datagrams_dropped_total", media.srtpAuthenticationFailures, [("reason", "srtp_auth")])
        count("sfu_media_datagrams_dropped_total", media.srtpReplays, [("reason", "srtp_replay")])
        count("sfu_media_datagrams_dropped_total", media.srtpOtherDrops, [("reason", "srtp_invalid")])
        count("sfu_media_received_bytes_total", media.bytesReceived)
        count("sfu_media_sent_bytes_total", media.bytesSent)
        count("sfu_media_nacks_received_total", media.nacksReceived)
        count("sfu_media_nacks_sent_total", media.nacksSent)
        count("sfu_media_retransmissions_total", media.retransmissionsSent)
        count("sfu_media_keyframe_requests_received_total", media.keyframeRequestsReceived)
        count("sfu_media_keyframe_requests_sent_total", media.keyframeRequestsSent)
        count("sfu_media_bandwidth_layer_changes_total", media.bandwidthLayerChanges)
        count("sfu_media_bandwidth_pauses_total", media.bandwidthPauses)
        count("sfu_media_bandwidth_probes_total", media.bandwidthProbes)
        for (failure, total) in media.failures {
            count("sfu_media_transport_failures_total", total, [("reason", Self.reasonLabel(failure))])
        }
        count("sfu_media_send_failures_total", media.sendFailures)
        count("sfu_media_stun_errors_suppressed_total", media.stunErrorsSuppressed)
        count("sfu_media_fanout_handoffs_total", media.slotsHandedOff)
        count("sfu_media_fanout_deliveries_total", media.slotsDelivered)
        gauge("sfu_media_fanout_slots_in_use", media.slotsInUse)
        var peerConnections = ["connecting": 0, "connected": 0, "failed": 0]
        // What subscribers receive: video m-lines by the layer their bandwidth allows (or paused),
        // and the estimates (by what they come from), summed with their count for a mean.
        var subscriberVideo = ["paused": 0, "any": 0, "0": 0, "1": 0, "2": 0]
        var estimates: [String: (sum: Int, count: Int)] = ["twcc": (0, 0), "remb": (0, 0)]
        for inspection in await engine.inspectAll() {
            peerConnections[Self.state(of: inspection), default: 0] += 1
            for stream in inspection.streams where stream.sends && stream.kind == "video" && stream.simulcastLayers > 1 {
                let key = stream.pausedForBandwidth ? "paused" : stream.bandwidthLayer.map { String(min($0, 2)) } ?? "any"
                subscriberVideo[key, default: 0] += 1
            }
            if let bandwidth = inspection.bandwidth, let estimate = bandwidth.estimate, bandwidth.source != "none" {
                estimates[bandwidth.source, default: (0, 0)].sum += estimate
                estimates[bandwidth.source, default: (0, 0)].count += 1
            }
        }
        for (state, count) in peerConnections { gauge("sfu_media_peerconnections", count, [("state", state)]) }
        for (layer, count) in subscriberVideo { gauge("sfu_media_subscriber_simulcast_streams", count, [("layer", layer)]) }
        for (source, total) in estimates {
            gauge("sfu_media_subscriber_estimate_bits_per_second_sum", total.sum, [("source", source)])
            gauge("sfu_media_subscriber_estimates", total.count, [("source", source)])
        }
        for worker in engine.workerStatistics {
            let label = [("worker", String(worker.index))]
            gauge("sfu_media_worker_transports", worker.transports, label)
            count("sfu_media_worker_datagrams_received_total", worker.datagramsReceived, label)
            count("sfu_media_worker_datagrams_sent_total", worker.datagramsSent, label)
            countSeconds("sfu_media_worker_busy_seconds_total", nanoseconds: worker.busyNanoseconds, label)
        }
        guard let core else { return }
        gauge("sfu_janus_sessions", await core.sessionCount)
        for (plugin, handles) in await core.handleCountsByPlugin {
            gauge("sfu_janus_handles", handles, [("plugin", plugin)])
        }
        for (key, total) in core.requestStatistics.snapshot {
            count("sfu_janus_requests_total", total, [("request", key.request), ("code", String(key.errorCode))])
        }
        for (limit, total) in core.limitStatistics.snapshot {
            count("sfu_janus_limit_actions_total", total, [("limit", limit.rawValue)])
        }
        let plugins = await core.pluginStatistics()
        if let videoRoom = plugins["janus.plugin.videoroom"] {
            gauge("sfu_videoroom_rooms", videoRoom["rooms"] ?? 0)
            gauge("sfu_videoroom_participants", videoRoom["participants"] ?? 0)
            gauge("sfu_videoroom_subscribers", videoRoom["subscribers"] ?? 0)
        }
    }

    /// Refreshes every `interval` until cancelled.
    func run(every interval: Duration) async {
        while !Task.isCancelled {
            await refresh()
            try? await Task.sleep(for: interval)
        }
    }

    /// `connected` once DTLS-SRTP is up, `failed` when ICE consent or DTLS failed, else `connecting`.
    static func state(of inspection: TransportInspection) -> String {
        if inspection.dtlsState == "connected" { return "connected" }
        if inspection.iceState == "failed" || inspection.dtlsState == "failed" { return "failed" }
        return "connecting"
    }

    private func dimensions(_ extra: [(String, String)]) -> [(String, String)] { [("server", server)] + extra }

    private static func key(_ label: String, _ extra: [(String, String)]) -> String {
        ([label] + extra.map { "\($0.0)=\($0.1)" }).joined(separator: "|")
    }

    /// Advances the counter to `total` (a monotonic figure read from the server).
    private func count(_ label: String, _ total: Int, _ extra: [(String, String)] = []) {
        let key = Self.key(label, extra)
        let entry = counters[key] ?? (Counter(label: label, dimensions: dimensions(extra), factory: factory), 0)
        if total > entry.last { entry.counter.increment(by: Int64(total - entry.last)) }
        counters[key] = (entry.counter, max(entry.last, total))
    }

    /// Advances a seconds counter to `nanoseconds` (a monotonic figure read from the server).
    private func countSeconds(_ label: String, nanoseconds total: Int, _ extra: [(String, String)] = []) {
        let key = Self.key(label, extra)
        let entry = secondCounters[key]
            ?? (FloatingPointCounter(label: label, dimensions: dimensions(extra), factory: factory), 0)
        if total > entry.lastNanoseconds { entry.counter.increment(by: Double(total - entry.lastNanoseconds) / 1e9) }
        secondCounters[key] = (entry.counter, max(entry.lastNanoseconds, total))
    }

    /// The `reason` label of a transport failure.
    static func reasonLabel(_ failure: TransportFailure) -> String {
        switch failure {
        case .iceFailed: "ice"
        case .dtlsAlert: "dtls_alert"
        case .dtlsError: "dtls_error"
        case .dtlsTimeout: "dtls_timeout"
        case .srtpStackError: "srtp_setup"
        }
    }

    private func gauge(_ label: String, _ value: Int, _ extra: [(String, String)] = []) {
        let key = Self.key(label, extra)
        let gauge = gauges[key] ?? Gauge(label: label, dimensions: dimensions(extra), factory: factory)
        gauges[key] = gauge
        gauge.record(value)
    }
}
