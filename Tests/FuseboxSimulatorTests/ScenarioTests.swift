import Fusebox
import FuseboxProtocol
import FuseboxSimulator
import Testing

@Suite struct ScenarioTests {
    @Test func partialOutageTripsEarlyAndServesFallbacksOfThreeKinds() async throws {
        let simulation = try await runScenario(.partialOutage, seconds: 180)
        let opens = simulation.events.filter { $0.kind == .transition && $0.to == .breaker(.open) }
        #expect(!opens.isEmpty)
        let firstTrip = try #require(opens.first).atMilliseconds - 1_796_000_000_000
        #expect(firstTrip <= 30_000, "a newcomer sees an incident at once: first trip after \(firstTrip) ms")
        let kinds = Set(
            simulation.registries[0].snapshot().dependencies.flatMap { $0.fallbacks.activations.map(\.kind) })
        #expect(kinds.count >= 3, "\(kinds)")
        #expect(kinds.isSuperset(of: [.alternate, .staticDefault, .staleCache, .optimisticDefault]))
        let counts = simulation.services[0].requestCounts
        #expect(counts.requests > 3000 && counts.degraded > 0)
    }

    @Test func regionalFailoverServesTheAlternateWhileThePrimaryIsOpen() async throws {
        let samples = Samples()
        _ = try await runScenario(.regionalFailover, seconds: 120, samples: samples)
        var servedWhileOpen = false
        for (earlier, later) in zip(samples.all, samples.all.dropFirst()) {
            let before = earlier.snapshot.dependency(named: "payments")!
            let after = later.snapshot.dependency(named: "payments")!
            let euBefore = earlier.snapshot.dependency(named: "payments-eu")!.calls.successes
            let euAfter = later.snapshot.dependency(named: "payments-eu")!.calls.successes
            if before.breaker.state == .open && after.breaker.state == .open {
                #expect(after.calls.successes == before.calls.successes, "an open primary serves nothing")
                #expect(euAfter > euBefore, "the alternate region serves at \(later.seconds)s")
                #expect(
                    after.activations(fallback: "payments-eu", reason: .breakerOpen)
                        > before.activations(fallback: "payments-eu", reason: .breakerOpen))
                servedWhileOpen = true
            }
        }
        #expect(servedWhileOpen)
        let last = try #require(samples.all.last).snapshot.dependency(named: "payments")!
        #expect([.recovering, .closed].contains(last.breaker.state), "the primary comes back after it heals")
    }

    @Test func retryBudgetHoldsTheRetryRatioDownInARetryStorm() async throws {
        let seconds = 120
        let simulation = try await runScenario(.retryStorm, seconds: seconds)
        let inventory = simulation.dependency("inventory-db")
        let calls = Double(inventory.calls.successes + inventory.calls.failures)
        let budget = try #require(
            simulation.registries[0].dependency(named: "inventory-db")?.retryBudget?.configuration)
        let allowance = budget.ratio * calls + Double(budget.minRetriesPerSecond * seconds)
        #expect(
            Double(inventory.retry.retries ?? 0) <= allowance, "\(inventory.retry.retries) retries for \(calls) calls")
        #expect((inventory.retry.budgetDenied ?? 0) > 0, "the budget had to refuse retries")
        #expect(inventory.breaker.state == .closed, "the breaker stayed out of it: the budget did the work")
        // Unbudgeted, 45% failures and 4 attempts would retry about 0.8 times per call.
        #expect(Double(inventory.retry.retries ?? 0) / calls < budget.ratio + 0.1)
    }

    @Test func staleCacheServesWithRisingStaleness() async throws {
        let samples = Samples()
        _ = try await runScenario(.cacheStale, seconds: 95, every: 15, samples: samples)
        let staleness = samples.all.filter { $0.seconds >= 30 }.map {
            $0.snapshot.dependency(named: "catalog")!.fallbacks.maxStalenessMilliseconds ?? 0
        }
        #expect(staleness.count >= 4)
        #expect(zip(staleness, staleness.dropFirst()).allSatisfy { $0 < $1 }, "\(staleness)")
        #expect(staleness.last! > 60_000, "catalog has been down for over a minute")
    }

    @Test func recoveryGoesThroughBackInToClosed() async throws {
        let simulation = try await runScenario(.recovery, seconds: 120)
        let path = simulation.transitions(of: "payments").map(\.1)
        let recovering = try #require(path.firstIndex(of: "recovering"), "\(path)")
        #expect(path[..<recovering].contains("open"))
        #expect(path[recovering...].dropFirst().first == "closed", "\(path)")
        #expect(simulation.dependency("payments").breaker.state == .closed)
    }

    @Test func slowDownstreamTripsOnSlowCalls() async throws {
        let simulation = try await runScenario(.slowDownstream, seconds: 100)
        let trip = simulation.events.first {
            $0.kind == .transition && $0.dependency == "shipping-quotes" && $0.to == .breaker(.open)
        }
        #expect(trip?.reason?.hasPrefix("slow-call rate") == true, "\(String(describing: trip?.reason))")
    }

    @Test func flappingMakesProbesFailAndSucceed() async throws {
        let simulation = try await runScenario(.flapping, seconds: 120)
        let transitions = simulation.transitions(of: "search")
        #expect(transitions.contains { $0 == ("half-open", "open") })
        #expect(transitions.contains { $0 == ("half-open", "closed") })
    }

    @Test func sameSeedSameEventsDifferentSeedDifferentEvents() async throws {
        func events(_ seed: UInt64) async throws -> [String] {
            try await runScenario(.partialOutage, seconds: 60, seed: seed).events.map {
                "\($0.sequence) \($0.atMilliseconds) \($0.message)"
            }
        }
        let first = try await events(11)
        #expect(first.count > 20)
        let again = try await events(11)
        let other = try await events(12)
        #expect(again == first)
        #expect(other != first)
    }
}
