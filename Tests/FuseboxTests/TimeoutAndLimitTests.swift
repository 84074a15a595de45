import Fusebox
import FuseboxProtocol
import Testing

@Suite(.timeLimit(.minutes(2))) struct TimeoutTests {
    let clock = ManualClock()

    @Test func timeoutCancelsTheWork() async throws {
        let cancelled = LockedBox(false)
        let clock = self.clock
        let task = Task {
            try await withTimeout(.seconds(1), clock: clock) { () async throws -> Int in
                do {
                    try await clock.sleep(nanoseconds: 10_000_000_000)
                } catch is CancellationError {
                    cancelled.mutate { $0 = true }
                    throw CancellationError()
                }
                return 1
            }
        }
        await clock.waitForSleepers(2)
        clock.advance(by: .seconds(1))
        await #expect(throws: TimeoutError(scope: .attempt, limit: .seconds(1))) { try await task.value }
        #expect(cancelled.value, "the operation saw its cancellation")
        #expect(clock.sleeperCount == 0)
    }

    @Test func scheduledActionsRunInDeadlineOrderUnlessCancelled() {
        let fired = LockedBox<[String]>([])
        _ = clock.schedule(afterNanoseconds: 300) { fired.mutate { $0.append("c") } }
        _ = clock.schedule(afterNanoseconds: 100) { fired.mutate { $0.append("a") } }
        let cancelled = clock.schedule(afterNanoseconds: 200) { fired.mutate { $0.append("b") } }
        _ = clock.schedule(afterNanoseconds: 100) { fired.mutate { $0.append("a2") } }
        cancelled.cancel()
        #expect(clock.nextDeadline == 100)
        clock.advance(nanoseconds: 250)
        #expect(fired.value == ["a", "a2"])
        #expect(clock.advanceToNextDeadline())
        #expect(fired.value == ["a", "a2", "c"] && clock.nanoseconds() == 300)
        #expect(!clock.advanceToNextDeadline())
    }

    /// Work that never ends by itself: only the timeout's cancellation can finish it, so no
    /// timing assertion is needed (the time limit only guards against a hang).
    @Test(.timeLimit(.minutes(1))) func timeoutOnTheSystemClockCancelsRealWork() async throws {
        await #expect(throws: TimeoutError.self) {
            try await withTimeout(.milliseconds(50), clock: SystemClock()) { () async throws -> Int in
                try await Task.sleep(nanoseconds: UInt64.max / 4)
                return 1
            }
        }
    }

    @Test func fastWorkIsNotCut() async throws {
        let value = try await withTimeout(.seconds(1), clock: clock) { 7 }
        #expect(value == 7)
    }

    @Test func attemptTimeoutIsAFailureWithReasonTimeout() async throws {
        let registry = makeRegistry(clock: clock)
        var c = DependencyConfiguration(name: "shipping")
        c.attemptTimeout = .milliseconds(500)
        c.retry = .disabled
        let d = try registry.register(c)
        let clock = self.clock
        let task = Task {
            try await d.execute(fallbacks: [.staticDefault(0)]) { () async throws -> Int in
                try await clock.sleep(nanoseconds: 5_000_000_000)
                return 1
            }
        }
        await clock.waitForSleepers(2)
        clock.advance(by: .milliseconds(500))
        let outcome = try await task.value
        #expect(outcome.fallbackReason == .timeout)
        let s = registry.snapshot().dependency(named: "shipping")!
        #expect(s.calls.timeouts == 1 && s.calls.failures == 1)
        #expect(s.breaker.windowFailures == 1)
    }

    @Test func deadlineBoundsTheWholeCall() async throws {
        let registry = makeRegistry(clock: clock)
        var c = DependencyConfiguration(name: "pricing")
        c.deadline = .seconds(1)
        c.retry.maxAttempts = 10
        c.retry.jitter = .none
        c.retry.initialBackoff = .milliseconds(300)
        c.retry.maxBackoff = .milliseconds(300)
        c.retryBudget = nil
        let d = try registry.register(c)
        let clock = self.clock
        let attempts = LockedBox(0)
        let task = Task {
            try await d.execute(idempotent: true) { () async throws -> Int in
                attempts.mutate { $0 += 1 }
                clock.advance(by: .milliseconds(200))  // the attempt takes 200 ms
                throw DownstreamError()
            }
        }
        let driver = Task {
            while !Task.isCancelled {
                if clock.sleeperCount > 0 { clock.advance(by: .milliseconds(50)) }
                await Task.yield()
            }
        }
        defer { driver.cancel() }
        await #expect(throws: DependencyFailure.self) { try await task.value }
        #expect(clock.nanoseconds() <= 1_000_000_000, "the call ended within its deadline")
        // 200 ms attempt + 300 ms backoff: attempts start at 0, 500, and the third would end past 1 s.
        #expect(attempts.value == 2)
    }
}

@Suite(.timeLimit(.minutes(2))) struct BulkheadAndLimiterTests {
    let clock = ManualClock()

    @Test func bulkheadRejectsBeyondItsLimit() {
        let b = Bulkhead(configuration: BulkheadConfiguration(maxConcurrent: 2), clock: clock)
        #expect(b.tryEnter() && b.tryEnter())
        #expect(!b.tryEnter())
        b.leave()
        #expect(b.tryEnter())
        #expect(b.snapshot().inFlight == 2)
    }

    @Test func bulkheadWaitIsBoundedInTime() async {
        let b = Bulkhead(
            configuration: BulkheadConfiguration(maxConcurrent: 1, maxWaiting: 1, maxWait: .seconds(1)), clock: clock)
        #expect(await b.enter())
        let waiter = Task { await b.enter() }
        while b.snapshot().waiting == 0 { await Task.yield() }
        #expect(await b.enter() == false, "queue of one is full")
        await clock.waitForSleepers(1)
        clock.advance(by: .seconds(1))
        #expect(await waiter.value == false)
        #expect(b.snapshot().rejected == 2)
    }

    @Test func bulkheadHandsAFreedSlotToTheWaiter() async {
        let b = Bulkhead(
            configuration: BulkheadConfiguration(maxConcurrent: 1, maxWaiting: 4, maxWait: .seconds(5)), clock: clock)
        #expect(await b.enter())
        let waiter = Task { await b.enter() }
        await clock.waitForSleepers(1)
        while b.snapshot().waiting == 0 { await Task.yield() }
        b.leave()
        #expect(await waiter.value)
        #expect(b.snapshot().inFlight == 1 && b.snapshot().waiting == 0)
    }

    @Test func tokenBucketAllowsBurstThenRate() {
        let limiter = RateLimiter(configuration: RateLimiterConfiguration(ratePerSecond: 10, burst: 5), clock: clock)
        var allowed = 0
        for _ in 0..<20 where limiter.tryAcquire() { allowed += 1 }
        #expect(allowed == 5)
        clock.advance(by: .milliseconds(500))
        allowed = 0
        for _ in 0..<20 where limiter.tryAcquire() { allowed += 1 }
        #expect(allowed == 5)
        clock.advance(by: .seconds(100))
        #expect(limiter.snapshot().availableTokens == 5, "never more than the burst")
        #expect(limiter.snapshot().rejected == 30)
    }
}
