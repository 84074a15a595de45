import Fusebox
import FuseboxProtocol
import Testing

/// Issue 12: a pessimistic time limit answers at the limit even when the work ignores
/// cancellation; the work's late result is discarded and counted.
@Suite(.timeLimit(.minutes(1))) struct PessimisticTimeoutTests {
    let clock = ManualClock()

    /// Work that ignores cancellation: it waits for the test to let it go, however long.
    static func stubborn(_ gate: LockedBox<CheckedContinuation<Void, Never>?>) -> @Sendable () async throws -> Int {
        {
            await withCheckedContinuation { continuation in gate.mutate { $0 = continuation } }
            return 5
        }
    }

    static func started(_ gate: LockedBox<CheckedContinuation<Void, Never>?>) async throws -> CheckedContinuation<
        Void, Never
    > {
        let deadline = ContinuousClock.now + .seconds(10)
        while gate.value == nil && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(2)) }
        return try #require(gate.value, "the work started")
    }

    @Test func theCallAnswersAtTheLimitAndTheLateResultIsCounted() async throws {
        let registry = makeRegistry(clock: clock)
        var c = DependencyConfiguration(name: "legacy-soap")
        c.attemptTimeout = .seconds(1)
        c.timeoutStrategy = .pessimistic
        c.retry.maxAttempts = 1
        let d = try registry.register(c)
        let gate = LockedBox<CheckedContinuation<Void, Never>?>(nil)
        let call = Task { try await d.execute(Self.stubborn(gate)) }
        #expect(await clock.waitForSleepers(1), "the limit is set")
        let work = try await Self.started(gate)
        clock.advance(by: .seconds(1))
        // The caller has its answer while the work still runs.
        switch await call.result {
        case .success(let outcome): Issue.record("expected a timeout, got \(outcome.value)")
        case .failure(let error): #expect((error as? DependencyFailure)?.reason == .timeout)
        }
        #expect(d.lateResultsDiscarded == 0)
        work.resume()
        let deadline = ContinuousClock.now + .seconds(10)
        while d.lateResultsDiscarded == 0 && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(2))
        }
        #expect(d.lateResultsDiscarded == 1, "the late value was dropped and counted")
        let s = try #require(registry.snapshot().dependency(named: "legacy-soap"))
        #expect(s.calls.timeouts == 1 && s.calls.failures == 1 && s.calls.successes == 0)
    }

    @Test func aCancelledCallerIsAnsweredAtOnce() async throws {
        let gate = LockedBox<CheckedContinuation<Void, Never>?>(nil)
        let clock = self.clock
        let call = Task {
            try await withPessimisticTimeout(.seconds(60), clock: clock, operation: Self.stubborn(gate))
        }
        let work = try await Self.started(gate)
        call.cancel()
        await #expect(throws: CancellationError.self) { try await call.value }
        work.resume()
    }

    @Test func workThatFinishesInTimeIsTheAnswer() async throws {
        let value = try await withPessimisticTimeout(.seconds(60), clock: clock) { 42 }
        #expect(value == 42)
        await #expect(throws: DownstreamError.self) {
            try await withPessimisticTimeout(.seconds(60), clock: clock) { () async throws -> Int in
                throw DownstreamError()
            }
        }
    }
}
