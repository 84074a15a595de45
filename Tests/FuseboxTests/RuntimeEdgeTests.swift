import Fusebox
import FuseboxProtocol
import Testing

/// Issue 12, found by trying the runtime as a service owner would: negative and huge durations,
/// settings that cannot work, and callers that go away.
@Suite(.timeLimit(.minutes(1))) struct RuntimeEdgeTests {
    let clock = ManualClock()

    /// A call through `d` whose operation takes `nanoseconds` on the manual clock, then answers 1.
    func callTaking(_ nanoseconds: UInt64, through d: Dependency) -> Task<Outcome<Int>, any Error> {
        Task { [clock] in
            try await d.execute { () async throws -> Int in
                try await clock.sleep(nanoseconds: nanoseconds)
                return 1
            }
        }
    }

    /// A `Retry-After` date slightly in the past is a negative hint: retry at once, never crash.
    @Test func aNegativeRetryAfterHintRetriesAtOnce() async throws {
        let registry = makeRegistry(clock: clock)
        var c = DependencyConfiguration(name: "quotes")
        c.retry.maxAttempts = 2
        let d = try registry.register(c)
        let attempts = LockedBox(0)
        let outcome = try await d.execute(idempotent: true) { () async throws -> Int in
            attempts.mutate { $0 += 1 }
            if attempts.value == 1 {
                throw ClassifiedError(resilienceClassification: ErrorClassification(retryAfter: .milliseconds(-200)))
            }
            return 7
        }
        #expect(outcome.value == 7 && outcome.attempts == 2)
    }

    @Test func negativeLimitsAndClockStepsAreZeroNotACrash() async {
        let call = Task { [clock] in
            try await withTimeout(.milliseconds(-5), clock: clock) { () async throws -> Int in
                try await clock.sleep(nanoseconds: 1_000_000)
                return 1
            }
        }
        #expect(await clock.waitForSleepers(2))
        clock.advance(by: .zero)  // the limit is now: it fires without time passing
        await #expect(throws: TimeoutError.self) { try await outcome(call) }
        let before = clock.nanoseconds()
        clock.advance(by: .milliseconds(-1))
        #expect(clock.nanoseconds() == before)
        clock.advance(by: .seconds(Int64.max))
        #expect(clock.nanoseconds() >= before, "time never wraps backwards")
    }

    /// A deadline too large to add to the clock is no deadline, not one in the past.
    @Test func aHugeDeadlineNeverTimesOut() async throws {
        let registry = makeRegistry(clock: clock)
        var c = DependencyConfiguration(name: "quotes")
        c.deadline = .seconds(Int64.max)
        let d = try registry.register(c)
        let call = callTaking(20_000_000, through: d)
        #expect(await clock.waitForSleepers(1))
        clock.advance(by: .milliseconds(20))
        #expect(try await outcome(call).value == 1)
    }

    @Test func settingsThatCannotWorkAreRefusedInOneLine() {
        func problem(_ change: (inout DependencyConfiguration) -> Void) -> String? {
            var c = DependencyConfiguration(name: "quotes")
            change(&c)
            return c.validationProblem()
        }
        #expect(problem { $0.retryBudget = RetryBudgetConfiguration(ratio: .nan) }?.hasPrefix("retry budget:") == true)
        #expect(
            problem { $0.retryBudget = RetryBudgetConfiguration(ratio: .infinity) }?.hasPrefix("retry budget:") == true)
        #expect(problem { $0.retryBudget = RetryBudgetConfiguration(windowSeconds: 200_000_000) } != nil)
        #expect(problem { $0.retry.multiplier = .nan } == "retry: the backoff multiplier must be a number >= 1")
        #expect(
            problem {
                $0.retry.initialBackoff = .seconds(Int64.max)
                $0.retry.maxBackoff = .seconds(Int64.max)
            } == "retry: maxBackoff must be at most a day")
        #expect(
            problem { $0.statisticsWindow = .seconds(Int64.max) }
                == "statisticsWindow must be between 1 second and a day")
        #expect(
            problem { $0.breaker.slowCallDuration = .milliseconds(-1) } == "breaker: slowCallDuration must be positive")
        #expect(problem { $0.breaker.waitInOpen = .milliseconds(-500) } == "breaker: waitInOpen must be positive")
        #expect(
            problem { $0.slo = ServiceLevelObjective(successRatio: 0.99, latencyTarget: .milliseconds(-1)) }
                == "slo: latencyTarget must be positive")
        #expect(
            problem { $0.bulkhead = BulkheadConfiguration(maxConcurrent: 1, maxWaiting: 1, maxWait: .milliseconds(-1)) }
                == "bulkhead: maxWait must be zero or more")
        #expect(
            problem { $0.rateLimit = RateLimiterConfiguration(ratePerSecond: .infinity, burst: 1) }?
                .hasPrefix("rate limit:") == true)
    }

    /// Clients that hang up are not the downstream failing: no failure, no SLO burn.
    @Test func aCallerThatGoesIsNeitherAFailureNorAnSLOBurn() async throws {
        let registry = makeRegistry(clock: clock)
        var c = DependencyConfiguration(name: "quotes")
        c.slo = ServiceLevelObjective(successRatio: 0.99)
        let d = try registry.register(c)
        _ = try await d.execute { 1 }
        let call = callTaking(1_000_000_000, through: d)
        #expect(await clock.waitForSleepers(1))
        call.cancel()
        await #expect(throws: CancellationError.self) { try await call.value }
        let s = try #require(registry.snapshot().dependency(named: "quotes"))
        #expect(s.calls.failures == 0)
        #expect(s.slo?.successRatio == 1)
    }

    @Test func aCallerCancelledWhileQueuedAtTheBulkheadGetsCancellationNotAFallback() async throws {
        let registry = makeRegistry(clock: clock)
        var c = DependencyConfiguration(name: "quotes")
        c.bulkhead = BulkheadConfiguration(maxConcurrent: 1, maxWaiting: 1, maxWait: .seconds(10))
        let d = try registry.register(c)
        let holder = callTaking(5_000_000_000, through: d)
        #expect(await clock.waitForSleepers(1))
        let queued = Task { try await d.execute(fallbacks: [.staticDefault(-1)]) { 2 } }
        for _ in 0..<100_000 where registry.snapshot().dependency(named: "quotes")?.bulkhead?.waiting != 1 {
            await Task.yield()
        }
        queued.cancel()
        await #expect(throws: CancellationError.self) { try await outcome(queued) }
        holder.cancel()
        _ = try? await holder.value
    }
}
