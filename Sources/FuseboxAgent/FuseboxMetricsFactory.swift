public import CoreMetrics
import Fusebox
public import Prometheus

/// A swift-metrics factory that writes to a Prometheus registry, like swift-prometheus's own
/// `PrometheusMetricsFactory`, and adds `# HELP` text to the runtime's metrics
/// (``Fusebox/FuseboxMetricHelp``), so the exposition passes `promtool check metrics`.
///
/// The application bootstraps with it; the agent only renders the registry:
/// ```swift
/// let prometheus = PrometheusCollectorRegistry()
/// MetricsSystem.bootstrap(FuseboxMetricsFactory(registry: prometheus))
/// ```
public struct FuseboxMetricsFactory: MetricsFactory {
    /// The factory every metric without help text goes through, with its buckets and sanitizer.
    public let base: PrometheusMetricsFactory
    /// The registry every metric is written to, and the agent renders.
    public var registry: PrometheusCollectorRegistry { base.registry }

    /// A factory writing to `registry`.
    public init(registry: PrometheusCollectorRegistry) {
        base = PrometheusMetricsFactory(registry: registry)
    }

    public func makeCounter(label: String, dimensions: [(String, String)]) -> any CounterHandler {
        guard let help = FuseboxMetricHelp.byLabel[label] else {
            return base.makeCounter(label: label, dimensions: dimensions)
        }
        return registry.makeCounter(descriptor: describe(label, help), labels: dimensions)
    }

    public func makeFloatingPointCounter(label: String, dimensions: [(String, String)])
        -> any FloatingPointCounterHandler
    {
        guard let help = FuseboxMetricHelp.byLabel[label] else {
            return base.makeFloatingPointCounter(label: label, dimensions: dimensions)
        }
        return registry.makeCounter(descriptor: describe(label, help), labels: dimensions)
    }

    public func makeRecorder(label: String, dimensions: [(String, String)], aggregate: Bool) -> any RecorderHandler {
        guard !aggregate, let help = FuseboxMetricHelp.byLabel[label] else {
            return base.makeRecorder(label: label, dimensions: dimensions, aggregate: aggregate)
        }
        return registry.makeGauge(descriptor: describe(label, help), labels: dimensions)
    }

    public func makeMeter(label: String, dimensions: [(String, String)]) -> any MeterHandler {
        guard let help = FuseboxMetricHelp.byLabel[label] else {
            return base.makeMeter(label: label, dimensions: dimensions)
        }
        return registry.makeGauge(descriptor: describe(label, help), labels: dimensions)
    }

    public func makeTimer(label: String, dimensions: [(String, String)]) -> any TimerHandler {
        guard let help = FuseboxMetricHelp.byLabel[label] else {
            return base.makeTimer(label: label, dimensions: dimensions)
        }
        let buckets = base.durationHistogramBuckets[label] ?? base.defaultDurationHistogramBuckets
        return registry.makeDurationHistogram(descriptor: describe(label, help), labels: dimensions, buckets: buckets)
    }

    /// The label as the whole name (the unit is part of it already), with its help.
    private func describe(_ label: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(metricName: label, unitName: "", helpText: help)
    }

    public func destroyCounter(_ handler: any CounterHandler) { base.destroyCounter(handler) }
    public func destroyFloatingPointCounter(_ handler: any FloatingPointCounterHandler) {
        base.destroyFloatingPointCounter(handler)
    }
    public func destroyRecorder(_ handler: any RecorderHandler) { base.destroyRecorder(handler) }
    public func destroyMeter(_ handler: any MeterHandler) { base.destroyMeter(handler) }
    public func destroyTimer(_ handler: any TimerHandler) { base.destroyTimer(handler) }
}
