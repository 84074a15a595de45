public import Fusebox
public import FuseboxProtocol
public import FuseboxSimulator
import Logging
import Synchronization

/// The embedded fault-injection simulator as a source: a live incident on any machine.
public final class SimulatorBackend: ResilienceBackend {
    public let simulation: Simulation
    public let description: String
    public let capabilities = BackendCapabilities(readOnly: false)
    private let runner = Mutex<Task<Void, Never>?>(nil)

    /// - Parameters:
    ///   - configuration: scenario, seed, rate, instances, synthetic dependencies.
    ///   - clock: real time for the console; tests may pass a manual clock and drive it themselves.
    public init(configuration: SimulationConfiguration, clock: any FuseboxClock = SystemClock()) throws {
        simulation = try Simulation(
            configuration: configuration, clock: clock,
            logger: Logger(label: "fusebox.simulator", factory: { _ in SwiftLogNoOpLogHandler() }))
        description = "sim:\(configuration.scenario.name)"
    }

    /// Starts traffic and the scenario in the background, until ``stop()``.
    public func start() {
        runner.withLock { task in
            guard task == nil else { return }
            task = Task { [simulation] in await simulation.run(for: nil) }
        }
    }

    /// Stops traffic; calls in flight complete.
    public func stop() {
        runner.withLock { task in
            task?.cancel()
            task = nil
        }
    }

    public func poll() async throws -> [Snapshot] {
        simulation.snapshots()
    }

    public func send(_ command: Command, toInstance instance: String?) async throws -> [CommandResult] {
        guard let instance else { return simulation.apply(command) }
        guard let index = simulation.registries.firstIndex(where: { $0.instance == instance }) else {
            throw BackendError("no instance named '\(instance)' in the simulator")
        }
        return simulation.apply(command, instance: index)
    }
}
