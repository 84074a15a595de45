public import FuseboxProtocol

/// What a source can do (which commands it accepts) and tell (which parts of a snapshot it fills).
public struct BackendCapabilities: Sendable, Hashable {
    /// The commands the source accepts; empty for sources that only watch (Prometheus, recordings).
    public var commands: Set<CommandKind>
    /// The parts of a snapshot the source provides; views leave out what no snapshot can have.
    public var fields: SnapshotFields
    /// Each poll advances the source's own clock (virtual time, stepping through a recording), so
    /// callers need not wait between two polls to see time pass.
    public var selfPaced: Bool
    /// Why some commands are missing, in words a person can act on (`no token: pass --token-file`);
    /// nil when the source simply has none of its own.
    public var commandsUnavailableReason: String?

    /// A source that accepts `commands`, fills `fields` and is `selfPaced` or not.
    public init(
        commands: Set<CommandKind>, fields: SnapshotFields = .all, selfPaced: Bool = false,
        commandsUnavailableReason: String? = nil
    ) {
        self.commands = commands
        self.fields = fields
        self.selfPaced = selfPaced
        self.commandsUnavailableReason = commandsUnavailableReason
    }

    /// Whether the source takes no commands at all.
    public var isReadOnly: Bool { commands.isEmpty }
}

/// Parts of a ``Snapshot`` a source may or may not provide.
public struct SnapshotFields: OptionSet, Sendable, Hashable {
    /// The set as bits.
    public let rawValue: UInt32

    /// The set with these bits.
    public init(rawValue: UInt32) {
        self.rawValue = rawValue
    }

    /// Window counts, thresholds, minimum calls.
    public static let breakerWindow = SnapshotFields(rawValue: 1 << 0)
    /// Half-open probes and consecutive trips.
    public static let breakerProbes = SnapshotFields(rawValue: 1 << 1)
    /// Attempts, retries, budget.
    public static let retries = SnapshotFields(rawValue: 1 << 2)
    /// Fallback activations by fallback and reason.
    public static let fallbacks = SnapshotFields(rawValue: 1 << 3)
    /// Latency percentiles.
    public static let latencyPercentiles = SnapshotFields(rawValue: 1 << 4)
    /// Latency histogram buckets.
    public static let latencyHistogram = SnapshotFields(rawValue: 1 << 5)
    /// Bulkheads and rate limiters.
    public static let limits = SnapshotFields(rawValue: 1 << 6)
    /// Feature flags.
    public static let flags = SnapshotFields(rawValue: 1 << 7)
    /// Events (transitions, commands, fallback bursts).
    public static let events = SnapshotFields(rawValue: 1 << 8)
    /// SLO burn rates.
    public static let slo = SnapshotFields(rawValue: 1 << 9)

    /// Everything a Fusebox runtime reports.
    public static let all: SnapshotFields = [
        .breakerWindow, .breakerProbes, .retries, .fallbacks, .latencyPercentiles, .latencyHistogram, .limits, .flags,
        .events, .slo,
    ]
}
