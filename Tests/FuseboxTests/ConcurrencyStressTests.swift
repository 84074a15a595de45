import Fusebox
import FuseboxProtocol
import Testing

/// Thousands of tasks on every core at once; the final counts must add up exactly.
@Suite(.timeLimit(.minutes(2))) struct ConcurrencyStressTests {
    @Test func pipelineCountsAreExactUnderConcurrency() async throws {
        let registry = FuseboxRegistry(service: "s", instance: "i", random: SeededRandom(seed: 5), logger: quietLogger)
        var c = DependencyConfiguration(name: "auth")
        c.breaker.failureRateThreshold = 100
        c.breaker.minimumCalls = 1_000_000
        c.retry.maxAttempts = 2
        c.retry.initialBackoff = .zero
        c.retry.maxBackoff = .zero
        c.retryBudget = nil
        c.bulkhead = BulkheadConfiguration(maxConcurrent: 64, maxWaiting: 10_000, maxWait: .seconds(60))
        let d = try registry.register(c)
        let tasks = 4_000
        let callsPerTask = 5
        // Call i fails on its first attempt when i % 5 == 0 and on every attempt when i % 25 == 0.
        try await withThrowingTaskGroup(of: Void.self) { group in
            for t in 0..<tasks {
                group.addTask {
                    for k in 0..<callsPerTask {
                        let i = t * callsPerTask + k
                        let tries = LockedBox(0)
                        _ = try? await d.execute(idempotent: true, fallbacks: [.staticDefault(0)]) {
                            () async throws -> Int in
                            let attempt = tries.mutate {
                                $0 += 1; return $0
                            }
                            if i % 25 == 0 || (i % 5 == 0 && attempt == 1) { throw DownstreamError() }
                            return i
                        }
                    }
                }
            }
            try await group.waitForAll()
        }
        let total = tasks * callsPerTask
        let alwaysFail = total / 25
        let failOnce = total / 5 - alwaysFail
        let s = registry.snapshot().dependency(named: "auth")!
        #expect(s.calls.calls == UInt64(total))
        #expect(s.calls.failures == UInt64(alwaysFail))
        #expect(s.calls.successes == UInt64(total - alwaysFail))
        #expect(s.retry.successesAfterRetry == UInt64(failOnce))
        #expect(s.retry.retries == UInt64(failOnce + alwaysFail))
        #expect(s.retry.attempts == UInt64(total + failOnce + alwaysFail))
        #expect(s.retry.exhausted == UInt64(alwaysFail))
        #expect(s.fallbacks.total == UInt64(alwaysFail))
        #expect(s.latency.count == UInt64(total + failOnce + alwaysFail))
        #expect(s.bulkhead?.inFlight == 0 && s.bulkhead?.waiting == 0)
    }

    @Test func breakerAdmissionsAddUpWhileItTrips() async {
        let breaker = CircuitBreaker(
            name: "p", configuration: smallBreaker(window: .count(100), minimumCalls: 50, wait: .seconds(3600)))
        let counts = await withTaskGroup(of: (Int, Int).self) { group in
            for worker in 0..<8 {
                group.addTask {
                    var admitted = 0
                    var rejected = 0
                    for i in 0..<20_000 {
                        if case .admitted(let p) = breaker.acquire() {
                            admitted += 1
                            breaker.record(p, (i + worker) % 3 == 0 ? .success : .failure, durationNanoseconds: 1)
                        } else {
                            rejected += 1
                        }
                    }
                    return (admitted, rejected)
                }
            }
            var total = (0, 0)
            for await (a, r) in group { total = (total.0 + a, total.1 + r) }
            return total
        }
        #expect(counts.0 + counts.1 == 8 * 20_000)
        #expect(breaker.state == .open)
        #expect(counts.0 >= 50, "it admitted at least the minimum calls before tripping")
        let window = breaker.snapshot()
        #expect(window.windowCalls! <= 100 && window.windowFailures! <= window.windowCalls!)
    }

    @Test func timeWindowCountsEveryConcurrentCall() async {
        let clock = ManualClock(start: 5_000_000_000)
        let breaker = CircuitBreaker(
            name: "p", configuration: smallBreaker(window: .time(seconds: 10), minimumCalls: 10), clock: clock)
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<4 {
                group.addTask {
                    for _ in 0..<25_000 { breaker.call(.success) }
                }
            }
        }
        #expect(breaker.snapshot().windowCalls == 100_000)
    }

    @Test func closedBreakerWindowIsExactAfterConcurrentSuccesses() async {
        let breaker = CircuitBreaker(name: "p", configuration: smallBreaker(window: .count(1000), minimumCalls: 10))
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<4 {
                group.addTask {
                    for _ in 0..<50_000 { breaker.call(.success) }
                }
            }
        }
        let s = breaker.snapshot()
        #expect(s.windowCalls == 1000 && s.windowFailures == 0 && s.state == .closed)
    }
}
