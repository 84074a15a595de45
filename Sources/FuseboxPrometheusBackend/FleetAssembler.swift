import FuseboxProtocol

/// Turns the samples of one refresh's queries into one ``Snapshot`` per (`job`, `instance`) pair.
///
/// A dependency exists where a breaker-state series says so (`fusebox_breaker_state{dependency}` or
/// `resilience4j_circuitbreaker_state{name}`); counters, gauges and buckets attach to it by name and
/// are dropped when no state names it. What the metrics do not say stays `nil`.
enum FleetAssembler {
    /// Which scrape target a series came from.
    struct Target: Hashable, Sendable, Comparable {
        var job: String
        var instance: String

        init?(_ labels: [String: String]) {
            guard let job = labels["job"], let instance = labels["instance"], !instance.isEmpty else { return nil }
            self.job = job
            self.instance = instance
        }

        init(job: String, instance: String) {
            self.job = job
            self.instance = instance
        }

        static func < (a: Target, b: Target) -> Bool { (a.job, a.instance) < (b.job, b.instance) }
    }

    /// One dependency of one target.
    struct DependencyKey: Hashable {
        var target: Target
        var name: String
    }

    /// The snapshots, sorted by service and instance; an instance label found under two jobs is
    /// named `job/instance` so each name stays unique.
    static func snapshots(states: [VectorSample], values: [VectorSample], latency: [VectorSample]) -> [Target: Snapshot]
    {
        var parts: [DependencyKey: DependencyParts] = [:]
        var takenAt: [Target: Int64] = [:]
        for sample in states {
            guard let target = Target(sample.labels), let (name, family, state) = breakerState(sample.labels) else {
                continue
            }
            takenAt[target] = max(takenAt[target] ?? .min, sample.timestampMilliseconds)
            let key = DependencyKey(target: target, name: name)
            if parts[key] == nil { parts[key] = DependencyParts(family: family) }
            parts[key]?.observe(state)
        }
        for sample in values {
            guard let target = Target(sample.labels), let metric = sample.labels["__name__"] else { continue }
            let family: DependencyParts.Family = metric.hasPrefix("fusebox_") ? .fusebox : .resilience4j
            guard let name = sample.labels[family.nameLabel] else { continue }
            let key = DependencyKey(target: target, name: name)
            guard parts[key]?.family == family else { continue }
            parts[key]?.record(metric, sample.labels, sample.value)
        }
        for sample in latency {
            guard let target = Target(sample.labels) else { continue }
            let family: DependencyParts.Family = sample.labels["dependency"] != nil ? .fusebox : .resilience4j
            guard let name = sample.labels[family.nameLabel] else { continue }
            let key = DependencyKey(target: target, name: name)
            guard parts[key]?.family == family else { continue }
            parts[key]?.recordLatency(sample.labels["le"], sample.value)
        }
        var targets: [Target: [DependencySnapshot]] = [:]
        for (key, dependency) in parts {
            targets[key.target, default: []].append(dependency.snapshot(name: key.name))
        }
        var instanceJobs: [String: Int] = [:]
        for target in targets.keys { instanceJobs[target.instance, default: 0] += 1 }
        var snapshots: [Target: Snapshot] = [:]
        for (target, dependencies) in targets {
            let name =
                instanceJobs[target.instance, default: 0] > 1 ? "\(target.job)/\(target.instance)" : target.instance
            snapshots[target] = Snapshot(
                service: target.job, instance: name, takenAtMilliseconds: takenAt[target] ?? 0, lastEventSequence: 0,
                degradationLevel: .normal,
                dependencies: dependencies.sorted { $0.name < $1.name },
                flags: [], events: [])
        }
        return snapshots
    }

    /// The dependency, family and state a state series at 1 names.
    static func breakerState(_ labels: [String: String]) -> (String, DependencyParts.Family, BreakerState)? {
        switch labels["__name__"] {
        case "fusebox_breaker_state":
            guard let name = labels["dependency"], let state = labels["state"].flatMap(BreakerState.init) else {
                return nil
            }
            return (name, .fusebox, state)
        case "resilience4j_circuitbreaker_state":
            guard let name = labels["name"], let state = labels["state"].flatMap(resilience4jState) else { return nil }
            return (name, .resilience4j, state)
        default:
            return nil
        }
    }

    /// Resilience4j's state tag (`half_open`, `forced_open`, `metrics_only`) as a breaker state.
    /// `metrics_only` records but never trips: to an operator it is a breaker switched off.
    static func resilience4jState(_ tag: String) -> BreakerState? {
        switch tag {
        case "closed": return .closed
        case "open": return .open
        case "half_open": return .halfOpen
        case "forced_open": return .forcedOpen
        case "disabled", "metrics_only": return .disabled
        default: return nil
        }
    }
}
