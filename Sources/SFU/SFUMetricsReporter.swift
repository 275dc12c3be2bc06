import Metrics

/// Publishes a running server's counters through the embedder's `MetricsFactory` (never the
/// global `MetricsSystem`), every `interval`, with the dimension `server=<name>`.
struct SFUMetricsReporter: Sendable {
    let factory: any MetricsFactory
    let name: String

    func run(_ runtime: SFURuntime, every interval: Duration) async {
        let dimensions = [("server", name)]
        let sessions = Gauge(label: "sfu_janus_sessions", dimensions: dimensions, factory: factory)
        let transports = Gauge(label: "sfu_media_transports", dimensions: dimensions, factory: factory)
        let received = Counter(label: "sfu_media_datagrams_received", dimensions: dimensions, factory: factory)
        let sent = Counter(label: "sfu_media_datagrams_sent", dimensions: dimensions, factory: factory)
        let dropped = Counter(label: "sfu_media_datagrams_dropped", dimensions: dimensions, factory: factory)
        let sendFailures = Counter(label: "sfu_media_send_failures", dimensions: dimensions, factory: factory)
        var last: MediaStatistics?
        while !Task.isCancelled {
            let now = runtime.engine.statistics
            sessions.record(await runtime.api.core.sessionCount)
            transports.record(now.transports)
            received.increment(by: Int64(max(0, now.datagramsReceived - (last?.datagramsReceived ?? 0))))
            sent.increment(by: Int64(max(0, now.datagramsSent - (last?.datagramsSent ?? 0))))
            dropped.increment(by: Int64(max(0, now.datagramsDropped - (last?.datagramsDropped ?? 0))))
            sendFailures.increment(by: Int64(max(0, now.sendFailures - (last?.sendFailures ?? 0))))
            last = now
            try? await Task.sleep(for: interval)
        }
    }
}
