import FuseboxConsole
import FuseboxProtocol

enum ConsoleBenchmarks {
    /// A fleet of `count` dependencies across `instances` instances (instance `i` belongs to service
    /// `i % services`), with varied states.
    static func snapshots(
        dependencies count: Int, instances: Int, services: Int = 1, at time: Int64, calls: UInt64
    ) -> [Snapshot] {
        let states: [BreakerState] = [.closed, .closed, .closed, .closed, .open, .halfOpen, .forcedOpen, .recovering]
        return (0..<instances).map { instance in
            let dependencies = (0..<(count / instances)).map { index -> DependencySnapshot in
                let state = states[index % states.count]
                let breaker = BreakerSnapshot(
                    state: state, stateSinceMilliseconds: time, windowKind: .count, windowSize: 100,
                    windowCalls: 100, windowFailures: index % 60, windowSlowCalls: index % 7,
                    failureRate: Double(index % 60), slowCallRate: Double(index % 7), failureRateThreshold: 50,
                    slowCallRateThreshold: 100, slowCallDurationMilliseconds: 1000, minimumCalls: 20,
                    halfOpenProbes: 5, halfOpenProbesAdmitted: 0, consecutiveTrips: 0, openUntilMilliseconds: nil,
                    backIn: state == .recovering
                        ? BackInProgress(
                            schedule: .standard, share: 0.25, step: 1, startedAtMilliseconds: time, calls: 10,
                            failures: 0, slowCalls: 0, turnedAway: 30) : nil)
                return DependencySnapshot(
                    name: "dependency-\(index)", criticality: index % 3 == 0 ? .critical : .degradable,
                    metadata: ["owner": "team-\(index % 17)"], breaker: breaker,
                    calls: CallCounts(calls: calls * UInt64(1 + index % 5), successes: calls, failures: UInt64(index)),
                    retry: RetrySnapshot(
                        maxAttempts: 3, attempts: calls, retries: calls / 10, successesAfterRetry: 0, exhausted: 0,
                        budgetDenied: 0, budgetRatio: 0.2, budgetAvailable: 10),
                    fallbacks: FallbackSnapshot(
                        chain: ["static-default"], activations: [], unserved: 0, maxStalenessMilliseconds: nil),
                    bulkhead: nil, rateLimiter: nil,
                    latency: LatencySnapshot(
                        count: 100, windowMilliseconds: 30_000, min: 1, mean: 20, p50: 15, p90: 40,
                        p99: Double(50 + index % 400), p999: 600, max: 700, buckets: []),
                    slo: nil)
            }
            return Snapshot(
                service: services == 1 ? "svc" : "svc-\(instance % services)", instance: "svc-\(instance)",
                takenAtMilliseconds: time, lastEventSequence: 0, degradationLevel: .normal,
                dependencies: dependencies, flags: [], events: [])
        }
    }

    static func run(scale: Double, filter: @Sendable (String) -> Bool) -> [Result] {
        var results = fold(scale: scale, filter: filter)
        let repeats = max(5, Int(50 * scale))
        for (count, width, height, name) in [
            (10_000, 200, 60, "console.render.overview_10000_dependencies_200x60"),
            (500, 120, 40, "console.render.overview_500_dependencies_120x40"),
        ] where filter(name) {
            var state = ConsoleState(source: "bench", readOnly: false, intervalSeconds: 1, width: width, height: height)
            _ = update(
                &state,
                .data(snapshots(dependencies: count, instances: 4, at: 1_000, calls: 100), atMilliseconds: 1_000))
            _ = update(
                &state,
                .data(snapshots(dependencies: count, instances: 4, at: 2_000, calls: 200), atMilliseconds: 2_000))
            var best = Double.infinity
            for _ in 0..<repeats {
                let start = now()
                blackHole(render(state))
                best = min(best, Double(now() - start) / 1e6)
            }
            // A key press: update, then render.
            var keyBest = Double.infinity
            for _ in 0..<repeats {
                let start = now()
                _ = update(&state, .key(.down))
                blackHole(render(state))
                keyBest = min(keyBest, Double(now() - start) / 1e6)
            }
            results.append(
                Result(
                    name: name, value: best, unit: "ms", target: count == 10_000 ? "<= 2 ms" : nil,
                    meetsTarget: count == 10_000 ? best <= 2 : nil))
            results.append(
                Result(
                    name: name.replacingOccurrences(of: "render.overview", with: "key_press"), value: keyBest,
                    unit: "ms", target: "<= 16 ms (one frame)", meetsTarget: keyBest <= 16,
                    note: "update + render, the terminal's own output excluded"))
        }
        return results
    }

    /// Exactly one `.data` message: `update(&state, .data(...))` on a state that already holds the
    /// previous polls, sorted by the default key. The state is warmed up with a minute of polls first,
    /// so every row has a predecessor and a full history (the steady state of an open console); four
    /// instances in two services, so rows are grouped by service too. Each round's data is built
    /// before the clock starts.
    static func fold(scale: Double, filter: @Sendable (String) -> Bool) -> [Result] {
        var results: [Result] = []
        let rounds = max(5, Int(20 * scale))
        for (count, services) in [(10_000, 2), (10_000, 4), (500, 2)] {
            // Four services of one instance each: no fleet rows, the baseline of the same size.
            let name = "console.fold.poll_\(count)_dependencies" + (services == 4 ? "_no_fleets" : "")
            guard filter(name) else { continue }
            var state = ConsoleState(source: "bench", readOnly: false, intervalSeconds: 1, width: 200, height: 60)
            func poll(_ index: Int) -> [Snapshot] {
                snapshots(
                    dependencies: count, instances: 4, services: services, at: Int64(index) * 1000,
                    calls: 100 * UInt64(index))
            }
            let warmUp = Fleet.historyLength + 1
            for index in 1...warmUp { _ = update(&state, .data(poll(index), atMilliseconds: Int64(index) * 1000)) }
            var best = Double.infinity
            for round in 1...rounds {
                let index = warmUp + round
                let data = poll(index)
                let start = now()
                _ = update(&state, .data(data, atMilliseconds: Int64(index) * 1000))
                best = min(best, Double(now() - start) / 1e6)
            }
            precondition(state.shown.rows.count == count)
            // Two instances per service: one fleet row for each pair, collapsed.
            precondition(state.visibleRows.count == (services == 2 ? count / 2 : count))
            precondition(state.visibleRows[0].failureHistory.count == Fleet.historyLength)
            results.append(
                Result(
                    name: name, value: best, unit: "ms", target: count == 10_000 ? "<= 10 ms" : nil,
                    meetsTarget: count == 10_000 ? best <= 10 : nil,
                    note:
                        "update(.data) on the previous poll's state, full histories; 4 instances, \(services) services"
                        + (services == 2 ? " (fleets of 2: one fleet row per pair)" : " (no fleets)")))
        }
        return results
    }
}
