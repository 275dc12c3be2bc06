import Metrics
import Prometheus

/// swift-prometheus behind the swift-metrics hook: when `SFUOptions.metrics` is a
/// `PrometheusMetricsFactory`, its registry is what `GET /metrics` writes out.
extension SFUOptions {
    /// The text exposition of `factory`'s registry, nil when it is not a Prometheus factory.
    static func prometheusExposition(of factory: any MetricsFactory) -> (@Sendable () -> [UInt8])? {
        guard let registry = (factory as? PrometheusMetricsFactory)?.registry else { return nil }
        return { registry.emitToBuffer() }
    }

    /// Whether `GET /metrics` can be served (a Prometheus factory in `metrics`).
    var servesPrometheus: Bool { metrics.flatMap(Self.prometheusExposition(of:)) != nil }
}
