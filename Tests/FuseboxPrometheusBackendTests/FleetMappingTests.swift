import Foundation
import FuseboxProtocol
import Testing

@testable import FuseboxPrometheusBackend

@Suite struct FleetMappingTests {
    func fleet() throws -> [FleetAssembler.Target: Snapshot] {
        FleetAssembler.snapshots(
            states: try Fixtures.samples(Fixtures.states), values: try Fixtures.samples(Fixtures.values),
            latency: try Fixtures.samples(Fixtures.latency))
    }

    @Test func oneSnapshotPerJobAndInstanceWithTheJobAsService() throws {
        let fleet = try fleet()
        #expect(fleet.count == 3)
        let first = try #require(fleet[.init(job: "checkout", instance: "10.0.0.1:9901")])
        #expect(first.service == "checkout" && first.instance == "10.0.0.1:9901")
        #expect(
            first.dependencies.map(\.name) == ["payments", "search"], "no state, no dependency: 'ghost' is left out")
        #expect(first.takenAtMilliseconds == 1_700_000_000_250)
        #expect(first.events.isEmpty && first.flags.isEmpty && first.lastEventSequence == 0)
        let second = try #require(fleet[.init(job: "checkout", instance: "10.0.0.2:9901")])
        #expect(second.dependency(named: "payments")?.breaker.state == .open)
        #expect(second.dependency(named: "payments")?.calls.rejectedByReason == [.breakerOpen: 30])
    }

    @Test func fuseboxCountersAddUpAndUnknownsStayNil() throws {
        let payments = try #require(
            try fleet()[.init(job: "checkout", instance: "10.0.0.1:9901")]?
                .dependency(named: "payments"))
        #expect(payments.breaker.state == .closed)
        #expect(payments.breaker.failureRate == nil && payments.breaker.windowSize == nil)
        #expect(payments.breaker.halfOpenProbes == nil && payments.breaker.failureRateThreshold == nil)
        #expect(payments.calls.successes == 90 && payments.calls.failures == 7 && payments.calls.bypassed == 1)
        #expect(payments.calls.rejected == 2 && payments.calls.calls == 100)
        #expect(payments.calls.timeouts == nil && payments.calls.cacheHits == nil)
        #expect(payments.retry.attempts == 110 && payments.retry.retries == 13 && payments.retry.budgetDenied == 0)
        #expect(payments.retry.maxAttempts == nil && payments.retry.budgetRatio == nil)
        #expect(payments.bulkhead?.maxConcurrent == 8 && payments.bulkhead?.inFlight == 3)
        #expect(payments.bulkhead?.rejected == 2)
        #expect(
            payments.fallbacks.activations == [
                .init(fallback: "cache", kind: .staleCache, reason: .breakerOpen, count: 4)
            ])
        #expect(payments.rateLimiter == nil && payments.slo == nil)
        let search = try #require(
            try fleet()[.init(job: "checkout", instance: "10.0.0.1:9901")]?
                .dependency(named: "search"))
        #expect(search.calls.calls == 0 && search.bulkhead == nil && search.latency == .unknown)
    }

    @Test func latencyBucketsBecomeMillisecondsAndPercentilesInterpolate() throws {
        let latency = try #require(
            try fleet()[.init(job: "checkout", instance: "10.0.0.1:9901")]?
                .dependency(named: "payments")?.latency)
        #expect(
            latency.buckets == [
                LatencyBucket(upperBoundMilliseconds: 50, count: 10),
                LatencyBucket(upperBoundMilliseconds: 100, count: 50),
                LatencyBucket(upperBoundMilliseconds: 250, count: 40),
                LatencyBucket(upperBoundMilliseconds: nil, count: 0),
            ])
        #expect(latency.count == 100 && latency.windowMilliseconds == 60_000)
        #expect(latency.p50 == 50 + 50 * (50 - 10) / 50.0)
        #expect(latency.p90 == 100 + 150 * (90 - 60) / 40.0)
        #expect(latency.mean == 95)
        #expect(latency.min == nil && latency.max == nil)
    }

    @Test func percentilesInTheOpenBucketGiveTheHighestBoundAndEmptyGivesNil() {
        let buckets = [
            LatencyBucket(upperBoundMilliseconds: 10, count: 1), LatencyBucket(upperBoundMilliseconds: nil, count: 9),
        ]
        #expect(Percentiles.value(0.05, of: buckets) == 5)
        #expect(Percentiles.value(0.99, of: buckets) == 10)
        #expect(Percentiles.value(0.5, of: [LatencyBucket(upperBoundMilliseconds: 10, count: 0)]) == nil)
        #expect(Percentiles.value(0.5, of: []) == nil)
    }

    @Test func resilience4jMetricsMapOntoTheSameShape() throws {
        let inventory = try #require(
            try fleet()[.init(job: "orders", instance: "10.0.0.9:8080")]?
                .dependency(named: "inventory"))
        #expect(inventory.breaker.state == .halfOpen)
        #expect(inventory.breaker.failureRate == 20.5 && inventory.breaker.slowCallRate == nil, "-1 is unknown")
        #expect(inventory.calls.successes == 42 && inventory.calls.failures == 10 && inventory.calls.rejected == 6)
        #expect(inventory.calls.calls == 58 && inventory.calls.bypassed == nil)
        #expect(
            inventory.retry.successesAfterRetry == 3 && inventory.retry.exhausted == 1 && inventory.retry.retries == nil
        )
        #expect(inventory.bulkhead?.maxConcurrent == 10 && inventory.bulkhead?.inFlight == 3)
        #expect(inventory.latency.count == 4 && inventory.latency.p50 == nil, "only the open bucket: no finite bound")
    }

    @Test func resilience4jStatesMap() {
        #expect(FleetAssembler.resilience4jState("forced_open") == .forcedOpen)
        #expect(FleetAssembler.resilience4jState("metrics_only") == .disabled)
        #expect(FleetAssembler.resilience4jState("disabled") == .disabled)
        #expect(FleetAssembler.resilience4jState("OPEN") == nil)
    }

    @Test func anInstanceUnderTwoJobsGetsTheJobInItsName() throws {
        let states = try Fixtures.samples(
            Fixtures.vector([
                Fixtures.series(
                    Fixtures.fusebox("fusebox_breaker_state", job: "a", instance: "h:1", ["state": "closed"]), "1"),
                Fixtures.series(
                    Fixtures.fusebox("fusebox_breaker_state", job: "b", instance: "h:1", ["state": "open"]), "1"),
                Fixtures.series(["__name__": "fusebox_breaker_state", "dependency": "x", "state": "open"], "1"),
            ]))
        let fleet = FleetAssembler.snapshots(states: states, values: [], latency: [])
        #expect(Set(fleet.values.map(\.instance)) == ["a/h:1", "b/h:1"], "a series without job or instance is skipped")
    }

    @Test func twoStatesAtOnceShowTheOneFurthestFromClosed() throws {
        let states = try Fixtures.samples(
            Fixtures.vector([
                Fixtures.series(Fixtures.fusebox("fusebox_breaker_state", ["state": "open"]), "1"),
                Fixtures.series(Fixtures.fusebox("fusebox_breaker_state", ["state": "closed"]), "1"),
            ]))
        let fleet = FleetAssembler.snapshots(states: states, values: [], latency: [])
        #expect(fleet.values.first?.dependencies.first?.breaker.state == .open)
    }
}
