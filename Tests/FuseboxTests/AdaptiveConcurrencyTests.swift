import FuseboxProtocol
import Testing

@testable import Fusebox

/// Issue 12: an adaptive concurrency limit (AIMD on latency) as an alternative to the fixed
/// bulkhead, shown in the snapshot.
@Suite(.timeLimit(.minutes(1))) struct AdaptiveConcurrencyTests {
    let clock = ManualClock()
    let policy = AdaptiveConcurrency(
        initialLimit: 4, minLimit: 2, maxLimit: 6, latencyThreshold: .milliseconds(100), backoffRatio: 0.5)

    /// Waits (a bounded number of yields) until a call queues on `bulkhead`.
    func waitForWaiter(_ bulkhead: Bulkhead) async -> Bool {
        for _ in 0..<100_000 where bulkhead.snapshot().waiting < 1 { await Task.yield() }
        return bulkhead.snapshot().waiting >= 1
    }

    @Test func anAdaptiveLimitStartsAtItsInitialLimitWhateverMaxConcurrentSays() {
        var configuration = BulkheadConfiguration(maxConcurrent: 500)
        configuration.adaptive = policy
        #expect(Bulkhead(configuration: configuration, clock: clock).limit == 4)
    }

    @Test func slowOrTimedOutSamplesHalveTheLimitDownToItsFloor() {
        #expect(policy.next(limit: 4, inFlight: 4, latencyNanoseconds: 150_000_000, timedOut: false) == 2)
        #expect(policy.next(limit: 4, inFlight: 0, latencyNanoseconds: 1, timedOut: true) == 2)
        #expect(policy.next(limit: 2, inFlight: 2, latencyNanoseconds: 150_000_000, timedOut: false) == 2)
    }

    @Test func fastSamplesGrowTheLimitOnlyWhileItIsUsedAndNeverPastItsCeiling() {
        #expect(policy.next(limit: 4, inFlight: 2, latencyNanoseconds: 1_000_000, timedOut: false) == 5)
        #expect(policy.next(limit: 4, inFlight: 1, latencyNanoseconds: 1_000_000, timedOut: false) == 4, "idle")
        var limit = 4.0
        for _ in 0..<1_000 { limit = policy.next(limit: limit, inFlight: 6, latencyNanoseconds: 1, timedOut: false) }
        #expect(limit == 6)
    }

    @Test func theBulkheadAdmitsUpToTheLimitItHasGotTo() {
        let bulkhead = Bulkhead(configuration: BulkheadConfiguration(adaptive: policy), clock: clock)
        for _ in 0..<4 { #expect(bulkhead.tryEnter()) }
        #expect(!bulkhead.tryEnter())
        bulkhead.sample(latencyNanoseconds: 500_000_000, timedOut: false)  // queueing: 4 -> 2
        #expect(bulkhead.limit == 2)
        for _ in 0..<3 { bulkhead.leave() }
        #expect(bulkhead.tryEnter(), "one in flight, under the limit of 2")
        #expect(!bulkhead.tryEnter(), "two in flight: the limit")
        let snapshot = bulkhead.snapshot()
        #expect(snapshot.maxConcurrent == 2 && snapshot.inFlight == 2)
        #expect(snapshot.isAdaptive && snapshot.adaptiveMinLimit == 2 && snapshot.adaptiveMaxLimit == 6)
        #expect(!Bulkhead(configuration: BulkheadConfiguration(maxConcurrent: 3), clock: clock).snapshot().isAdaptive)
    }

    @Test func aGrowingLimitLetsWaitersInAndAShrunkOneKeepsThemOut() async {
        let bulkhead = Bulkhead(
            configuration: BulkheadConfiguration(adaptive: policy, maxWaiting: 2, maxWait: .seconds(10)), clock: clock)
        for _ in 0..<4 { #expect(bulkhead.tryEnter()) }
        let waiter = Task { await bulkhead.enter() }
        #expect(await waitForWaiter(bulkhead))
        // A fast sample with four in flight: 4 -> 5, room for one.
        bulkhead.sample(latencyNanoseconds: 1_000_000, timedOut: false)
        #expect(bulkhead.limit == 5)
        #expect(await awaitOrCancel(waiter) == true)
        #expect(bulkhead.snapshot().inFlight == 5)
        // Now shrink to 2: a leaving call hands its slot on only while the limit has room.
        let second = Task { await bulkhead.enter() }
        #expect(await waitForWaiter(bulkhead))
        bulkhead.sample(latencyNanoseconds: 1, timedOut: true)  // 5 -> 2.5
        bulkhead.leave()
        #expect(bulkhead.snapshot().inFlight == 4 && bulkhead.snapshot().waiting == 1, "4 > 2: not handed on")
        for _ in 0..<3 { bulkhead.leave() }
        #expect(await awaitOrCancel(second) == true, "down to one in flight: the waiter goes in")
        #expect(bulkhead.snapshot().inFlight == 2)
    }

    @Test func thePipelineSamplesEveryAttemptAndTheSnapshotShowsTheLimit() async throws {
        let registry = makeRegistry(clock: clock)
        var c = DependencyConfiguration(name: "recommendations")
        c.retry = .disabled
        c.bulkhead = BulkheadConfiguration(adaptive: policy)
        c.attemptTimeout = .milliseconds(300)
        let d = try registry.register(c)
        // A slow call (over the 100 ms threshold) halves the limit: 4 -> 2.
        let slow = Task {
            try await d.execute { () async throws -> Int in
                try await clock.sleep(nanoseconds: 200_000_000)
                return 1
            }
        }
        #expect(await clock.waitForSleepers(2))  // the call and its timeout
        clock.advance(by: .milliseconds(200))
        #expect(try await outcome(slow).value == 1)
        var bulkhead = try #require(registry.snapshot().dependency(named: "recommendations")?.bulkhead)
        #expect(bulkhead.maxConcurrent == 2 && bulkhead.isAdaptive)
        // A timeout is a sample too; the floor holds.
        let timedOut = Task {
            try await d.execute(fallbacks: [.staticDefault(0)]) { () async throws -> Int in
                try await clock.sleep(nanoseconds: 1_000_000_000)
                return 1
            }
        }
        #expect(await clock.waitForSleepers(2))
        clock.advance(by: .milliseconds(300))
        #expect(try await outcome(timedOut).value == 0)
        bulkhead = try #require(registry.snapshot().dependency(named: "recommendations")?.bulkhead)
        #expect(bulkhead.maxConcurrent == 2)
    }

    /// A failure that is not a timeout says nothing about queueing: it moves nothing.
    @Test func aFastErrorIsNotASample() async throws {
        let registry = makeRegistry(clock: clock)
        var c = DependencyConfiguration(name: "recommendations")
        c.retry = .disabled
        c.bulkhead = BulkheadConfiguration(adaptive: policy)
        let d = try registry.register(c)
        for _ in 0..<3 {
            _ = try? await d.execute(fallbacks: [.staticDefault(0)]) { () async throws -> Int in throw DownstreamError()
            }
        }
        #expect(registry.snapshot().dependency(named: "recommendations")?.bulkhead?.maxConcurrent == 4)
    }

    @Test func invalidLimitsAreRefusedInOneLine() {
        var c = DependencyConfiguration(name: "recommendations")
        c.bulkhead = BulkheadConfiguration(
            adaptive: AdaptiveConcurrency(initialLimit: 10, minLimit: 20, maxLimit: 30, latencyThreshold: .seconds(1)))
        #expect(
            c.validationProblem()
                == "bulkhead: adaptive limits need 1 <= minLimit <= initialLimit <= maxLimit (got 20, 10, 30)")
        c.bulkhead = BulkheadConfiguration(
            adaptive: AdaptiveConcurrency(latencyThreshold: .seconds(1), backoffRatio: 1))
        #expect(c.validationProblem() == "bulkhead: adaptive backoffRatio must be in [0.5, 1) (got 1.0)")
        c.bulkhead = BulkheadConfiguration(adaptive: AdaptiveConcurrency(latencyThreshold: .zero))
        #expect(c.validationProblem() == "bulkhead: adaptive latencyThreshold must be positive")
    }
}
