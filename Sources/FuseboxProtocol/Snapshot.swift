/// A consistent picture of one service instance's resilience state, as served by an agent and
/// drawn by the console.
///
/// Times are wall-clock milliseconds since the Unix epoch; durations are milliseconds.
public struct Snapshot: Codable, Sendable, Hashable {
    /// The format version of this snapshot. Decoding refuses a major version this build does not
    /// know with ``FormatVersionError`` and ignores fields a newer minor version added.
    public var formatVersion: FormatVersion
    /// The service's name, e.g. `checkout`.
    public var service: String
    /// The instance's name, e.g. a host name or pod name.
    public var instance: String
    /// When the snapshot was taken.
    public var takenAtMilliseconds: Int64
    /// The sequence number of the newest event the instance has emitted (0 if none).
    public var lastEventSequence: UInt64
    /// When this instance's registry was created: a new value means a new process, whose counters
    /// and event numbers started over (format 1.2; absent from older sources).
    public var startedAtMilliseconds: Int64?
    /// The service-wide degradation level.
    public var degradationLevel: DegradationLevel
    /// Every registered dependency, sorted by name.
    public var dependencies: [DependencySnapshot]
    /// Every registered flag, sorted by name.
    public var flags: [FlagSnapshot]
    /// The most recent events, oldest first.
    public var events: [Event]

    public init(
        formatVersion: FormatVersion = .current,
        service: String,
        instance: String,
        takenAtMilliseconds: Int64,
        lastEventSequence: UInt64,
        degradationLevel: DegradationLevel,
        dependencies: [DependencySnapshot],
        flags: [FlagSnapshot],
        events: [Event],
        startedAtMilliseconds: Int64? = nil
    ) {
        self.startedAtMilliseconds = startedAtMilliseconds
        self.formatVersion = formatVersion
        self.service = service
        self.instance = instance
        self.takenAtMilliseconds = takenAtMilliseconds
        self.lastEventSequence = lastEventSequence
        self.degradationLevel = degradationLevel
        self.dependencies = dependencies
        self.flags = flags
        self.events = events
    }

    /// The dependency with this name, if registered.
    public func dependency(named name: String) -> DependencySnapshot? {
        dependencies.first { $0.name == name }
    }

    /// The flag with this name, if registered.
    public func flag(named name: String) -> FlagSnapshot? {
        flags.first { $0.name == name }
    }

    /// How many dependencies are in each breaker state.
    public var countsByState: [BreakerState: Int] {
        var counts: [BreakerState: Int] = [:]
        for dependency in dependencies { counts[dependency.breaker.state, default: 0] += 1 }
        return counts
    }

    private enum CodingKeys: String, CodingKey {
        case formatVersion, service, instance, takenAtMilliseconds, lastEventSequence, startedAtMilliseconds
        case degradationLevel
        case dependencies, flags, events
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        formatVersion = try c.decode(FormatVersion.self, forKey: .formatVersion)
        guard formatVersion.isReadable else { throw FormatVersionError(found: formatVersion) }
        service = try c.decode(String.self, forKey: .service)
        instance = try c.decode(String.self, forKey: .instance)
        takenAtMilliseconds = try c.decode(Int64.self, forKey: .takenAtMilliseconds)
        lastEventSequence = try c.decode(UInt64.self, forKey: .lastEventSequence)
        startedAtMilliseconds = try c.decodeIfPresent(Int64.self, forKey: .startedAtMilliseconds)
        degradationLevel = try c.decode(DegradationLevel.self, forKey: .degradationLevel)
        dependencies = try c.decode([DependencySnapshot].self, forKey: .dependencies)
        flags = try c.decode([FlagSnapshot].self, forKey: .flags)
        events = try c.decode([Event].self, forKey: .events)
    }
}
