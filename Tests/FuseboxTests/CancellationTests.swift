import Fusebox
import FuseboxProtocol
import Testing

/// Issue 12: a caller that gives up (its task is cancelled) during an attempt, a backoff or a
/// bulkhead wait gets `CancellationError` at once and leaves nothing held: no bulkhead permit, no
/// half-open probe slot, no waiter in the queue, no further attempt. And a probe is never retried.
@Suite(.timeLimit(.minutes(1))) struct CancellationTests {
    let clock = ManualClock()

    func dependency(
        _ configure: (inout DependencyConfiguration) -> Void
    ) throws -> (FuseboxRegistry, Dependency) {
        let registry = makeRegistry(clock: clock)
        var c = DependencyConfiguration(name: "payments")
        c.retry.jitter = .none
        c.retryBudget = nil
        configure(&c)
        return (registry, try registry.register(c))
    }

    /// An operation that runs until its task is cancelled, marking `started` when it begins.
    static func hang(_ started: LockedBox<Int>) -> @Sendable () async throws -> Int {
        {
            started.mutate { $0 += 1 }
            try await Task.sleep(nanoseconds: 3_600_000_000_000)
            return 0
        }
    }

    static func waitUntil(_ condition: () -> Bool) async {
        while !condition() { await Task.yield() }
    }

    @Test func cancellingDuringAnAttemptReleasesTheBulkheadPermit() async throws {
        let (registry, d) = try dependency { c in
            c.bulkhead = BulkheadConfiguration(maxConcurrent: 1, maxWaiting: 0, maxWait: .zero)
        }
        let started = LockedBox(0)
        let call = Task { try await d.execute(Self.hang(started)) }
        await Self.waitUntil { started.value == 1 }
        #expect(registry.snapshot().dependency(named: "payments")?.bulkhead?.inFlight == 1)
        call.cancel()
        await #expect(throws: CancellationError.self) { try await call.value }
        let bulkhead = registry.snapshot().dependency(named: "payments")?.bulkhead
        #expect(bulkhead?.inFlight == 0, "the permit came back")
        // And the next call gets in.
        #expect(try await d.execute { 7 }.value == 7)
    }

    @Test func cancellingAProbeFreesItsSlotWithoutJudgingTheDownstream() async throws {
        let (registry, d) = try dependency { c in
            c.breaker = smallBreaker(window: .count(2), minimumCalls: 2, probes: 1, wait: .seconds(1))
            c.retry.maxAttempts = 1
        }
        for _ in 0..<2 { _ = try? await d.execute { () async throws -> Int in throw DownstreamError() } }
        #expect(registry.snapshot().dependency(named: "payments")?.breaker.state == .open)
        clock.advance(by: .seconds(1))
        let started = LockedBox(0)
        let probe = Task { try await d.execute(Self.hang(started)) }
        await Self.waitUntil { started.value == 1 }
        let during = registry.snapshot().dependency(named: "payments")?.breaker
        #expect(during?.state == .halfOpen && during?.halfOpenProbesAdmitted == 1)
        probe.cancel()
        await #expect(throws: CancellationError.self) { try await probe.value }
        let after = registry.snapshot().dependency(named: "payments")?.breaker
        #expect(after?.state == .halfOpen, "a caller giving up says nothing about the downstream")
        #expect(after?.halfOpenProbesAdmitted == 0, "the probe slot is free again")
        // The next call is the probe, and its success closes the breaker.
        #expect(try await d.execute { 1 }.value == 1)
        #expect(registry.snapshot().dependency(named: "payments")?.breaker.state == .closed)
    }

    @Test func cancellingDuringABackoffStopsWithoutAnotherAttempt() async throws {
        let (registry, d) = try dependency { c in
            c.retry.maxAttempts = 3
            c.retry.initialBackoff = .seconds(30)
            c.retry.maxBackoff = .seconds(30)
            c.bulkhead = BulkheadConfiguration(maxConcurrent: 1, maxWaiting: 0, maxWait: .zero)
        }
        let attempts = LockedBox(0)
        let call = Task {
            try await d.execute(idempotent: true) { () async throws -> Int in
                attempts.mutate { $0 += 1 }
                throw DownstreamError()
            }
        }
        #expect(await clock.waitForSleepers(1), "the call sleeps its backoff")
        call.cancel()
        await #expect(throws: CancellationError.self) { try await call.value }
        #expect(attempts.value == 1, "no attempt after the caller gave up")
        clock.advance(by: .seconds(60))
        #expect(attempts.value == 1)
        let s = try #require(registry.snapshot().dependency(named: "payments"))
        #expect(s.bulkhead?.inFlight == 0)
        #expect(s.retry.retries == 0)
    }

    @Test func cancellingABulkheadWaiterLeavesTheQueueAndTheSlotToTheNext() async throws {
        let (registry, d) = try dependency { c in
            c.bulkhead = BulkheadConfiguration(maxConcurrent: 1, maxWaiting: 2, maxWait: .seconds(60))
        }
        let started = LockedBox(0)
        let holder = Task { try await d.execute(Self.hang(started)) }
        await Self.waitUntil { started.value == 1 }
        let waiter = Task { try await d.execute { 2 } }
        await Self.waitUntil { registry.snapshot().dependency(named: "payments")?.bulkhead?.waiting == 1 }
        waiter.cancel()
        await #expect(throws: (any Error).self) { try await waiter.value }
        #expect(registry.snapshot().dependency(named: "payments")?.bulkhead?.waiting == 0, "out of the queue")
        holder.cancel()
        _ = try? await holder.value
        // The slot the holder freed went to nobody dead: the next call runs.
        #expect(try await d.execute { 3 }.value == 3)
        #expect(registry.snapshot().dependency(named: "payments")?.bulkhead?.inFlight == 0)
    }

    @Test func aProbeIsNeverRetried() async throws {
        let (registry, d) = try dependency { c in
            c.breaker = smallBreaker(window: .count(2), minimumCalls: 2, probes: 1, wait: .seconds(1))
            c.retry.maxAttempts = 3
            c.retry.initialBackoff = .milliseconds(1)
        }
        for _ in 0..<2 {
            _ = try? await d.execute { () async throws -> Int in throw DownstreamError() }
        }
        #expect(registry.snapshot().dependency(named: "payments")?.breaker.state == .open)
        clock.advance(by: .seconds(1))
        let attempts = LockedBox(0)
        _ = try? await d.execute(idempotent: true) { () async throws -> Int in
            attempts.mutate { $0 += 1 }
            throw DownstreamError()
        }
        #expect(attempts.value == 1, "the probe ran once; its failure reopened the breaker instead")
        #expect(registry.snapshot().dependency(named: "payments")?.breaker.state == .open)
    }
}

/// Issue 12: retries pass the rate limiter, as calls do.
@Suite(.timeLimit(.minutes(1))) struct RetryRateLimitTests {
    let clock = ManualClock()

    func run(ratePerSecond: Double) async throws -> (attempts: Int, snapshot: DependencySnapshot) {
        let registry = makeRegistry(clock: clock)
        var c = DependencyConfiguration(name: "payments")
        c.retry.maxAttempts = 3
        c.retry.jitter = .none
        c.retry.initialBackoff = .milliseconds(100)
        c.retry.maxBackoff = .milliseconds(100)
        c.retryBudget = nil
        c.rateLimit = RateLimiterConfiguration(ratePerSecond: ratePerSecond, burst: 1)
        let d = try registry.register(c)
        let attempts = LockedBox(0)
        let call = Task {
            try await d.execute(idempotent: true) { () async throws -> Int in
                attempts.mutate { $0 += 1 }
                throw DownstreamError()
            }
        }
        let driver = Task { [clock] in
            while !Task.isCancelled {
                if clock.sleeperCount > 0 { clock.advance(by: .milliseconds(100)) }
                await Task.yield()
            }
        }
        defer { driver.cancel() }
        _ = try? await call.value
        return (attempts.value, registry.snapshot().dependency(named: "payments")!)
    }

    @Test func aRetryWithoutATokenDoesNotReachTheDownstream() async throws {
        // One token a second: the call takes it; 100 ms later no retry may go.
        let slow = try await run(ratePerSecond: 1)
        #expect(slow.attempts == 1, "the retry would have exceeded the rate")
        #expect(slow.snapshot.retry.retries == 0 && slow.snapshot.calls.failures == 1)
        // Ten tokens a second: one is back by each retry.
        let fast = try await run(ratePerSecond: 10)
        #expect(fast.attempts == 3)
    }
}
