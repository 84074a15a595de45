import CoreMetrics
import FuseboxAgent
import Prometheus

/// The pipeline's figures with a real metrics backend: swift-prometheus, as the agent bootstraps
/// it. Bootstrapping is once per process, so this runs on its own (`fusebox-bench
/// pipeline-metrics`); the main run measures the pipeline with no backend, where the runtime
/// skips its metric handles.
enum PipelineMetricsBenchmark {
    static func run(scale: Double) async -> [Result] {
        let prometheus = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(FuseboxMetricsFactory(registry: prometheus))
        let measured = ["pipeline.success.breaker_retry_budget", "pipeline.success.with_attempt_timeout"]
        let results = await PipelineBenchmarks.run(scale: scale) { name in measured.contains(name) }
        var exposition: [UInt8] = []
        prometheus.emit(into: &exposition)
        let emitted = String(decoding: exposition, as: UTF8.self)
        return results.map { result in
            guard measured.contains(result.name) else { return result }
            var withBackend = result
            withBackend.name += ".prometheus_metrics"
            // The targets belong to the run without a backend; here the figure is stated.
            withBackend.target = nil
            withBackend.meetsTarget = nil
            let counted = emitted.contains("fusebox_calls_total") ? "" : "; no calls counted: check the bootstrap"
            withBackend.note = (result.note ?? "") + "; swift-prometheus bootstrapped (counters, a histogram)" + counted
            return withBackend
        }
    }
}
