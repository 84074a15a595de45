public import FuseboxProtocol
public import Logging
import Synchronization

/// Every named dependency and flag of a service instance, its recent events, and the one place
/// operator commands are applied. Produces consistent ``Snapshot``s for the agent and console.
///
/// ```swift
/// let registry = FuseboxRegistry(service: "checkout", instance: hostname, logger: logger)
/// let payments = try registry.register(DependencyConfiguration(name: "payments", criticality: .critical))
/// let staticRecs = try registry.defineFlag("recommendations.static-fallback", initial: .boolean(false),
///                                          description: "Serve bestsellers instead of personal picks")
/// ```
public final class FuseboxRegistry: Sendable {
    public let service: String
    public let instance: String
    public let clock: any FuseboxClock
    public let random: SeededRandom
    public let events: EventLog
    /// When the registry was created, on its clock's wall time: snapshots carry it, so a reader
    /// can tell a restarted process from the one it watched.
    public let startedAtMilliseconds: Int64
    let logger: Logger

    private struct Members {
        var dependencies: [String: Dependency] = [:]
        /// The same dependencies sorted by name, kept sorted on registration so snapshots need not sort.
        var sortedDependencies: [Dependency] = []
        var flags: [String: FeatureFlag] = [:]
    }

    private let members = FuseboxMutex(Members())
    let ledger: FuseboxMutex<CommandLedger>

    /// The flag that holds the service-wide ``DegradationLevel``.
    public static let degradationFlagName = "service.degradation"
    /// The service-wide degradation level flag (registered by every registry).
    public let degradation: FeatureFlag

    /// - Parameters:
    ///   - service: the service's name, e.g. `checkout`.
    ///   - instance: this instance's name, e.g. a pod name.
    ///   - clock: the time source for every policy (``ManualClock`` in tests).
    ///   - random: the jitter source (seed it for reproducible runs).
    ///   - logger: where transitions, fallbacks and commands are logged; the library never bootstraps logging.
    ///   - eventCapacity: how many recent events the ring keeps.
    ///   - commandMemory: how many command ids are remembered for idempotency.
    public init(
        service: String,
        instance: String,
        clock: any FuseboxClock = SystemClock(),
        random: SeededRandom = SeededRandom(),
        logger: Logger = Logger(label: "fusebox"),
        eventCapacity: Int = 1024,
        commandMemory: Int = 4096
    ) {
        self.service = service
        self.instance = instance
        self.clock = clock
        self.random = random
        self.events = EventLog(capacity: eventCapacity)
        self.startedAtMilliseconds = clock.wallMilliseconds()
        var logger = logger
        logger[metadataKey: "service"] = "\(service)"
        logger[metadataKey: "instance"] = "\(instance)"
        self.logger = logger
        self.ledger = FuseboxMutex(CommandLedger(capacity: commandMemory))
        let degradation = FeatureFlag(
            name: Self.degradationFlagName, initial: .degradation(.normal),
            description: "Service-wide degradation level: normal, reduced or read-only", owner: nil,
            operatorControllable: true)
        self.degradation = degradation
        members.withLock { $0.flags[degradation.name] = degradation }
    }

    // MARK: - Registration

    /// Registers a dependency and builds its pipeline.
    /// - Throws: ``FuseboxConfigurationError`` if the name is taken or the configuration is invalid.
    @discardableResult
    public func register(_ configuration: DependencyConfiguration) throws -> Dependency {
        if let problem = configuration.validationProblem() {
            throw FuseboxConfigurationError.invalid(configuration.name, problem)
        }
        return try members.withLock { m in
            guard m.dependencies[configuration.name] == nil else {
                throw FuseboxConfigurationError.duplicate(configuration.name)
            }
            let dependency = Dependency(
                configuration: configuration, clock: clock, random: random, logger: logger, events: events)
            m.dependencies[configuration.name] = dependency
            let index = m.sortedDependencies.firstIndex { $0.name > configuration.name } ?? m.sortedDependencies.count
            m.sortedDependencies.insert(dependency, at: index)
            events.publish(.registered(dependency: configuration.name))
            return dependency
        }
    }

    /// Replaces a registered dependency's policies with `configuration` (same name): a new
    /// pipeline, whose breaker starts closed and whose cumulative counts go on from the old one's.
    /// Snapshots, commands and ``dependency(named:)`` see the new one at once; a caller holding the
    /// old `Dependency` keeps its old policies until it asks for the new one. Announced on the event
    /// stream as `.reconfigured`.
    /// - Throws: ``FuseboxConfigurationError`` if no dependency has the name or the configuration is invalid.
    @discardableResult
    public func reconfigure(_ configuration: DependencyConfiguration) throws -> Dependency {
        if let problem = configuration.validationProblem() {
            throw FuseboxConfigurationError.invalid(configuration.name, problem)
        }
        let dependency = try members.withLock { m in
            guard let old = m.dependencies[configuration.name] else {
                throw FuseboxConfigurationError.invalid(configuration.name, "no dependency by that name to reconfigure")
            }
            let dependency = Dependency(
                configuration: configuration, clock: clock, random: random, logger: logger, events: events,
                carrying: old)
            m.dependencies[configuration.name] = dependency
            if let index = m.sortedDependencies.firstIndex(where: { $0 === old }) {
                m.sortedDependencies[index] = dependency
            }
            return dependency
        }
        logger.notice("dependency reconfigured")
        events.publish(.reconfigured(dependency: configuration.name))
        return dependency
    }

    /// Removes a dependency: snapshots and commands no longer see it. Calls made through a
    /// `Dependency` already held still run, unobserved. Announced on the event stream as
    /// `.unregistered`. Returns whether there was one by that name.
    @discardableResult
    public func unregister(_ name: String) -> Bool {
        let removed = members.withLock { m -> Bool in
            guard m.dependencies.removeValue(forKey: name) != nil else { return false }
            m.sortedDependencies.removeAll { $0.name == name }
            return true
        }
        if removed { events.publish(.unregistered(dependency: name)) }
        return removed
    }

    /// Defines a feature flag.
    /// - Throws: ``FuseboxConfigurationError`` if the name is taken or a percentage is out of 0...100.
    @discardableResult
    public func defineFlag(
        _ name: String, initial: FlagValue, description: String, owner: String? = nil,
        operatorControllable: Bool = true
    ) throws -> FeatureFlag {
        if case .percentage(let p) = initial, !(0...100).contains(p) {
            throw FuseboxConfigurationError.invalid(name, "a percentage flag must be in 0...100 (got \(p))")
        }
        return try members.withLock { m in
            guard m.flags[name] == nil else { throw FuseboxConfigurationError.duplicate(name) }
            let flag = FeatureFlag(
                name: name, initial: initial, description: description, owner: owner,
                operatorControllable: operatorControllable)
            m.flags[name] = flag
            return flag
        }
    }

    /// The dependency with this name.
    public func dependency(named name: String) -> Dependency? {
        members.withLock { $0.dependencies[name] }
    }

    /// The flag with this name.
    public func flag(named name: String) -> FeatureFlag? {
        members.withLock { $0.flags[name] }
    }

    /// Every dependency, sorted by name.
    public var dependencies: [Dependency] {
        members.withLock { $0.sortedDependencies }
    }

    /// Every flag, sorted by name.
    public var flags: [FeatureFlag] {
        members.withLock { Array($0.flags.values) }.sorted { $0.name < $1.name }
    }

    /// The service-wide degradation level.
    public var degradationLevel: DegradationLevel {
        if case .degradation(let level) = degradation.value { return level }
        return .normal
    }

    // MARK: - Snapshots

    /// A snapshot of every dependency and flag, with up to `eventLimit` recent events.
    public func snapshot(eventLimit: Int = 256) -> Snapshot {
        let dependencies = self.dependencies
        let dependencySnapshots = dependencies.map { $0.snapshot() }
        let flagSnapshots = flags.map { $0.snapshot() }
        let recent = events.recent(limit: eventLimit)
        return Snapshot(
            service: service, instance: instance, takenAtMilliseconds: clock.wallMilliseconds(),
            lastEventSequence: recent.last?.sequence ?? events.lastSequence, degradationLevel: degradationLevel,
            dependencies: dependencySnapshots, flags: flagSnapshots, events: recent,
            startedAtMilliseconds: startedAtMilliseconds)
    }

    /// Reports every fallback activation still held back by per-second aggregation (e.g. before shutdown).
    public func flushEvents() {
        for dependency in dependencies { dependency.flushFallbackEvents() }
    }
}
