import CoreMetrics
import FuseboxAgent
import Prometheus

/// The pipeline's figures with a real metrics backend: swift-prometheus, as the agent bootstraps
/// it, each beside the same pipeline without a backend measured first in the same process
/// (dependencies made before the bootstrap keep no-op handles for good). Bootstrapping is once per
/// process, so this runs on its own: `fusebox-bench pipeline-metrics`.
enum PipelineMetricsBenchmark {
    /// Each measured result, the dependency whose calls it makes, and the share of
    /// `PipelineBenchmarks.iterations` one of its measured loops runs.
    static let measured = [
        "pipeline.success.breaker_retry_budget": (dependency: "plain", loopDivisor: 1),
        "pipeline.success.with_attempt_timeout": (dependency: "timed", loopDivisor: 5),
    ]

    static func run(scale: Double) async -> [Result] {
        let selected: @Sendable (String) -> Bool = { measured[$0] != nil }
        let withoutBackend = await PipelineBenchmarks.run(scale: scale, filter: selected)
        let prometheus = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(FuseboxMetricsFactory(registry: prometheus))
        let withBackend = await PipelineBenchmarks.run(scale: scale, filter: selected)
        var exposition: [UInt8] = []
        prometheus.emit(into: &exposition)
        let emitted = String(decoding: exposition, as: UTF8.self)

        var results = withoutBackend
        for result in withBackend {
            guard let (dependency, loopDivisor) = measured[result.name],
                let baseline = withoutBackend.first(where: { $0.name == result.name })
            else { continue }
            let counted = successes(of: dependency, in: emitted)
            // At least one measured loop's calls (each loop runs several times).
            let expected = PipelineBenchmarks.iterations(scale: scale) / loopDivisor
            var figure = result
            figure.name += ".prometheus_metrics"
            figure.baseline = result.name
            figure.baselineValue = baseline.value
            // Not a speed target: proof that the backend was written to, so the figure means what it says.
            figure.target = "every call counted by swift-prometheus"
            figure.meetsTarget = counted >= Double(expected)
            figure.note =
                "two counters and a histogram sample per call: \(Int((result.value - baseline.value).rounded())) ns"
                + " over the same pipeline without a backend; swift-prometheus counted \(Int(counted)) successes"
            results.append(figure)
        }
        return results
    }

    /// The `fusebox_calls_total` sample for `dependency`'s successes in a Prometheus exposition.
    static func successes(of dependency: String, in exposition: String) -> Double {
        for line in exposition.split(separator: "\n") where line.hasPrefix("fusebox_calls_total{") {
            guard line.contains("dependency=\"\(dependency)\""), line.contains("outcome=\"success\""),
                let value = line.split(separator: " ").last.flatMap({ Double($0) })
            else { continue }
            return value
        }
        return 0
    }
}
