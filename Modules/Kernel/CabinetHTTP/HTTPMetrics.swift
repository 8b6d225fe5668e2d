import CoreMetrics
import Foundation
import Metrics
public import Prometheus

/// The server's metrics, recorded through swift-metrics into a Prometheus registry the app owns (no global
/// bootstrap, so every app built in a test process has its own).
public final class HTTPMetrics: Sendable {
    public let registry: PrometheusCollectorRegistry
    public let factory: PrometheusMetricsFactory

    public init() {
        registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.defaultDurationHistogramBuckets = [
            .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(25),
            .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2.5),
            .seconds(5),
        ]
        self.factory = factory
    }

    /// Counts one request and records its latency.
    public func recordRequest(method: String, route: String, status: Int, duration: Duration) {
        let dimensions = [("method", method), ("route", route), ("status", String(status))]
        Counter(label: "http_requests_total", dimensions: dimensions, factory: factory).increment()
        Metrics.Timer(
            label: "http_request_duration_seconds", dimensions: [("method", method), ("route", route)],
            factory: factory
        ).recordNanoseconds(duration.nanoseconds)
    }

    /// Adds one to a counter (`cabinet_regions_reload_total{result}`).
    public func increment(_ label: String, dimensions: [(String, String)] = []) {
        Counter(label: label, dimensions: dimensions, factory: factory).increment()
    }

    /// Sets a gauge (database pool figures, outbox backlog).
    public func gauge(_ label: String, _ value: Double, dimensions: [(String, String)] = []) {
        Gauge(label: label, dimensions: dimensions, factory: factory).record(value)
    }

    /// The Prometheus text exposition.
    public func exposition() -> String {
        registry.emitToString()
    }
}

extension Duration {
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}
