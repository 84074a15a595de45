import Fusebox
import FuseboxProtocol
import Testing

@Suite(.timeLimit(.minutes(2))) struct BackoffTests {
    func policy(_ jitter: RetryPolicy.Jitter) -> RetryPolicy {
        var p = RetryPolicy()
        p.initialBackoff = .milliseconds(100)
        p.maxBackoff = .seconds(1)
        p.multiplier = 2
        p.jitter = jitter
        return p
    }

    @Test func noJitterIsExactExponentialWithCap() {
        let p = policy(.none)
        let random = SeededRandom(seed: 1)
        let delays = (1...6).map { p.backoff(afterAttempt: $0, previous: 0, random: random) / 1_000_000 }
        #expect(delays == [100, 200, 400, 800, 1000, 1000])
    }

    @Test func fullAndEqualJitterStayInBoundsAndSpread() {
        let random = SeededRandom(seed: 7)
        for attempt in 1...5 {
            let exponential = min(1_000.0, 100 * pow2(attempt - 1)) * 1e6
            let full = (0..<2000).map { _ in
                Double(policy(.full).backoff(afterAttempt: attempt, previous: 0, random: random))
            }
            #expect(full.allSatisfy { $0 >= 0 && $0 <= exponential })
            let fullMean = full.reduce(0, +) / Double(full.count)
            #expect(abs(fullMean / exponential - 0.5) < 0.05, "full jitter is uniform over 0...exp")
            let equal = (0..<2000).map { _ in
                Double(policy(.equal).backoff(afterAttempt: attempt, previous: 0, random: random))
            }
            #expect(equal.allSatisfy { $0 >= exponential / 2 && $0 <= exponential })
            let equalMean = equal.reduce(0, +) / Double(equal.count)
            #expect(abs(equalMean / exponential - 0.75) < 0.05)
            // Spread: a quarter of the samples in each quarter of the range, roughly.
            let quarters = (0..<4).map { q in full.filter { Int($0 / exponential * 4) == q }.count }
            #expect(quarters.allSatisfy { $0 > 400 && $0 < 600 }, "\(quarters)")
        }
    }

    @Test func decorrelatedJitterStaysBetweenBaseAndThreeTimesPrevious() {
        let p = policy(.decorrelated)
        let random = SeededRandom(seed: 3)
        var previous: UInt64 = 100_000_000
        for attempt in 1...50 {
            let delay = p.backoff(afterAttempt: attempt, previous: previous, random: random)
            #expect(delay >= 100_000_000)
            #expect(delay <= min(1_000_000_000, previous * 3))
            previous = delay
        }
    }

    @Test func sameSeedSameDelays() {
        let a = SeededRandom(seed: 99)
        let b = SeededRandom(seed: 99)
        let p = policy(.full)
        #expect(
            (1...10).map { p.backoff(afterAttempt: $0, previous: 0, random: a) }
                == (1...10).map { p.backoff(afterAttempt: $0, previous: 0, random: b) })
    }

    func pow2(_ n: Int) -> Double { Double(1 << n) }
}

@Suite(.timeLimit(.minutes(2))) struct RetryPipelineTests {
    let clock = ManualClock()

    func dependency(
        attempts: Int = 3, budget: RetryBudgetConfiguration? = nil, retryNonIdempotent: Bool = false,
        in registry: FuseboxRegistry? = nil
    ) throws -> (FuseboxRegistry, Dependency) {
        let registry = registry ?? makeRegistry(clock: clock)
        var c = DependencyConfiguration(name: "inventory")
        c.retry.maxAttempts = attempts
        c.retry.jitter = .none
        c.retry.initialBackoff = .milliseconds(100)
        c.retry.retryNonIdempotent = retryNonIdempotent
        c.retryBudget = budget
        // The breaker stays out of the way: a minimum no test reaches (and a window that holds it,
        // since the minimum applies only up to the window's size).
        c.breaker.minimumCalls = 1000
        c.breaker.window = .count(1000)
        return (registry, try registry.register(c))
    }

    /// Runs `body` while advancing the manual clock whenever the call sleeps.
    func drive<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) async throws -> T {
        let task = Task { try await body() }
        let clock = self.clock
        let driver = Task {
            while !Task.isCancelled {
                if clock.sleeperCount > 0 { clock.advance(by: .milliseconds(10)) }
                await Task.yield()
            }
        }
        defer { driver.cancel() }
        return try await task.value
    }

    @Test func retriesTransientErrorsUntilSuccess() async throws {
        let (registry, d) = try dependency(attempts: 3)
        let count = LockedBox(0)
        let outcome = try await drive {
            try await d.execute(idempotent: true) { () async throws -> String in
                if count.mutate({
                    $0 += 1; return $0
                }) < 3 {
                    throw DownstreamError()
                }
                return "ok"
            }
        }
        #expect(outcome.value == "ok" && outcome.source == .primary && outcome.attempts == 3)
        let s = registry.snapshot().dependency(named: "inventory")!
        #expect(s.retry.attempts == 3 && s.retry.retries == 2 && s.retry.successesAfterRetry == 1)
        #expect(s.calls.successes == 1 && s.calls.calls == 1)
    }

    @Test func exhaustedRetriesAreCounted() async throws {
        let (registry, d) = try dependency(attempts: 3)
        await #expect(throws: DependencyFailure.self) {
            try await drive {
                try await d.execute(idempotent: true) { () async throws -> Int in throw DownstreamError() }
            }
        }
        let s = registry.snapshot().dependency(named: "inventory")!
        #expect(s.retry.attempts == 3 && s.retry.exhausted == 1 && s.calls.failures == 1)
    }

    @Test func nonIdempotentOperationsAreNotRetriedUnlessAllowed() async throws {
        let (_, d) = try dependency(attempts: 3)
        let count = LockedBox(0)
        _ = try? await d.execute(idempotent: false) { () async throws -> Int in
            count.mutate { $0 += 1 }
            throw DownstreamError()
        }
        #expect(count.value == 1)
        let (_, allowed) = try dependency(attempts: 3, retryNonIdempotent: true, in: makeRegistry(clock: clock))
        let allowedCount = LockedBox(0)
        _ = try? await drive {
            try await allowed.execute(idempotent: false) { () async throws -> Int in
                allowedCount.mutate { $0 += 1 }
                throw DownstreamError()
            }
        }
        #expect(allowedCount.value == 3)
    }

    @Test func permanentErrorsAreNotRetried() async throws {
        let (_, d) = try dependency(attempts: 5)
        let count = LockedBox(0)
        _ = try? await d.execute(idempotent: true) { () async throws -> Int in
            count.mutate { $0 += 1 }
            throw ClassifiedError(resilienceClassification: .permanent)
        }
        #expect(count.value == 1)
    }

    @Test func retryAfterHintSetsTheDelay() async throws {
        let (_, d) = try dependency(attempts: 2)
        let times = LockedBox<[UInt64]>([])
        let clock = self.clock
        let task = Task {
            try await d.execute(idempotent: true) { () async throws -> Int in
                let n = times.mutate {
                    $0.append(clock.nanoseconds()); return $0.count
                }
                if n == 1 { throw ClassifiedError(resilienceClassification: .init(retryAfter: .seconds(3))) }
                return 1
            }
        }
        await clock.waitForSleepers(1)
        clock.advance(by: .milliseconds(2_999))
        #expect(times.value.count == 1, "must not retry before the hint")
        clock.advance(by: .milliseconds(1))
        _ = try await task.value
        #expect(times.value == [0, 3_000_000_000])
    }

    @Test func retryAfterBeyondTheMaximumFailsAtOnce() async throws {
        let (_, d) = try dependency(attempts: 3)
        let count = LockedBox(0)
        _ = try? await d.execute(idempotent: true) { () async throws -> Int in
            count.mutate { $0 += 1 }
            throw ClassifiedError(resilienceClassification: .init(retryAfter: .seconds(600)))
        }
        #expect(count.value == 1)
    }

    @Test func budgetLimitsRetriesToARatioOfCalls() async throws {
        // 10% of calls plus no floor: 100 failing calls may retry at most 10 times.
        let (registry, d) = try dependency(
            attempts: 2, budget: RetryBudgetConfiguration(ratio: 0.1, minRetriesPerSecond: 0, windowSeconds: 10))
        for _ in 0..<100 {
            _ = try? await drive {
                try await d.execute(idempotent: true) { () async throws -> Int in throw DownstreamError() }
            }
        }
        let s = registry.snapshot().dependency(named: "inventory")!
        #expect(s.retry.retries! <= 10)
        #expect(s.retry.retries! >= 9)
        #expect(s.retry.budgetDenied == 100 - s.retry.retries!)
        #expect(s.retry.budgetAvailable == 0)
    }

    @Test func budgetFloorAllowsRetriesWhenQuietAtItsRateNotInABurst() {
        let budget = RetryBudget(
            configuration: RetryBudgetConfiguration(ratio: 0.2, minRetriesPerSecond: 2, windowSeconds: 5), clock: clock)
        var granted = 0
        for _ in 0..<50 where budget.tryRetry() { granted += 1 }
        #expect(granted == 2, "2 per second means 2 at one instant (issue 12, finding 6), not the window's 10")
        var spread = 0
        for _ in 0..<5 {
            clock.advance(by: .seconds(1))
            for _ in 0..<50 where budget.tryRetry() { spread += 1 }
        }
        #expect(spread == 10, "and 2 more every second")
        clock.advance(by: .seconds(6))
        #expect(budget.available() == 2)
    }

    /// Issue 12, finding 6: checking and taking a retry were two steps, so callers racing for the
    /// last retries overspent the budget.
    @Test func concurrentCallersNeverOverspendTheBudget() async {
        let budget = RetryBudget(
            configuration: RetryBudgetConfiguration(ratio: 0.1, minRetriesPerSecond: 0, windowSeconds: 10),
            clock: clock)
        for _ in 0..<1_000 { budget.recordCall() }  // room for exactly 100 retries
        let granted = await withTaskGroup(of: Int.self) { group in
            for _ in 0..<8 {
                group.addTask {
                    var mine = 0
                    for _ in 0..<100 where budget.tryRetry() { mine += 1 }
                    return mine
                }
            }
            return await group.reduce(0, +)
        }
        #expect(granted == 100)
        #expect(budget.available() == 0)
    }
}
