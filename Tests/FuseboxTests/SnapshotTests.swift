import Foundation
import Fusebox
import FuseboxProtocol
import Testing

@Suite(.timeLimit(.minutes(2))) struct SnapshotTests {
    let clock = ManualClock()

    @Test func latencyHistogramPercentilesAndBuckets() async throws {
        let registry = makeRegistry(clock: clock)
        var c = DependencyConfiguration(name: "auth")
        c.statisticsWindow = .seconds(600)  // the calls below take 500 s of clock time
        let d = try registry.register(c)
        let clock = self.clock
        // 1,000 calls taking 1...1000 ms.
        for ms in 1...1000 {
            _ = try await d.execute { () async throws -> Int in
                clock.advance(by: .milliseconds(ms))
                return ms
            }
        }
        let latency = registry.snapshot().dependency(named: "auth")!.latency
        #expect(latency.count == 1000)
        let buckets = try #require(latency.buckets)
        #expect(abs(latency.p50! - 500) <= 5, "\(latency.p50!)")
        #expect(abs(latency.p90! - 900) <= 9)
        #expect(abs(latency.p99! - 990) <= 10)
        #expect(latency.max! >= 999 && latency.max! <= 1010)
        #expect(buckets.reduce(0) { $0 + $1.count } == 1000)
        let upTo10 = buckets.filter { ($0.upperBoundMilliseconds ?? .infinity) <= 10 }.reduce(0) {
            $0 + $1.count
        }
        #expect(upTo10 == 10)
        #expect(buckets.last!.upperBoundMilliseconds == nil)
    }

    @Test func emptyBucketsOutsideTheUsedSpanAreLeftOut() async throws {
        let registry = makeRegistry(clock: clock)
        let d = try registry.register(DependencyConfiguration(name: "auth"))
        let clock = self.clock
        for ms in [30, 40, 300] {
            _ = try await d.execute { () async throws -> Int in
                clock.advance(by: .milliseconds(ms))
                return ms
            }
        }
        let buckets = try #require(registry.snapshot().dependency(named: "auth")!.latency.buckets)
        // From the first non-empty bucket (<= 50 ms) to the last (<= 500 ms), empty ones between
        // kept, then the unbounded bucket.
        #expect(buckets.map(\.upperBoundMilliseconds) == [50, 100, 200, 500, nil])
        #expect(buckets.map(\.count) == [2, 0, 0, 1, 0])
    }

    @Test func latencyWindowForgetsOldCalls() async throws {
        let registry = makeRegistry(clock: clock)
        var c = DependencyConfiguration(name: "auth")
        c.statisticsWindow = .seconds(10)
        let d = try registry.register(c)
        _ = try await d.execute { 1 }
        #expect(registry.snapshot().dependency(named: "auth")!.latency.count == 1)
        clock.advance(by: .seconds(25))
        #expect(registry.snapshot().dependency(named: "auth")!.latency.count == 0)
    }

    @Test func sloBurnRate() async throws {
        let registry = makeRegistry(clock: clock)
        var c = DependencyConfiguration(name: "payments", criticality: .critical)
        c.slo = ServiceLevelObjective(successRatio: 0.99, latencyTarget: .milliseconds(300))
        c.retry = .disabled
        c.breaker.minimumCalls = 10_000
        let d = try registry.register(c)
        let clock = self.clock
        for i in 0..<100 {
            _ = try? await d.execute { () async throws -> Int in
                if i < 2 { throw DownstreamError() }
                if i < 4 { clock.advance(by: .milliseconds(400)) }  // too slow to be good
                return i
            }
        }
        let slo = registry.snapshot().dependency(named: "payments")!.slo!
        #expect(slo.windowCalls == 100)
        #expect(abs(slo.successRatio - 0.96) < 1e-9)
        #expect(abs(slo.burnRate - 4) < 1e-6, "4% bad against a 1% budget burns 4x")
    }

    @Test func snapshotNamesServiceInstanceAndEncodes() throws {
        let registry = makeRegistry(clock: clock)
        var c = DependencyConfiguration(name: "payments", criticality: .critical)
        c.metadata = ["owner": "payments-team", "runbook": "https://runbooks.example/payments"]
        c.bulkhead = BulkheadConfiguration(maxConcurrent: 10)
        c.rateLimit = RateLimiterConfiguration(ratePerSecond: 100, burst: 10)
        c.declaredFallbacks = ["payments-eu"]
        try registry.register(c)
        let snapshot = registry.snapshot()
        #expect(snapshot.service == "checkout" && snapshot.instance == "test-1")
        #expect(snapshot.formatVersion == FormatVersion.current)
        let payments = snapshot.dependency(named: "payments")!
        #expect(payments.metadata["runbook"] == "https://runbooks.example/payments")
        #expect(payments.bulkhead?.maxConcurrent == 10 && payments.rateLimiter?.burst == 10)
        #expect(payments.fallbacks.chain == ["payments-eu"])
        #expect(snapshot.flags.map(\.name) == [FuseboxRegistry.degradationFlagName])
        let data = try JSONEncoder().encode(snapshot)
        #expect(try JSONDecoder().decode(Snapshot.self, from: data) == snapshot)
        #expect(snapshot.countsByState == [.closed: 1])
    }

    @Test func eventRingIsBoundedWithMonotonicSequences() {
        let log = EventLog(capacity: 5)
        for i in 0..<12 { log.append(Event(atMilliseconds: Int64(i), kind: .command, message: "e\(i)")) }
        let events = log.recent()
        #expect(events.map(\.sequence) == [8, 9, 10, 11, 12])
        #expect(events.map(\.message) == ["e7", "e8", "e9", "e10", "e11"])
        #expect(log.recent(limit: 2).map(\.sequence) == [11, 12])
        #expect(log.recent(after: 10).map(\.sequence) == [11, 12])
        #expect(log.lastSequence == 12)
    }

    @Test func transitionEventsCarryRatesAtThatMoment() async throws {
        let registry = makeRegistry(clock: clock)
        var c = DependencyConfiguration(name: "inventory", criticality: .critical)
        c.breaker.minimumCalls = 4
        c.breaker.window = .count(4)
        c.retry = .disabled
        let d = try registry.register(c)
        for i in 0..<4 {
            _ = try? await d.execute { () async throws -> Int in
                if i > 0 { throw DownstreamError() }
                return 1
            }
        }
        let event = registry.snapshot().events.first { $0.kind == .transition }!
        #expect(event.to == .breaker(.open) && event.failureRate == 75)
        #expect(event.message.hasPrefix("inventory: CLOSED -> OPEN (failure rate 75.0% >= 50.0% over 4 calls"))
    }

    @Test func registrationRejectsBadConfigurations() {
        let registry = makeRegistry()
        var c = DependencyConfiguration(name: "x")
        c.breaker.failureRateThreshold = 150
        #expect(
            throws: FuseboxConfigurationError.invalid(
                "x", "breaker: failureRateThreshold must be a percentage above 0 and at most 100 (got 150.0)")
        ) {
            try registry.register(c)
        }
        #expect(throws: FuseboxConfigurationError.self) {
            try registry.register(DependencyConfiguration(name: "has space"))
        }
    }
}
