import Fusebox
import FuseboxProtocol
import Testing

/// Issue 12: hedging as Polly v8 does it. After the delay (or at once on a failure) a second
/// attempt races the first; the first success wins and the rest are cancelled; only idempotent
/// calls; counted in the snapshot. Everything runs on the manual clock.
@Suite(.timeLimit(.minutes(1))) struct HedgingTests {
    let clock = ManualClock()

    func dependency(
        hedging: HedgingPolicy = HedgingPolicy(maxHedgedAttempts: 1, delay: .milliseconds(50)),
        _ configure: (inout DependencyConfiguration) -> Void = { _ in }
    ) throws -> (FuseboxRegistry, Dependency) {
        let registry = makeRegistry(clock: clock)
        var c = DependencyConfiguration(name: "search")
        c.retry.maxAttempts = 1
        c.retryBudget = nil
        c.hedging = hedging
        configure(&c)
        return (registry, try registry.register(c))
    }

    /// An operation that takes `milliseconds` of the manual clock, then answers `value` (or
    /// throws), counting starts and cancellations.
    final class Downstream: Sendable {
        let starts = LockedBox(0)
        let cancellations = LockedBox(0)
        let clock: ManualClock

        init(clock: ManualClock) { self.clock = clock }

        func call(_ value: Int, after milliseconds: UInt64, failing: Bool = false) -> @Sendable () async throws -> Int {
            { [self] in
                starts.mutate { $0 += 1 }
                do {
                    try await clock.sleep(nanoseconds: milliseconds * 1_000_000)
                } catch {
                    cancellations.mutate { $0 += 1 }
                    throw error
                }
                if failing { throw DownstreamError() }
                return value
            }
        }
    }

    /// The call's outcome; if the test runs out of time the call is cancelled, so a regression
    /// fails the test instead of hanging it on the manual clock.
    func outcome<T: Sendable>(_ call: Task<T, any Error>) async throws -> T {
        try await withTaskCancellationHandler {
            try await call.value
        } onCancel: {
            call.cancel()
        }
    }

    func snapshot(_ registry: FuseboxRegistry) -> DependencySnapshot {
        registry.snapshot().dependency(named: "search")!
    }

    @Test func aSlowAttemptIsHedgedAndTheFirstSuccessWins() async throws {
        let (registry, d) = try dependency()
        let primary = Downstream(clock: clock)
        let replica = Downstream(clock: clock)
        let call = Task {
            try await d.execute(idempotent: true, hedgingWith: [replica.call(2, after: 10)]) {
                try await primary.call(1, after: 500)()
            }
        }
        await clock.waitForSleepers(2)  // the primary and the hedging delay
        clock.advance(by: .milliseconds(50))
        await clock.waitForSleepers(2)  // the primary and the replica
        #expect(replica.starts.value == 1)
        clock.advance(by: .milliseconds(10))
        let result = try await outcome(call)
        #expect(result.value == 2)
        #expect(result.source == .primary, "a hedge is the primary path, not a fallback")
        #expect(primary.cancellations.value == 1, "the loser was cancelled")
        let s = snapshot(registry)
        #expect(s.retry.hedges == 1 && s.retry.hedgeWins == 1)
        #expect(s.retry.attempts == 2)
        #expect(s.calls.calls == 1 && s.calls.successes == 1)
        // The winner is judged; the cancelled loser is not (it would count as a failure otherwise).
        #expect(s.breaker.windowCalls == 1 && s.breaker.windowFailures == 0)
        #expect(clock.sleeperCount == 0, "nothing left waiting")
    }

    @Test func aFastAttemptIsNotHedged() async throws {
        let (registry, d) = try dependency()
        let primary = Downstream(clock: clock)
        let replica = Downstream(clock: clock)
        let call = Task {
            try await d.execute(idempotent: true, hedgingWith: [replica.call(2, after: 10)]) {
                try await primary.call(1, after: 20)()
            }
        }
        await clock.waitForSleepers(2)
        clock.advance(by: .milliseconds(20))
        #expect(try await outcome(call).value == 1)
        #expect(replica.starts.value == 0)
        let s = snapshot(registry)
        #expect(s.retry.hedges == 0 && s.retry.hedgeWins == 0)
        #expect(clock.sleeperCount == 0, "the hedging delay was cancelled")
    }

    @Test func aFailureStartsTheHedgeAtOnce() async throws {
        let (registry, d) = try dependency(hedging: HedgingPolicy(maxHedgedAttempts: 1, delay: nil))
        let primary = Downstream(clock: clock)
        let call = Task {
            try await d.execute(idempotent: true) { try await primary.call(primary.starts.value + 1, after: 0)() }
        }
        let result = try await outcome(call)
        #expect(result.value == 1)
        let failing = Downstream(clock: clock)
        let replica = Downstream(clock: clock)
        let second = Task {
            try await d.execute(idempotent: true, hedgingWith: [replica.call(9, after: 5)]) {
                try await failing.call(0, after: 1, failing: true)()
            }
        }
        await clock.waitForSleepers(1)
        clock.advance(by: .milliseconds(1))  // the primary fails: the hedge starts without a delay
        await clock.waitForSleepers(1)
        #expect(replica.starts.value == 1)
        clock.advance(by: .milliseconds(5))
        #expect(try await outcome(second).value == 9)
        let s = snapshot(registry)
        #expect(s.retry.hedges == 1 && s.retry.hedgeWins == 1)
        // Both racers were judged: the failure and the success.
        #expect(s.breaker.windowCalls == 3 && s.breaker.windowFailures == 1)
    }

    @Test func aCallThatIsNotIdempotentIsNeverHedged() async throws {
        let (registry, d) = try dependency(hedging: HedgingPolicy(maxHedgedAttempts: 2, delay: nil))
        let primary = Downstream(clock: clock)
        let replica = Downstream(clock: clock)
        let call = Task {
            try await d.execute(
                idempotent: false, fallbacks: [.staticDefault(-1)], hedgingWith: [replica.call(2, after: 0)]
            ) { try await primary.call(0, after: 1, failing: true)() }
        }
        await clock.waitForSleepers(1)
        clock.advance(by: .milliseconds(1))
        #expect(try await outcome(call).value == -1)
        #expect(replica.starts.value == 0)
        #expect(snapshot(registry).retry.hedges == 0)
    }

    @Test func whenEveryRacerFailsTheLastFailureGoesToTheRetryPolicyAndEachIsJudged() async throws {
        let (registry, d) = try dependency(hedging: HedgingPolicy(maxHedgedAttempts: 2, delay: nil)) { c in
            c.retry.maxAttempts = 2
            c.retry.initialBackoff = .milliseconds(10)
            c.retry.jitter = .none
        }
        let downstream = Downstream(clock: clock)
        let call = Task {
            try await d.execute(idempotent: true, fallbacks: [.staticDefault(-1)]) {
                try await downstream.call(0, after: 1, failing: true)()
            }
        }
        // Attempt 1: three racers fail in turn; the backoff; attempt 2: three racers again.
        for _ in 0..<100_000 where downstream.starts.value < 6 || clock.sleeperCount > 0 {
            if clock.sleeperCount > 0 { clock.advanceToNextDeadline() } else { await Task.yield() }
        }
        clock.advance(by: .seconds(1))
        #expect(try await outcome(call).value == -1)
        let s = snapshot(registry)
        #expect(downstream.starts.value == 6)
        #expect(s.retry.hedges == 4 && s.retry.hedgeWins == 0)
        #expect(s.retry.attempts == 6 && s.retry.retries == 3)
        #expect(s.calls.failures == 1 && s.retry.exhausted == 1)
        #expect(s.breaker.windowCalls == 6 && s.breaker.windowFailures == 6)
    }

    @Test func anOpenBreakerOrAnEmptyRateLimiterRefusesTheHedge() async throws {
        let (registry, d) = try dependency { c in
            c.rateLimit = RateLimiterConfiguration(ratePerSecond: 0.001, burst: 1)
        }
        let primary = Downstream(clock: clock)
        let replica = Downstream(clock: clock)
        let call = Task {
            try await d.execute(idempotent: true, hedgingWith: [replica.call(2, after: 1)]) {
                try await primary.call(1, after: 100)()
            }
        }
        await clock.waitForSleepers(2)
        clock.advance(by: .milliseconds(50))  // the delay passes; the limiter has no token for a hedge
        await clock.waitForSleepers(1)
        clock.advance(by: .milliseconds(50))
        #expect(try await outcome(call).value == 1)
        #expect(replica.starts.value == 0)
        #expect(snapshot(registry).retry.hedges == 0)
    }

    @Test func aHalfOpenProbeIsNeverHedged() async throws {
        let (registry, d) = try dependency(hedging: HedgingPolicy(maxHedgedAttempts: 1, delay: nil)) { c in
            c.breaker = smallBreaker(window: .count(2), minimumCalls: 2, probes: 1, wait: .seconds(1))
        }
        for _ in 0..<2 {
            _ = try? await d.execute { () async throws -> Int in throw DownstreamError() }
        }
        #expect(snapshot(registry).breaker.state == .open)
        clock.advance(by: .seconds(1))
        let primary = Downstream(clock: clock)
        let replica = Downstream(clock: clock)
        let probe = Task {
            try await d.execute(
                idempotent: true, fallbacks: [.staticDefault(-1)], hedgingWith: [replica.call(2, after: 0)]
            ) {
                try await primary.call(0, after: 1, failing: true)()
            }
        }
        await clock.waitForSleepers(1)
        clock.advance(by: .milliseconds(1))
        #expect(try await outcome(probe).value == -1)
        #expect(replica.starts.value == 0, "a recovering downstream gets no extra load")
        #expect(snapshot(registry).breaker.state == .open)
    }

    @Test func hedgesAreEventsOnTheStream() async throws {
        let (registry, d) = try dependency()
        let events = d.eventStream()
        let primary = Downstream(clock: clock)
        let call = Task {
            try await d.execute(idempotent: true) { try await primary.call(primary.starts.value, after: 100)() }
        }
        await clock.waitForSleepers(2)
        clock.advance(by: .milliseconds(50))
        await clock.waitForSleepers(2)
        clock.advance(by: .milliseconds(100))
        _ = try await outcome(call)
        var iterator = events.makeAsyncIterator()
        #expect(await iterator.next() == .hedged(dependency: "search", hedge: 1))
        _ = registry
    }

    @Test func cancellingTheCallerCancelsEveryRacerAndStartsNoMore() async throws {
        let (registry, d) = try dependency(hedging: HedgingPolicy(maxHedgedAttempts: 3, delay: .milliseconds(50)))
        let primary = Downstream(clock: clock)
        let replica = Downstream(clock: clock)
        let call = Task {
            try await d.execute(idempotent: true, hedgingWith: [replica.call(2, after: 1_000)]) {
                try await primary.call(1, after: 1_000)()
            }
        }
        await clock.waitForSleepers(2)
        clock.advance(by: .milliseconds(50))
        await clock.waitForSleepers(2)
        call.cancel()
        await #expect(throws: CancellationError.self) { try await outcome(call) }
        #expect(primary.cancellations.value == 1 && replica.cancellations.value == 1)
        #expect(replica.starts.value == 1, "the pending delay, cut short, started no hedge")
        #expect(snapshot(registry).retry.hedges == 1)
        #expect(snapshot(registry).breaker.windowFailures == 0, "the caller's cancellation judges nobody")
        #expect(clock.sleeperCount == 0)
    }

    /// Polly waits the delay after each attempt it starts: a hedge that a failure started resets it.
    @Test func theDelayCountsFromTheLatestAttempt() async throws {
        let (registry, d) = try dependency(hedging: HedgingPolicy(maxHedgedAttempts: 2, delay: .milliseconds(100)))
        let failing = Downstream(clock: clock)
        let slow = Downstream(clock: clock)
        let call = Task {
            try await d.execute(idempotent: true, hedgingWith: [slow.call(2, after: 500), slow.call(3, after: 500)]) {
                try await failing.call(0, after: 90, failing: true)()
            }
        }
        #expect(await clock.waitForSleepers(2))
        clock.advance(by: .milliseconds(90))  // fails: hedge 1 starts at 90 ms, its delay runs to 190 ms
        #expect(await clock.waitForSleepers(2))
        clock.advance(by: .milliseconds(10))  // 100 ms: the first delay would have fired here
        for _ in 0..<1_000 { await Task.yield() }
        #expect(slow.starts.value == 1, "no second hedge at 100 ms")
        clock.advance(by: .milliseconds(90))  // 190 ms
        #expect(await clock.waitForSleepers(2))
        #expect(slow.starts.value == 2)
        clock.advance(by: .seconds(1))
        #expect(try await outcome(call).value == 2)
        #expect(snapshot(registry).retry.hedges == 2)
    }

    /// A hedge after a failure is a retry in all but name: a spent retry budget refuses it.
    @Test func aHedgeAfterAFailureNeedsTheRetryBudget() async throws {
        let (registry, d) = try dependency(hedging: HedgingPolicy(maxHedgedAttempts: 1, delay: nil)) { c in
            c.retryBudget = RetryBudgetConfiguration(ratio: 0, minRetriesPerSecond: 0)
        }
        let replica = Downstream(clock: clock)
        let call = Task {
            try await d.execute(
                idempotent: true, fallbacks: [.staticDefault(-1)], hedgingWith: [replica.call(2, after: 0)]
            ) {
                throw DownstreamError()
            }
        }
        #expect(try await outcome(call).value == -1)
        #expect(replica.starts.value == 0)
        let s = snapshot(registry)
        #expect(s.retry.hedges == 0 && s.retry.budgetDenied == 1)
    }

    @Test func invalidPoliciesAreRefusedInOneLine() {
        var c = DependencyConfiguration(name: "search")
        c.hedging = HedgingPolicy(maxHedgedAttempts: 0)
        #expect(c.validationProblem() == "hedging: maxHedgedAttempts must be between 1 and 10 (got 0)")
        c.hedging = HedgingPolicy(maxHedgedAttempts: 1, delay: nil, hedgeOnFailure: false)
        #expect(c.validationProblem()?.hasPrefix("hedging: with no delay and hedgeOnFailure off") == true)
        c.hedging = HedgingPolicy(delay: .milliseconds(-1))
        #expect(c.validationProblem() == "hedging: delay must be zero or more")
    }
}
