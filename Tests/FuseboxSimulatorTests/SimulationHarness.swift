import Fusebox
import FuseboxProtocol
import FuseboxSimulator
import Logging
import Synchronization

let quietLogger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })

/// Snapshots taken during a virtual-time run, by the time they were taken.
final class Samples: Sendable {
    private let box = Mutex<[(seconds: Int, snapshot: Snapshot)]>([])
    var all: [(seconds: Int, snapshot: Snapshot)] { box.withLock { $0 } }
    func add(_ seconds: Int, _ snapshot: Snapshot) { box.withLock { $0.append((seconds, snapshot)) } }
}

/// Runs a scenario in virtual time and returns the simulation, sampling instance 0 every `every` seconds.
func runScenario(
    _ scenario: Scenario, seconds: Int, seed: UInt64 = 7, every: Int = 5, samples: Samples? = nil,
    configure: (inout SimulationConfiguration) -> Void = { _ in },
    during: (@Sendable (Int, Simulation) -> Void)? = nil
) async throws -> Simulation {
    var configuration = SimulationConfiguration()
    configuration.scenario = scenario
    configuration.seed = seed
    configure(&configuration)
    let clock = ManualClock(wallOriginMilliseconds: 1_796_000_000_000)
    let simulation = try Simulation(configuration: configuration, clock: clock, logger: quietLogger)
    let start = clock.nanoseconds()
    try await VirtualTime.run(clock: clock) {
        await simulation.run(for: .seconds(seconds), observingEvery: .seconds(every)) { simulation in
            let elapsed = Int((clock.nanoseconds() - start) / 1_000_000_000)
            during?(elapsed, simulation)
            samples?.add(elapsed, simulation.registries[0].snapshot())
        }
    }
    for registry in simulation.registries { registry.flushEvents() }
    return simulation
}

extension Simulation {
    /// Every event of instance 0, oldest first.
    var events: [Event] { registries[0].events.recent() }

    /// Instance 0's snapshot of one dependency.
    func dependency(_ name: String) -> DependencySnapshot {
        registries[0].snapshot().dependency(named: name)!
    }

    /// Instance 0's transitions of one dependency, as (from, to).
    func transitions(of name: String) -> [(String, String)] {
        events.filter { $0.kind == .transition && $0.dependency == name }.map {
            (state($0.from), state($0.to))
        }
    }

    private func state(_ target: TargetState?) -> String {
        guard case .breaker(let state) = target else { return "" }
        return state.rawValue
    }
}

extension DependencySnapshot {
    func activations(fallback: String, reason: FallbackReason) -> UInt64 {
        fallbacks.activations.first { $0.fallback == fallback && $0.reason == reason }?.count ?? 0
    }
}
