import Fusebox
import FuseboxProtocol
import Testing

/// Issue 12: an answer can count as a failure (and be retried), as with Resilience4j's
/// `recordResult`/`retryOnResult` and Polly's `ShouldHandle`.
@Suite(.timeLimit(.minutes(1))) struct ResultClassifierTests {
    let clock = ManualClock()

    func dependency(attempts: Int) throws -> (FuseboxRegistry, Dependency) {
        let registry = makeRegistry(clock: clock)
        var c = DependencyConfiguration(name: "search")
        c.retry.maxAttempts = attempts
        c.retry.jitter = .none
        c.retry.initialBackoff = .zero
        c.retry.maxBackoff = .zero
        c.retryBudget = nil
        c.breaker = smallBreaker(window: .count(10), minimumCalls: 10)
        return (registry, try registry.register(c))
    }

    /// An empty page is worth another try; a page marked "gone" is not.
    static let pages = ResultClassifier<[String]> { page in
        if page.isEmpty { return .transient }
        if page == ["gone"] { return .permanent }
        return nil
    }

    @Test func aTransientAnswerIsRetriedAndCountedAsAFailedAttempt() async throws {
        let (registry, d) = try dependency(attempts: 3)
        let answers = LockedBox([[String](), [], ["result"]])
        let outcome = try await d.execute(idempotent: true, classifyingResults: Self.pages) {
            answers.mutate { $0.removeFirst() }
        }
        #expect(outcome.value == ["result"] && outcome.attempts == 3 && outcome.source == .primary)
        let s = try #require(registry.snapshot().dependency(named: "search"))
        #expect(s.retry.retries == 2 && s.calls.successes == 1 && s.calls.failures == 0)
        #expect(s.breaker.windowFailures == 2, "the breaker counted both empty answers")
    }

    @Test func aPermanentAnswerIsNotRetriedAndReachesTheFallbackThenTheCaller() async throws {
        let (registry, d) = try dependency(attempts: 3)
        let calls = LockedBox(0)
        let served = try await d.execute(
            idempotent: true, fallbacks: [.staticDefault(["cached"])], classifyingResults: Self.pages
        ) {
            calls.mutate { $0 += 1 }
            return ["gone"]
        }
        #expect(served.value == ["cached"] && calls.value == 1)
        #expect(served.source == .fallback(name: "static-default", kind: .staticDefault, reason: .error))
        // Without a fallback the caller gets the failure, with the answer inside it.
        do {
            _ = try await d.execute(idempotent: true, classifyingResults: Self.pages) { ["gone"] }
            Issue.record("an unacceptable answer was returned as a success")
        } catch let failure as DependencyFailure {
            #expect((failure.underlying as? UnacceptableResult<[String]>)?.value == ["gone"])
        }
        #expect(registry.snapshot().dependency(named: "search")?.calls.failures == 2)
    }

    @Test func answersTheClassifierAcceptsAreSuccesses() async throws {
        let (registry, d) = try dependency(attempts: 3)
        let outcome = try await d.execute(classifyingResults: Self.pages) { ["a", "b"] }
        #expect(outcome.value == ["a", "b"] && outcome.attempts == 1)
        #expect(registry.snapshot().dependency(named: "search")?.breaker.windowFailures == 0)
    }
}
