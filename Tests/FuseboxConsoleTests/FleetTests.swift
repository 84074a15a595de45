import FuseboxConsole
import FuseboxProtocol
import Testing

/// Rates come from the same instance's same dependency in the previous poll, however its list changed.
@Suite struct FleetTests {
    /// A dependency with these counters; p99 is the call count, so histories show which poll a value is from.
    func dependency(_ name: String, calls: UInt64, failures: UInt64 = 0, retries: UInt64 = 0) -> DependencySnapshot {
        DependencySnapshot(
            name: name, criticality: .degradable, metadata: [:],
            breaker: BreakerSnapshot(
                state: .closed, stateSinceMilliseconds: 0, windowKind: .count, windowSize: 100, windowCalls: 0,
                windowFailures: 0, windowSlowCalls: 0, failureRate: 7, slowCallRate: 0, failureRateThreshold: 50,
                slowCallRateThreshold: 100, slowCallDurationMilliseconds: 1000, minimumCalls: 20, halfOpenProbes: 5,
                halfOpenProbesAdmitted: 0, consecutiveTrips: 0, openUntilMilliseconds: nil, backIn: nil),
            calls: CallCounts(calls: calls, failures: failures),
            retry: RetrySnapshot(
                maxAttempts: 3, attempts: calls, retries: retries, successesAfterRetry: 0, exhausted: 0,
                budgetDenied: 0, budgetRatio: nil, budgetAvailable: nil),
            fallbacks: FallbackSnapshot(chain: [], activations: [], unserved: 0, maxStalenessMilliseconds: nil),
            bulkhead: nil, rateLimiter: nil,
            latency: LatencySnapshot(
                count: calls, windowMilliseconds: 30_000, min: 0, mean: 0, p50: 0, p90: 0, p99: Double(calls),
                p999: 0, max: 0, buckets: []),
            slo: nil)
    }

    func snapshot(_ instance: String, at seconds: Int64, _ dependencies: [DependencySnapshot]) -> Snapshot {
        Snapshot(
            service: "svc", instance: instance, takenAtMilliseconds: seconds * 1000, lastEventSequence: 0,
            degradationLevel: .normal, dependencies: dependencies, flags: [], events: [])
    }

    func row(_ fleet: Fleet, _ id: String) throws -> DependencyRow {
        try #require(fleet.rows.first { $0.id == id }, "no row \(id)")
    }

    @Test func addedRemovedAndReorderedDependenciesKeepTheirOwnRates() throws {
        var fleet = Fleet().advanced(
            to: [
                snapshot(
                    "i1", at: 10,
                    [dependency("a", calls: 100), dependency("b", calls: 200), dependency("c", calls: 300)]),
                snapshot("i2", at: 10, [dependency("a", calls: 1000), dependency("b", calls: 2000)]),
            ], atMilliseconds: 10_000)
        // Two seconds later: on i1, `c` is gone, `d` is new and the list is in another order; i2 lost `a`.
        fleet = fleet.advanced(
            to: [
                snapshot(
                    "i1", at: 12,
                    [
                        dependency("b", calls: 260, failures: 6, retries: 8), dependency("d", calls: 50),
                        dependency("a", calls: 110),
                    ]),
                snapshot("i2", at: 12, [dependency("b", calls: 2100)]),
            ], atMilliseconds: 12_000)
        #expect(fleet.rows.map(\.id) == ["i1/b", "i1/d", "i1/a", "i2/b"])
        let b = try row(fleet, "i1/b")
        #expect(b.callsPerSecond == 30)
        #expect(b.retriesPerSecond == 4)
        #expect(b.intervalFailurePercent == 10)
        #expect(b.failureHistory == [7, 10])
        #expect(b.latencyHistory == [200, 260])
        #expect(try row(fleet, "i1/a").callsPerSecond == 5)
        #expect(try row(fleet, "i1/a").latencyHistory == [100, 110])
        let d = try row(fleet, "i1/d")
        #expect(d.callsPerSecond == 0, "first sight: no rate yet")
        #expect(d.failureHistory == [7])
        #expect(d.latencyHistory == [50])
        #expect(try row(fleet, "i2/b").callsPerSecond == 50, "i2's b, not i1's")

        // Back in name order, with `c` back.
        fleet = fleet.advanced(
            to: [
                snapshot(
                    "i1", at: 14,
                    [
                        dependency("a", calls: 130), dependency("b", calls: 300), dependency("c", calls: 310),
                        dependency("d", calls: 70),
                    ])
            ], atMilliseconds: 14_000)
        #expect(try row(fleet, "i1/a").callsPerSecond == 10)
        #expect(try row(fleet, "i1/a").latencyHistory == [100, 110, 130])
        #expect(try row(fleet, "i1/b").callsPerSecond == 20)
        #expect(try row(fleet, "i1/c").callsPerSecond == 0, "gone for a poll: starts again")
        #expect(try row(fleet, "i1/c").latencyHistory == [310])
        #expect(try row(fleet, "i1/d").callsPerSecond == 10)
        #expect(try row(fleet, "i1/d").latencyHistory == [50, 70])
    }

    @Test func changingOneRowLeavesTheOthersAndTheFleetAlone() throws {
        let fleet = Fleet().advanced(
            to: [snapshot("i1", at: 10, [dependency("a", calls: 1), dependency("b", calls: 2)])], atMilliseconds: 1)
        var rows = fleet.rows
        rows[0].instance = "i9"
        rows[0].failureHistory = [1, 2, 3]
        #expect(rows[0].instance == "i9")
        #expect(rows[0].id == "i1/a", "the id is the row's identity, as before")
        #expect(rows[0].failureHistory == [1, 2, 3])
        #expect(rows[0].latencyHistory == [1])
        #expect(rows[0].name == "a")
        #expect(rows[1].instance == "i1")
        #expect(rows[1].failureHistory == [7])
        #expect(fleet.rows[0].instance == "i1")
        #expect(fleet.rows[0].failureHistory == [7])
        #expect(rows[0] != fleet.rows[0])
        #expect(rows[1] == fleet.rows[1])
    }
}
