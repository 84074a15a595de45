public import Fusebox
public import FuseboxProtocol
public import Logging
import Synchronization

/// A simulated checkout service under a scripted outage: traffic from every instance flows through
/// the real `Fusebox` pipelines to simulated downstreams whose behaviour the scenario changes.
///
/// Run it on a `SystemClock` for a live demo, or on a `ManualClock` inside ``VirtualTime/run(clock:_:)``
/// to play minutes of outage in milliseconds, deterministically.
public final class Simulation: Sendable {
    /// A scenario step that has happened.
    public struct Note: Sendable, Hashable {
        public let atMilliseconds: Int64
        public let text: String
    }

    public let configuration: SimulationConfiguration
    public let clock: any FuseboxClock
    public let downstreams: Downstreams
    /// One per instance.
    public let services: [CheckoutService]
    private let notes = Mutex<[Note]>([])

    /// - Throws: `SimulationConfigurationError` if the configuration's numbers are out of range.
    public init(
        configuration: SimulationConfiguration, clock: any FuseboxClock,
        logger: Logger = Logger(label: "fusebox.simulator")
    ) throws {
        if let problem = configuration.validationProblem() { throw SimulationConfigurationError(problem: problem) }
        self.configuration = configuration
        self.clock = clock
        let downstreams = Downstreams(syntheticCount: configuration.syntheticDependencies, seed: configuration.seed)
        self.downstreams = downstreams
        self.services = (0..<configuration.instances).map { index in
            CheckoutService(
                service: configuration.service, instanceIndex: configuration.firstInstanceNumber - 1 + index,
                downstreams: downstreams,
                seed: configuration.seed, clock: clock, logger: logger)
        }
    }

    /// Every instance's registry.
    public var registries: [FuseboxRegistry] { services.map(\.registry) }

    /// A snapshot of every instance.
    public func snapshots(eventLimit: Int = 256) -> [Snapshot] {
        registries.map { $0.snapshot(eventLimit: eventLimit) }
    }

    /// Applies an operator command to one instance (by index) or, with `nil`, to all of them.
    public func apply(_ command: Command, instance: Int? = nil) -> [CommandResult] {
        let targets = instance.map { [services[$0]] } ?? services
        return targets.map { $0.registry.apply(command) }
    }

    /// The scenario steps that have happened, oldest first (at most the last 1,000).
    public var scenarioNotes: [Note] { notes.withLock { $0 } }

    /// Plays the scenario and sends traffic from every instance until `duration` has passed on the
    /// clock (forever if `nil`, until the task is cancelled). Calls in flight at the end complete.
    /// - Parameters:
    ///   - every: how often to call `observe`, on the clock, if given.
    ///   - observe: sees the simulation mid-run (tests sample snapshots with it).
    public func run(
        for duration: Duration?, observingEvery every: Duration? = nil,
        _ observe: (@Sendable (Simulation) -> Void)? = nil
    ) async {
        let start = clock.nanoseconds()
        let end = duration.map { start &+ UInt64($0.components.seconds) * 1_000_000_000 } ?? .max
        await withDiscardingTaskGroup { group in
            group.addTask { await self.direct(start: start, end: end) }
            for service in services {
                group.addTask { await self.traffic(for: service, until: end) }
            }
            if let every, let observe {
                group.addTask {
                    let interval =
                        UInt64(every.components.seconds) * 1_000_000_000
                        + UInt64(every.components.attoseconds / 1_000_000_000)
                    while self.clock.nanoseconds() &+ interval <= end {
                        guard (try? await self.clock.sleep(nanoseconds: interval)) != nil else { return }
                        observe(self)
                    }
                }
            }
        }
    }

    /// Applies the scenario's steps at their times, looping if the scenario loops.
    private func direct(start: UInt64, end: UInt64) async {
        let scenario = configuration.scenario
        let pass = UInt64(scenario.durationSeconds * 1e9)
        var passStart = start
        while passStart < end {
            downstreams.healAll()
            for step in scenario.steps {
                let at = passStart &+ UInt64(step.atSeconds * 1e9)
                guard at < end, await sleep(until: at) else { return }
                step.change(downstreams)
                let stamp = clock.wallMilliseconds()
                notes.withLock { notes in
                    notes.append(Note(atMilliseconds: stamp, text: step.note))
                    if notes.count > 1_000 { notes.removeFirst(notes.count - 1_000) }
                }
            }
            guard scenario.loops else { return }
            passStart &+= pass
            guard passStart < end, await sleep(until: passStart) else { return }
        }
    }

    /// Poisson arrivals for one instance; each request runs in its own child task.
    private func traffic(for service: CheckoutService, until end: UInt64) async {
        var random = SimulationRandom.derived(configuration.seed, UInt64(service.instanceIndex), 1)
        let meanGap = 1e9 / configuration.requestsPerSecond
        var index = 0
        await withDiscardingTaskGroup { group in
            while true {
                let gap = UInt64(random.exponential(mean: meanGap))
                guard clock.nanoseconds() &+ gap < end, (try? await clock.sleep(nanoseconds: gap)) != nil else {
                    return
                }
                let request = index
                index += 1
                group.addTask { await service.handle(request: request) }
            }
        }
    }

    private func sleep(until deadline: UInt64) async -> Bool {
        let now = clock.nanoseconds()
        guard deadline > now else { return !Task.isCancelled }
        return (try? await clock.sleep(nanoseconds: deadline - now)) != nil
    }
}

/// A simulation was configured with numbers out of range.
public struct SimulationConfigurationError: Error, Hashable, CustomStringConvertible {
    public let problem: String
    public var description: String { "simulation: \(problem)" }
}
