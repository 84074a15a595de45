import Fusebox
import FuseboxProtocol
import Testing

/// The defects the runtime review found (issue 12), each with the test that failed before its fix.
@Suite(.timeLimit(.minutes(2))) struct RuntimeDefectTests {
    let clock = ManualClock()

    /// Finding 1: a count window smaller than `minimumCalls` could never hold enough calls to trip.
    @Test func aCountWindowSmallerThanMinimumCallsStillTrips() {
        var configuration = CircuitBreakerConfiguration()
        configuration.window = .count(10)  // minimumCalls stays at its default, 20
        #expect(configuration.minimumCalls == 20)
        #expect(configuration.effectiveMinimumCalls == 10)
        let breaker = CircuitBreaker(name: "payments", configuration: configuration, clock: clock) { _ in }
        for _ in 0..<9 { breaker.call(.failure) }
        #expect(breaker.state == .closed, "9 calls: fewer than the window holds")
        breaker.call(.failure)
        #expect(breaker.state == .open, "a full window of failures trips")
        #expect(breaker.snapshot().minimumCalls == 10, "the snapshot shows the minimum that applies")
    }

    /// Found by the reference model (`BreakerModelTests`): in a time window, the success that
    /// brought the window to its minimum was not checked when another success had checked earlier
    /// in the same second, so S, S, F, S (minimum 4, threshold 25%) stayed closed.
    @Test func aTimeWindowChecksTheSuccessThatReachesTheMinimum() {
        var configuration = smallBreaker(window: .time(seconds: 5), minimumCalls: 4, failureRate: 25)
        configuration.slowCallRateThreshold = 100
        let breaker = CircuitBreaker(name: "payments", configuration: configuration, clock: clock) { _ in }
        for outcome in [BreakerOutcome.success, .success, .failure] { breaker.call(outcome) }
        #expect(breaker.state == .closed, "three calls: fewer than the minimum")
        breaker.call(.success)
        #expect(breaker.state == .open, "1 failure in 4 calls is 25%: the fourth call trips it")
    }

    /// Finding 3: a threshold of 0 was accepted, and then half-open could never close.
    @Test(arguments: [0.0, -1, 100.5])
    func thresholdsOutsideZeroToHundredAreRefused(_ threshold: Double) throws {
        var failure = CircuitBreakerConfiguration()
        failure.failureRateThreshold = threshold
        #expect(failure.validationProblem()?.contains("failureRateThreshold") == true)
        var slow = CircuitBreakerConfiguration()
        slow.slowCallRateThreshold = threshold
        #expect(slow.validationProblem()?.contains("100 turns the slow-call check off") == true)
        var dependency = DependencyConfiguration(name: "payments")
        dependency.breaker = slow
        #expect(throws: FuseboxConfigurationError.self) { try makeRegistry(clock: clock).register(dependency) }
        var full = CircuitBreakerConfiguration()
        full.failureRateThreshold = 100
        full.slowCallRateThreshold = 100
        #expect(full.validationProblem() == nil, "100 is allowed: it turns a check off")
    }

    /// Finding 9: with `maxWait: .zero` the wait timer could fire before the waiter was queued, and
    /// the waiter then waited for good. Each trial must return, rejected, within a time limit.
    @Test func aZeroMaxWaitNeverHangs() async throws {
        let bulkhead = Bulkhead(
            configuration: BulkheadConfiguration(maxConcurrent: 1, maxWaiting: 1, maxWait: .zero), clock: SystemClock())
        #expect(bulkhead.tryEnter())
        for trial in 0..<300 {
            let entered = try await withThrowingTaskGroup(of: Bool?.self) { group in
                group.addTask { await bulkhead.enter() }
                group.addTask {
                    try await Task.sleep(for: .seconds(5))
                    return nil
                }
                defer { group.cancelAll() }
                return try await group.next()!
            }
            guard let entered else {
                Issue.record("trial \(trial): enter() with maxWait .zero did not return within 5 s")
                return
            }
            #expect(!entered, "the only slot is taken")
        }
        #expect(bulkhead.snapshot().waiting == 0, "no waiter left behind")
        bulkhead.leave()
        #expect(bulkhead.tryEnter(), "and the slot still works")
    }

    /// Finding 8: the non-idempotent guard blocked retries only; an `.alternate` fallback ran the
    /// same write again after a failed attempt (a charge could run twice).
    @Test func anAlternateNeverRunsAWriteAgainAfterAFailedAttempt() async throws {
        let registry = makeRegistry(clock: clock)
        var configuration = DependencyConfiguration(name: "payments")
        configuration.retry = .disabled
        let payments = try registry.register(configuration)
        let alternateRuns = LockedBox(0)
        let fallbacks: [Fallback<Int>] = [
            .alternate("payments-eu") {
                alternateRuns.mutate { $0 += 1 }
                return 2
            }
        ]
        await #expect(throws: DependencyFailure.self, "a write that may have happened is not run again elsewhere") {
            _ = try await payments.execute(idempotent: false, fallbacks: fallbacks) { () async throws -> Int in
                throw DownstreamError()
            }
        }
        #expect(alternateRuns.value == 0)
        // An idempotent call may go elsewhere after a failure.
        let served = try await payments.execute(idempotent: true, fallbacks: fallbacks) { () async throws -> Int in
            throw DownstreamError()
        }
        #expect(served.value == 2 && alternateRuns.value == 1)
        // And a write that never ran (the breaker refused it) may too.
        _ = registry.apply(Command(id: "f", actor: "a", reason: "r", action: .forceOpen(dependency: "payments")))
        let refused = try await payments.execute(idempotent: false, fallbacks: fallbacks) { () async throws -> Int in 1
        }
        #expect(refused.value == 2 && alternateRuns.value == 2)
    }

    /// Finding 7: in a 1-second window every second shares one bucket, so a record stamped in the
    /// previous second that landed after the new second began wiped out the new second's counts.
    @Test func aLateRecordNeverWipesANewerSecond() {
        let budget = RetryBudget(
            configuration: RetryBudgetConfiguration(ratio: 1, minRetriesPerSecond: 0, windowSeconds: 1), clock: clock)
        clock.advance(by: .milliseconds(1_500))
        for _ in 0..<3 { budget.recordCall() }  // second 1
        budget.recordCall(now: 900_000_000)  // stamped in second 0, arriving late
        #expect(budget.available() == 3, "the three calls of this second still count")
    }

    /// Finding 4: an operation that ignored cancellation and returned after its limit was passed
    /// off as a success (the breaker recorded a 5 s call under a 1 s limit as fine).
    @Test func aValueReturnedAfterTheLimitIsATimeout() async throws {
        let gate = LockedBox<CheckedContinuation<Void, Never>?>(nil)
        let clock = self.clock
        let call = Task {
            try await withTimeout(.seconds(1), clock: clock) { () async throws -> Int in
                // Ignores cancellation: waits for the test, however long.
                await withCheckedContinuation { continuation in gate.mutate { $0 = continuation } }
                return 5
            }
        }
        // The alarm is scheduled and the operation is waiting (each with a time limit).
        #expect(await clock.waitForSleepers(1))
        let deadline = ContinuousClock.now + .seconds(10)
        while gate.value == nil && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(5)) }
        let waiting = try #require(gate.value, "the operation started")
        clock.advance(by: .seconds(2))
        waiting.resume()
        switch await call.result {
        case .success(let value): Issue.record("a value returned after the limit was passed off as \(value)")
        case .failure(let error): #expect(error as? TimeoutError == TimeoutError(scope: .attempt, limit: .seconds(1)))
        }
    }

    /// Finding 2: rates were checked only when a failure or slow call was recorded, so F, F, S, S
    /// with a minimum of 4 and a 50% threshold stayed closed; Resilience4j checks every outcome.
    @Test func theSuccessThatCompletesTheMinimumCanTrip() {
        var configuration = CircuitBreakerConfiguration()
        configuration.window = .count(10)
        configuration.minimumCalls = 4
        configuration.failureRateThreshold = 50
        let breaker = CircuitBreaker(name: "payments", configuration: configuration, clock: clock) { _ in }
        breaker.call(.failure)
        breaker.call(.failure)
        breaker.call(.success)
        #expect(breaker.state == .closed, "3 calls: below the minimum")
        breaker.call(.success)
        #expect(breaker.state == .open, "4 calls at 50%: the success that completes the minimum trips")
    }

    /// Finding 2, time windows: old successes expiring raise the failure rate with no new failure;
    /// the next success (the first of its second) reads the rates again.
    @Test func successesAfterOldOnesExpireCanTrip() {
        var configuration = CircuitBreakerConfiguration()
        configuration.window = .time(seconds: 2)
        configuration.minimumCalls = 2
        configuration.failureRateThreshold = 50
        let breaker = CircuitBreaker(name: "payments", configuration: configuration, clock: clock) { _ in }
        for _ in 0..<4 { breaker.call(.success) }  // second 0
        clock.advance(by: .seconds(1))
        breaker.call(.failure)
        breaker.call(.failure)  // second 1: 2 of 6 failed, 33%
        #expect(breaker.state == .closed)
        clock.advance(by: .seconds(1))
        breaker.call(.success)  // second 2: second 0 has left the window; 2 of 3 failed
        #expect(breaker.state == .open)
    }
}
