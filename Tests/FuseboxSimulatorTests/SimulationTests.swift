import Fusebox
import FuseboxProtocol
import FuseboxSimulator
import Testing

@Suite struct SimulationTests {
    @Test func reactsToOperatorCommandsLikeARealService() async throws {
        let simulation = try await runScenario(.flapping, seconds: 30) { _ in
        } during: { elapsed, simulation in
            guard elapsed == 5 else { return }
            _ = simulation.apply(
                Command(
                    id: "force", actor: "alice", reason: "drill", action: .forceOpen(dependency: "payments")))
            _ = simulation.apply(
                Command(
                    id: "flag", actor: "alice", reason: "drill",
                    action: .setFlag(name: CheckoutService.staticRecommendationsFlag, value: .boolean(true))))
        }
        let payments = simulation.dependency("payments")
        #expect(payments.breaker.state == .forcedOpen)
        #expect(payments.activations(fallback: "payments-eu", reason: .breakerOpen) > 100)
        #expect(simulation.dependency("payments-eu").calls.successes > 100)
        let recommendations = simulation.dependency("recommendations")
        #expect(recommendations.activations(fallback: "bestsellers", reason: .flag) > 100)
        #expect(recommendations.calls.bypassed == recommendations.activations(fallback: "bestsellers", reason: .flag))
    }

    @Test func instancesAndSyntheticDependenciesScaleTheFleet() async throws {
        let simulation = try await runScenario(.partialOutage, seconds: 10) {
            $0.instances = 3
            $0.syntheticDependencies = 500
            $0.requestsPerSecond = 10
        }
        let snapshots = simulation.snapshots()
        #expect(snapshots.map(\.instance) == ["checkout-1", "checkout-2", "checkout-3"])
        #expect(snapshots.allSatisfy { $0.dependencies.count == 12 + 500 })
        let syntheticCalls = snapshots[0].dependencies.filter { $0.name.hasPrefix("synthetic-") }
            .reduce(0) { $0 + $1.calls.calls }
        #expect(syntheticCalls > 0)
        #expect(Set(snapshots.map { $0.dependency(named: "auth")!.calls.calls }).count > 1, "instances differ")
    }

    @Test func everyNumberComesFromTheRuntimeAndAddsUp() async throws {
        let simulation = try await runScenario(.partialOutage, seconds: 60)
        for dependency in simulation.registries[0].snapshot().dependencies {
            let c = dependency.calls
            #expect(c.calls == c.successes + c.failures + c.rejected + c.bypassed!, "\(dependency.name)")
            #expect(dependency.fallbacks.total + dependency.fallbacks.unserved == c.failures + c.rejected + c.bypassed!)
        }
        let downstreamCalls = simulation.downstreams.auth.callCount
        #expect(UInt64(downstreamCalls) == simulation.dependency("auth").retry.attempts)
    }

    @Test func badConfigurationsAreRefusedWithAReason() {
        var configuration = SimulationConfiguration()
        configuration.syntheticDependencies = 20_000
        #expect {
            try Simulation(configuration: configuration, clock: ManualClock(), logger: quietLogger)
        } throws: { error in
            String(describing: error) == "simulation: synthetic dependencies must be 0...10000 (got 20000)"
        }
    }

    @Test func scenariosAreListedWithSummariesAndOrderedSteps() {
        #expect(
            Scenario.all.map(\.name) == [
                "partial-outage", "slow-downstream", "flapping", "regional-failover", "retry-storm", "cache-stale",
                "recovery",
            ])
        #expect(Scenario.defaultScenario.name == "partial-outage")
        #expect(Scenario.partialOutage.durationSeconds == 180 && Scenario.partialOutage.loops)
        for scenario in Scenario.all {
            #expect(!scenario.summary.isEmpty && !scenario.steps.isEmpty)
            #expect(scenario.steps.map(\.atSeconds) == scenario.steps.map(\.atSeconds).sorted())
        }
    }

    @Test func loopingScenariosStartOver() async throws {
        let simulation = try await runScenario(.regionalFailover, seconds: 240)
        let notes = simulation.scenarioNotes.map(\.text)
        #expect(
            notes == [
                "payments primary region down", "payments primary region back",
                "payments primary region down", "payments primary region back",
            ])
    }
}
