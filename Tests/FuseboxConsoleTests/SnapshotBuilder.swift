import FuseboxConsole
import FuseboxProtocol

/// Builds snapshots for view and update tests in a few lines, without running the simulator, so a
/// change to a scenario never rewrites a golden file.
struct SnapshotBuilder {
    var service = "checkout"
    var instance = "checkout-1"
    var takenAtMilliseconds: Int64 = ConsoleFixtures.origin
    var dependencies: [DependencySnapshot] = []
    var flags: [FlagSnapshot] = []
    var events: [Event] = []

    init(service: String = "checkout", instance: String = "checkout-1", at: Int64 = ConsoleFixtures.origin) {
        self.service = service
        self.instance = instance
        self.takenAtMilliseconds = at
    }

    /// A dependency as a Fusebox runtime reports it: every field known.
    static func dependency(
        _ name: String, state: BreakerState = .closed, criticality: Criticality = .degradable, calls: UInt64 = 1_000,
        failures: UInt64 = 0, failureRate: Double = 0, slowCallRate: Double = 0, p99: Double = 40,
        retries: UInt64 = 0, fallbacks: UInt64 = 0, owner: String = "team-a"
    ) -> DependencySnapshot {
        let breaker = BreakerSnapshot(
            state: state, stateSinceMilliseconds: ConsoleFixtures.origin - 30_000, windowKind: .count, windowSize: 100,
            windowCalls: 100, windowFailures: Int(failureRate), windowSlowCalls: Int(slowCallRate),
            failureRate: failureRate, slowCallRate: slowCallRate, failureRateThreshold: 50, slowCallRateThreshold: 60,
            slowCallDurationMilliseconds: 1_000, minimumCalls: 20, halfOpenProbes: 5,
            halfOpenProbesAdmitted: state == .halfOpen ? 2 : 0, consecutiveTrips: state == .open ? 1 : 0,
            openUntilMilliseconds: nil,
            backIn: state == .recovering
                ? BackInProgress(
                    schedule: .standard, share: 0.25, step: 1, startedAtMilliseconds: ConsoleFixtures.origin - 40_000,
                    calls: 40, failures: 1, slowCalls: 0, turnedAway: 120) : nil)
        let activations =
            fallbacks == 0
            ? []
            : [FallbackActivationCount(fallback: "cache", kind: .staleCache, reason: .breakerOpen, count: fallbacks)]
        return DependencySnapshot(
            name: name, criticality: criticality, metadata: ["owner": owner, "runbook": "wiki/\(name)"],
            breaker: breaker,
            calls: CallCounts(
                calls: calls, successes: calls - failures, failures: failures, rejected: 0, bypassed: 0, timeouts: 0,
                cacheHits: 0, rejectedByReason: [:]),
            retry: RetrySnapshot(
                maxAttempts: 3, attempts: calls + retries, retries: retries, successesAfterRetry: retries / 2,
                exhausted: 0, budgetDenied: 0, budgetRatio: 0.2, budgetAvailable: 10),
            fallbacks: FallbackSnapshot(
                chain: ["cache", "static"], activations: activations, unserved: 0, maxStalenessMilliseconds: nil),
            bulkhead: nil, rateLimiter: nil,
            latency: LatencySnapshot(
                count: calls, windowMilliseconds: 30_000, min: 2, mean: p99 / 3, p50: p99 / 4, p90: p99 / 2, p99: p99,
                p999: p99 * 1.5, max: p99 * 2,
                buckets: [
                    LatencyBucket(upperBoundMilliseconds: 5, count: calls / 10),
                    LatencyBucket(upperBoundMilliseconds: 25, count: calls / 2),
                    LatencyBucket(upperBoundMilliseconds: 100, count: calls / 3),
                    LatencyBucket(upperBoundMilliseconds: 1_000, count: calls / 20),
                    LatencyBucket(upperBoundMilliseconds: nil, count: 0),
                ]),
            slo: nil)
    }

    /// A dependency as a source that knows little reports it (Prometheus-like): state and call counts.
    static func sparseDependency(_ name: String, state: BreakerState, calls: UInt64, failures: UInt64)
        -> DependencySnapshot
    {
        DependencySnapshot(
            name: name, criticality: .degradable, metadata: [:], breaker: BreakerSnapshot(state: state),
            calls: CallCounts(calls: calls, successes: calls - failures, failures: failures, rejected: 0),
            retry: .unknown,
            fallbacks: FallbackSnapshot(chain: [], activations: [], unserved: 0, maxStalenessMilliseconds: nil),
            bulkhead: nil, rateLimiter: nil, latency: .unknown, slo: nil)
    }

    func with(_ dependency: DependencySnapshot) -> SnapshotBuilder {
        var copy = self
        copy.dependencies.append(dependency)
        return copy
    }

    func with(flag name: String, _ value: FlagValue) -> SnapshotBuilder {
        var copy = self
        copy.flags.append(FlagSnapshot(name: name, value: value, description: "", owner: "team-a", lastChange: nil))
        return copy
    }

    func with(events: [Event]) -> SnapshotBuilder {
        var copy = self
        copy.events = events
        return copy
    }

    func build() -> Snapshot {
        Snapshot(
            service: service, instance: instance, takenAtMilliseconds: takenAtMilliseconds,
            lastEventSequence: events.last?.sequence ?? 0, degradationLevel: .normal,
            dependencies: dependencies.sorted { $0.name < $1.name }, flags: flags, events: events)
    }

    /// The standard test fleet: one dependency in each breaker state, and two flags.
    static func fleet(at: Int64, callsScale: UInt64) -> [Snapshot] {
        let builder = SnapshotBuilder(at: at)
            .with(
                dependency(
                    "payments", state: .open, criticality: .critical, calls: 300 * callsScale,
                    failures: 150 * callsScale, failureRate: 55, p99: 900, fallbacks: 20 * callsScale)
            )
            .with(dependency("catalog", calls: 250 * callsScale, failures: 40 * callsScale, failureRate: 22, p99: 80))
            .with(dependency("auth", criticality: .critical, calls: 400 * callsScale, p99: 12))
            .with(
                dependency(
                    "search", state: .halfOpen, calls: 100 * callsScale, failures: 5 * callsScale,
                    failureRate: 30, p99: 140)
            )
            .with(dependency("inventory", state: .forcedOpen, calls: 50 * callsScale, p99: 20))
            .with(dependency("pricing", state: .recovering, calls: 120 * callsScale, failureRate: 2, p99: 25))
            .with(dependency("analytics", state: .disabled, calls: 90 * callsScale, p99: 9))
            .with(flag: "recommendations.static-fallback", .boolean(false))
            .with(flag: "search.new-ranker", .percentage(10))
            .with(events: [
                Event(
                    sequence: 1, atMilliseconds: at - 20_000, kind: .transition, dependency: "payments",
                    from: .breaker(.closed), to: .breaker(.open), reason: "failure rate 55.0% >= 50.0%",
                    message: "payments: CLOSED -> OPEN (failure rate 55.0% >= 50.0% over 100 calls)"),
                Event(
                    sequence: 2, atMilliseconds: at - 15_000, kind: .fallback, dependency: "payments",
                    fallback: "cache",
                    fallbackKind: .staleCache, fallbackReason: .breakerOpen, count: 12,
                    message: "payments: cache served 12x (breaker-open)"),
                Event(
                    sequence: 3, atMilliseconds: at - 10_000, kind: .command, dependency: "inventory",
                    from: .breaker(.closed), to: .breaker(.forcedOpen), reason: "db failover", actor: "alice",
                    commandId: "alice-1", message: "force-open inventory by alice: applied"),
                Event(
                    sequence: 4, atMilliseconds: at - 5_000, kind: .transition, dependency: "search",
                    from: .breaker(.open), to: .breaker(.halfOpen), reason: "wait in open elapsed",
                    message: "search: OPEN -> HALF-OPEN (wait in open elapsed)"),
            ])
        return [builder.build()]
    }

    /// A console state over ``fleet(at:callsScale:)`` after two polls a second apart.
    static func state(width: Int = 120, height: Int = 40, readOnly: Bool = false) -> ConsoleState {
        var state = ConsoleState(
            source: "test", readOnly: readOnly, intervalSeconds: 1, width: width, height: height, actor: "alice",
            availableThemes: ["dark", "light"])
        let at = ConsoleFixtures.origin
        _ = update(&state, .data(fleet(at: at - 1_000, callsScale: 1), atMilliseconds: at - 1_000))
        _ = update(&state, .data(fleet(at: at, callsScale: 2), atMilliseconds: at))
        // Half a second after the last poll, and long enough after the first that the cursor's
        // question (``ConsoleState/followGuardMilliseconds``) no longer stands.
        _ = update(&state, .tick(atMilliseconds: at + 500))
        return state
    }
}
