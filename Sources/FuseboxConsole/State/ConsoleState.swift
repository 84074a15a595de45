public import FuseboxBackend
public import FuseboxProtocol

/// Everything the console shows. Views are pure functions of it; only ``update(_:_:)`` changes it.
public struct ConsoleState: Sendable {
    public enum Screen: String, Sendable, Hashable {
        case overview, detail, flags, events, help
    }

    public enum SortKey: String, Sendable, Hashable, CaseIterable {
        case worst, name, calls, failures, latency
    }

    /// A line at the bottom: the result of the last action, or a problem.
    public struct StatusLine: Sendable, Hashable {
        public var text: String
        public var isError: Bool

        public init(text: String, isError: Bool) {
            self.text = text
            self.isError = isError
        }
    }

    /// One line of the console's own event log.
    public struct LogLine: Sendable, Hashable {
        public var atMilliseconds: Int64
        public var instance: String
        public var kind: String
        public var text: String
    }

    /// The `/` filter or `:` command being typed.
    public struct InputLine: Sendable, Hashable {
        public enum Purpose: Sendable, Hashable { case filter, command }
        public var purpose: Purpose
        public var text: String
    }

    public var screen: Screen = .overview
    public var screenBeforeHelp: Screen = .overview
    /// The source as named on the command line.
    public var source: String
    /// `--read-only`: no action changes production, whatever the source accepts.
    public var readOnly: Bool
    /// What the source can do and tell.
    public var capabilities: BackendCapabilities
    public var intervalSeconds: Double
    public var paused = false
    /// The latest data (keeps arriving while paused).
    public var fleet = Fleet()
    /// What the screen shows: the latest data, or what it was when paused.
    public var shown = Fleet()
    public var selection = 0
    public var flagSelection = 0
    public var eventScroll = 0
    public var sort: SortKey = .worst
    public var filter = ""
    public var input: InputLine?
    public var dialog: ConfirmationDialog?
    public var status: StatusLine?
    public var log: [LogLine] = []
    /// The newest event sequence seen per instance, so each event is logged once.
    public var seenSequence: [String: UInt64] = [:]
    /// The last poll's failure, until a poll succeeds again.
    public var sourceError: BackendError?
    /// Polls that failed in a row.
    public var pollFailures = 0
    /// The nominal wait before the next poll, in milliseconds.
    public var nextPollMilliseconds: Int64 = 0
    public var nowMilliseconds: Int64 = 0
    public var width: Int
    public var height: Int
    public var themeName: String
    public var glyphs: Glyphs
    public var keymap: Keymap
    /// Who operator commands are sent as.
    public var actor: String
    public var commandCounter = 0
    /// Theme names `:theme` accepts.
    public var availableThemes: [String]

    public static let logLimit = 1_000

    public init(
        source: String, readOnly: Bool, capabilities: BackendCapabilities = .init(commands: Set(CommandKind.allCases)),
        intervalSeconds: Double, width: Int, height: Int, themeName: String = "dark",
        glyphs: Glyphs = .unicode, keymap: Keymap = .standard, actor: String = "operator",
        availableThemes: [String] = []
    ) {
        self.source = source
        self.readOnly = readOnly
        self.capabilities = capabilities
        self.intervalSeconds = intervalSeconds
        self.width = width
        self.height = height
        self.themeName = themeName
        self.glyphs = glyphs
        self.keymap = keymap
        self.actor = actor
        self.availableThemes = availableThemes
    }

    /// The rows the overview shows: filtered, then sorted. Kept up to date by ``update(_:_:)``
    /// (``refreshRows()``), so drawing a frame never sorts.
    public internal(set) var visibleRows: [DependencyRow] = []

    /// Recomputes ``visibleRows`` after the data, the filter or the sort changed.
    public mutating func refreshRows() {
        let needle = filter.lowercased()
        let rows =
            needle.isEmpty
            ? shown.rows
            : shown.rows.filter { row in
                row.name.lowercased().contains(needle) || row.dependency.breaker.state.rawValue.contains(needle)
                    || row.dependency.breaker.state.label.lowercased().contains(needle)
                    || row.instance.lowercased().contains(needle)
            }
        switch sort {
        case .worst:
            visibleRows = rows.sorted { $0.severity != $1.severity ? $0.severity > $1.severity : $0.id < $1.id }
        case .name: visibleRows = rows.sorted { $0.id < $1.id }
        case .calls:
            visibleRows = rows.sorted {
                $0.callsPerSecond != $1.callsPerSecond ? $0.callsPerSecond > $1.callsPerSecond : $0.id < $1.id
            }
        case .failures:
            visibleRows = rows.sorted {
                let (a, b) = ($0.dependency.breaker.failureRate ?? -1, $1.dependency.breaker.failureRate ?? -1)
                return a != b ? a > b : $0.id < $1.id
            }
        case .latency:
            visibleRows = rows.sorted {
                let (a, b) = ($0.dependency.latency.p99 ?? -1, $1.dependency.latency.p99 ?? -1)
                return a != b ? a > b : $0.id < $1.id
            }
        }
        groupByService()
    }

    /// With several services, keeps each service's rows together (the service with the worst row
    /// first), in the chosen order within each group.
    private mutating func groupByService() {
        guard shown.serviceCount > 1 else { return }
        var order: [String] = []
        var groups: [String: [DependencyRow]] = [:]
        for row in visibleRows {
            if groups[row.service] == nil { order.append(row.service) }
            groups[row.service, default: []].append(row)
        }
        // `order` lists services by their best-ranked row; by name, services go alphabetically.
        if sort == .name { order.sort() }
        visibleRows = order.flatMap { groups[$0]! }
    }

    /// The dependency under the cursor.
    public var selectedRow: DependencyRow? {
        let rows = visibleRows
        return rows.isEmpty ? nil : rows[min(max(0, selection), rows.count - 1)]
    }

    /// Whether nothing that changes production can be sent: `--read-only`, or a source that takes no commands.
    public var isReadOnly: Bool { readOnly || capabilities.isReadOnly }

    /// Whether an action of `kind` may be offered: the one place read-only mode is enforced.
    public func allows(_ kind: CommandKind) -> Bool { !readOnly && capabilities.commands.contains(kind) }

    /// The poll interval in milliseconds.
    public var intervalMilliseconds: Int64 { Int64((intervalSeconds * 1000).rounded()) }

    /// Seconds since the data shown was fetched.
    public var dataAgeSeconds: Double? {
        fleet.updatedAtMilliseconds.map { Double(max(0, nowMilliseconds - $0)) / 1000 }
    }
}
