import Fusebox
public import FuseboxBackend
public import FuseboxProtocol
public import FuseboxSimulator
import Logging
import Synchronization

/// The embedded fault-injection simulator as a source: a live incident on any machine.
///
/// In real time, ``run()`` sends the traffic and plays the scenario until cancelled, and polls read
/// the instances as they are. In virtual time (for `fusebox status`), the first poll plays the
/// scenario up to the requested second as fast as the machine allows, and each poll returns the
/// next second's snapshots: the backend is self-paced.
public final class SimulatorBackend: ResilienceBackend {
    /// How the simulation's time passes.
    public enum Pacing: Sendable, Hashable {
        /// On the wall clock, while ``run()`` runs.
        case realTime
        /// In virtual time: polls return the snapshots at `seconds - 1`, `seconds`, then `seconds` again.
        case virtualTime(seconds: Int)
    }

    /// The simulation being run (tests drive and inspect it).
    public let simulation: Simulation
    /// `sim:SCENARIO`.
    public let description: String
    /// Every command and every field; self-paced in virtual time.
    public let capabilities: BackendCapabilities
    private let pacing: Pacing
    private let manualClock: ManualClock?
    /// Virtual time: the played samples, once the first poll has played them.
    private let played = Mutex<Task<[[Snapshot]], any Error>?>(nil)
    private let polls = Atomic<Int>(0)

    /// - Parameters:
    ///   - configuration: scenario, seed, rate, instances, synthetic dependencies.
    ///   - pacing: real time for the console, virtual time for a one-off status.
    /// - Throws: ``BackendError`` (``BackendError/Code/invalidSource``) if the configuration is out of range.
    public init(configuration: SimulationConfiguration, pacing: Pacing = .realTime) throws(BackendError) {
        let clock: any FuseboxClock
        switch pacing {
        case .realTime:
            clock = SystemClock()
            manualClock = nil
        case .virtualTime:
            let manual = ManualClock(wallOriginMilliseconds: SystemClock().wallMilliseconds())
            clock = manual
            manualClock = manual
        }
        do {
            simulation = try Simulation(
                configuration: configuration, clock: clock,
                logger: Logger(label: "fusebox.simulator", factory: { _ in SwiftLogNoOpLogHandler() }))
        } catch {
            throw BackendError(.invalidSource, "\(error)")
        }
        self.pacing = pacing
        description = "sim:\(configuration.scenario.name)"
        capabilities = BackendCapabilities(
            commands: Set(CommandKind.allCases), fields: .all, selfPaced: pacing != .realTime)
    }

    /// Sends traffic and plays the scenario until the task is cancelled (real time only).
    public func run() async throws {
        guard pacing == .realTime else { return }
        await simulation.run(for: nil)
    }

    public func poll() async throws(BackendError) -> [Snapshot] {
        guard case .virtualTime(let seconds) = pacing, let clock = manualClock else {
            return simulation.snapshots()
        }
        let task = played.withLock { task in
            if let task { return task }
            let playing = Task { [simulation] () throws -> [[Snapshot]] in
                let samples = Mutex<[[Snapshot]]>([simulation.snapshots()])
                try await VirtualTime.run(clock: clock) {
                    await simulation.run(for: .seconds(max(1, seconds)), observingEvery: .seconds(1)) { simulation in
                        let snapshots = simulation.snapshots()
                        samples.withLock { $0 = Array(($0 + [snapshots]).suffix(2)) }
                    }
                }
                return samples.withLock { $0 }
            }
            task = playing
            return playing
        }
        let samples: [[Snapshot]]
        do {
            samples = try await task.value
        } catch {
            throw BackendError(.stopped, "the simulation stopped: \(error)")
        }
        let index = polls.add(1, ordering: .relaxed).oldValue
        return samples[min(index, samples.count - 1)]
    }

    /// Applies `command` on each named instance, or on none if a name is unknown.
    public func send(_ command: Command, to instances: [String]) async throws(BackendError) -> [CommandResult] {
        // Every name is checked before anything changes: a command applies to all of them or to none.
        var indices: [Int] = []
        for instance in instances {
            guard let index = simulation.registries.firstIndex(where: { $0.instance == instance }) else {
                throw BackendError(
                    .unsupportedCommand, "no instance named '\(instance)' in the simulator; nothing was changed")
            }
            indices.append(index)
        }
        return indices.flatMap { simulation.apply(command, instance: $0) }
    }
}
