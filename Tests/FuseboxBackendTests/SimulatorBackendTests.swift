import FuseboxBackend
import FuseboxProtocol
import FuseboxSimulator
import FuseboxSimulatorBackend
import Testing

@Suite struct SimulatorBackendTests {
    static let table = SourceTable([SimulatorBackend.scheme(configuration: SimulationConfiguration())])

    @Test func simSpecificationsPickTheirScenario() throws {
        #expect(try Self.table.backend(for: "sim").description == "sim:partial-outage")
        #expect(try Self.table.backend(for: "sim:recovery").description == "sim:recovery")
        #expect(throws: BackendError.self) { try Self.table.backend(for: "sim:meltdown") }
        do {
            _ = try Self.table.backend(for: "sim:meltdown")
        } catch {
            #expect(error.code == .invalidSource)
            #expect(error.message.hasPrefix("unknown scenario 'meltdown' in 'sim:meltdown'; try: partial-outage"))
        }
    }

    @Test func aSourceNoBackendReadsNamesTheOnesThatExist() {
        for specification in ["http://payments-admin:9901", "prometheus+http://prom:9090", "incident.fbx", ""] {
            do {
                _ = try Self.table.backend(for: specification)
                Issue.record("'\(specification)' should not be readable")
            } catch {
                #expect(error.code == .invalidSource && !error.isRetryable)
                #expect(error.message == "cannot read source '\(specification)'; this build reads: sim[:SCENARIO]")
            }
        }
    }

    @Test func theSimulatorSaysWhatItCanDo() throws {
        let backend = try Self.table.backend(for: "sim")
        #expect(backend.capabilities.commands == Set(CommandKind.allCases))
        #expect(backend.capabilities.fields == .all && !backend.capabilities.selfPaced)
    }

    @Test func pollsEveryInstanceAndSendsToExactlyTheNamedOnes() async throws {
        var configuration = SimulationConfiguration()
        configuration.instances = 3
        let backend = try SimulatorBackend(configuration: configuration, pacing: .virtualTime(seconds: 2))
        let snapshots = try await backend.poll()
        #expect(snapshots.map(\.instance) == ["checkout-1", "checkout-2", "checkout-3"])

        let command = Command(id: "b1", actor: "alice", reason: "drill", action: .forceOpen(dependency: "search"))
        let results = try await backend.send(command, to: ["checkout-1", "checkout-3"])
        #expect(results.map(\.instance) == ["checkout-1", "checkout-3"])
        #expect(results.allSatisfy { $0.after == .breaker(.forcedOpen) })
        let states = backend.simulation.snapshots().map { $0.dependency(named: "search")!.breaker.state }
        #expect(states == [.forcedOpen, .closed, .forcedOpen], "checkout-2 was not named, so it is untouched")

        let close = Command(id: "b2", actor: "alice", reason: "", action: .close(dependency: "search"))
        do {
            _ = try await backend.send(close, to: ["checkout-1", "checkout-9"])
            Issue.record("an unknown instance should not be accepted")
        } catch {
            #expect(error.code == .unsupportedCommand && error.message.contains("checkout-9"))
        }
        let after = backend.simulation.snapshots().map { $0.dependency(named: "search")!.breaker.state }
        #expect(after == [.forcedOpen, .closed, .forcedOpen], "nothing changed, not even on checkout-1")
    }

    @Test func virtualTimeIsSelfPacedOneSecondPerPoll() async throws {
        let backend = try SimulatorBackend(configuration: SimulationConfiguration(), pacing: .virtualTime(seconds: 10))
        #expect(backend.capabilities.selfPaced)
        let first = try await backend.poll()
        let second = try await backend.poll()
        let third = try await backend.poll()
        #expect(second[0].takenAtMilliseconds - first[0].takenAtMilliseconds == 1_000)
        #expect(third == second, "after the played second, polls repeat the last sample")
        #expect(second[0].dependencies.contains { $0.calls.calls > 0 }, "traffic was played")
    }

    @Test func realTimeWorkRunsUntilCancelled() async throws {
        var configuration = SimulationConfiguration()
        configuration.requestsPerSecond = 200
        let backend = try SimulatorBackend(configuration: configuration)
        let before = try await backend.poll()
        let work = Task { try await backend.run() }
        var calls: UInt64 = 0
        for _ in 0..<200 where calls == 0 {
            try await Task.sleep(nanoseconds: 20_000_000)
            calls = try await backend.poll()[0].dependencies.reduce(0) { $0 + $1.calls.calls }
        }
        #expect(before[0].dependencies.allSatisfy { $0.calls.calls == 0 })
        #expect(calls > 0, "run() sends traffic")
        work.cancel()
        _ = try? await work.value
    }
}
