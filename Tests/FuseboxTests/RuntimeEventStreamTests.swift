import FuseboxProtocol
import Synchronization
import Testing

@testable import Fusebox

/// Issue 12: typed events as an `AsyncSequence`, per registry and per dependency: transitions,
/// calls not permitted, retries, budget denials, fallbacks.
@Suite(.timeLimit(.minutes(1))) struct RuntimeEventStreamTests {
    let clock = ManualClock()

    @Test func listenersSeeTransitionsRejectionsRetriesAndBudgetDenials() async throws {
        let registry = makeRegistry(clock: clock)
        var c = DependencyConfiguration(name: "payments")
        c.breaker = smallBreaker(window: .count(6), minimumCalls: 6, failureRate: 60, wait: .seconds(30))
        c.retry.maxAttempts = 2
        c.retry.jitter = .none
        c.retry.initialBackoff = .zero
        c.retry.maxBackoff = .zero
        c.retryBudget = nil
        let payments = try registry.register(c)
        var tight = c
        tight.name = "inventory"
        tight.retryBudget = RetryBudgetConfiguration(ratio: 0.01, minRetriesPerSecond: 0, windowSeconds: 10)
        let inventory = try registry.register(tight)
        let other = try registry.register(DependencyConfiguration(name: "search"))
        let all = registry.events.stream()
        let mine = payments.eventStream()
        let collected = Task {
            var seen: [RuntimeEvent] = []
            for await event in all {
                seen.append(event)
                if case .callNotPermitted = event { break }
            }
            return seen
        }
        let onlyPayments = Task {
            var names: Set<String?> = []
            for await event in mine {
                names.insert(event.dependency)
                if case .callNotPermitted = event { break }
            }
            return names
        }
        _ = try? await other.execute { 1 }
        // A budget with no room refuses inventory's retry.
        _ = try? await inventory.execute(idempotent: true) { () async throws -> Int in throw DownstreamError() }
        // Payments: each failure is retried once; after two successes, four failed attempts in a
        // window of six trip the breaker; then a call is turned away.
        for _ in 0..<2 { _ = try? await payments.execute { 1 } }
        for _ in 0..<2 {
            _ = try? await payments.execute(idempotent: true) { () async throws -> Int in throw DownstreamError() }
        }
        _ = try? await payments.execute { 1 }
        let seen = await collected.value
        let kinds = seen.map { event -> String in
            switch event {
            case .logged(let logged): return "logged \(logged.kind.rawValue)"
            case .callNotPermitted(_, let reason): return "not permitted \(reason.rawValue)"
            case .retry(_, let attempt, _): return "retry \(attempt)"
            case .hedged(_, let hedge): return "hedge \(hedge)"
            case .budgetDenied: return "budget denied"
            case .registered, .reconfigured, .unregistered: return "membership"
            }
        }
        #expect(
            kinds == ["budget denied", "retry 2", "retry 2", "logged transition", "not permitted breaker-open"],
            "\(kinds)")
        #expect(await onlyPayments.value == ["payments"], "a dependency's stream has only its events")
    }

    @Test func aStreamEndsWhenItsListenerGoesAndOthersGoOn() async throws {
        let registry = makeRegistry(clock: clock)
        var c = DependencyConfiguration(name: "payments")
        c.rateLimit = RateLimiterConfiguration(ratePerSecond: 0.001, burst: 1)
        let payments = try registry.register(c)
        let staying = registry.events.stream()
        let leaving = Task {
            for await _ in registry.events.stream() {}
        }
        while registry.events.listenerCount < 2 { await Task.yield() }
        leaving.cancel()
        await leaving.value
        #expect(registry.events.listenerCount == 1, "the listener that went is forgotten")
        _ = try? await payments.execute { 1 }
        _ = try? await payments.execute { 1 }  // the bucket is empty: rate-limited
        for await event in staying {
            if case .callNotPermitted(let name, let reason) = event {
                #expect(name == "payments" && reason == .rateLimited)
                break
            }
        }
    }
}
