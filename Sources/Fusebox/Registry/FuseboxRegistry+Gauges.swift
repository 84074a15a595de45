import CoreMetrics
import FuseboxProtocol

extension FuseboxRegistry {
    /// Sets the swift-metrics gauges that describe levels rather than count events: bulkhead use,
    /// rate-limiter tokens, SLO burn and success ratio per dependency, and every flag's value.
    ///
    /// Counters and the breaker-state gauges move as calls and transitions happen; levels are
    /// read on demand instead, so the hot path never pays for them. Call this before a scrape
    /// (the agent's `/metrics` route does) or on a timer for push-based metrics backends.
    public func publishGauges() {
        for dependency in dependencies {
            dependency.metrics.publishLevels(dependency.snapshot())
        }
        for flag in flags {
            let value: Double
            switch flag.value {
            case .boolean(let on): value = on ? 1 : 0
            case .percentage(let share): value = share
            case .degradation(let level): value = Double(DegradationLevel.allCases.firstIndex(of: level) ?? 0)
            }
            Gauge(label: "fusebox_flag_value", dimensions: [("flag", flag.name)]).record(value)
        }
    }
}
