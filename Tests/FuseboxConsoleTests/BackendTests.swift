import Fusebox
import FuseboxBackends
import FuseboxProtocol
import FuseboxSimulator
import Testing

@Suite struct BackendTests {
    @Test func sourceSpecificationsParseOrSayWhatIsAccepted() throws {
        #expect(try SourceSpecification(parsing: "sim") == .simulator(scenario: "partial-outage"))
        #expect(try SourceSpecification(parsing: "sim:recovery") == .simulator(scenario: "recovery"))
        #expect(
            try SourceSpecification(parsing: "http://payments-admin:9901") == .agent(url: "http://payments-admin:9901"))
        #expect(
            try SourceSpecification(parsing: "prometheus+http://prom:9090") == .prometheus(url: "http://prom:9090"))
        #expect(
            try SourceSpecification(parsing: "resilience4j+http://app:8080/actuator")
                == .resilience4j(url: "http://app:8080/actuator"))
        #expect(try SourceSpecification(parsing: "incident.fbx") == .recording(path: "incident.fbx"))
        #expect {
            try SourceSpecification(parsing: "sim:meltdown")
        } throws: { error in
            String(describing: error).hasPrefix("unknown scenario 'meltdown' in 'sim:meltdown'; try: partial-outage")
        }
        #expect {
            try SourceSpecification(parsing: "ftp://host")
        } throws: { error in
            String(describing: error).hasPrefix("cannot read source 'ftp://host'; use sim[:SCENARIO]")
        }
    }

    @Test func simulatorBackendPollsEveryInstanceAndRoutesCommands() async throws {
        var configuration = SimulationConfiguration()
        configuration.instances = 2
        let backend = try SimulatorBackend(configuration: configuration, clock: ManualClock())
        #expect(backend.description == "sim:partial-outage" && !backend.capabilities.readOnly)
        let snapshots = try await backend.poll()
        #expect(snapshots.map(\.instance) == ["checkout-1", "checkout-2"])

        let command = Command(id: "b1", actor: "alice", reason: "drill", action: .forceOpen(dependency: "search"))
        let one = try await backend.send(command, toInstance: "checkout-2")
        #expect(one.count == 1 && one[0].after == "forced-open")
        let states = try await backend.poll().map { $0.dependency(named: "search")!.breaker.state }
        #expect(states == [.closed, .forcedOpen])

        let all = try await backend.send(
            Command(id: "b2", actor: "alice", reason: "", action: .disable(dependency: "search")), toInstance: nil)
        #expect(all.count == 2)
        await #expect(throws: BackendError.self) {
            try await backend.send(command, toInstance: "checkout-9")
        }
    }
}
