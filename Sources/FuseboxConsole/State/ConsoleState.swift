public import FuseboxBackend
public import FuseboxProtocol

/// Everything the console shows. Views are pure functions of it; only ``update(_:_:)`` changes it.
public struct ConsoleState: Sendable {
    /// The screens, each with its own key bindings (``Screen/bindings``).
    public enum Screen: String, Sendable, Hashable {
        case overview, detail, flags, events, help
    }

    /// How the overview orders its rows; `s` cycles through them.
    public enum SortKey: String, Sendable, Hashable, CaseIterable {
        case worst, name, calls, failures, latency
    }

    /// A line at the bottom: the result of the last action, or a problem.
    public struct StatusLine: Sendable, Hashable {
        public var text: String
        public var isError: Bool
        /// When it was set (``update(_:_:)`` stamps it); it fades after ``lifetimeMilliseconds``
        /// unless it ``staysUntilKey``.
        public var atMilliseconds: Int64?
        /// Whether it asks to press an action key again (the cursor had just moved): answered
        /// once a dialog opens.
        public var isSelectionQuestion = false
        /// Whether it stays until the next key instead of fading: a command's outcome, so an
        /// operator who looked away still reads where it applied and where it did not. A source
        /// that starts failing takes the line over, unless the outcome already names it.
        public var staysUntilKey = false
        /// The instances a command's outcome names as not applied on.
        public var missedInstances: Set<String> = []
        /// Whether a command's outcome is that it applied nowhere.
        public var missedEverything = false

        /// How long a status line stays (the event log keeps every outcome).
        public static let lifetimeMilliseconds: Int64 = 8_000

        public init(text: String, isError: Bool) {
            self.text = text
            self.isError = isError
        }

        /// Whether it is still worth showing at `now`.
        public func isCurrent(at now: Int64) -> Bool {
            staysUntilKey || atMilliseconds.map { now - $0 < Self.lifetimeMilliseconds } ?? true
        }
    }

    /// One line of the console's own event log.
    public struct LogLine: Sendable, Hashable {
        /// What the line is about.
        public enum Kind: String, Sendable, Hashable {
            case transition, fallback, command, flag
            /// The source itself: failures and recoveries.
            case backend
            /// A line of text an operator added (`a`).
            case annotation
        }

        /// Order of arrival, across both logs.
        public var id: Int
        public var atMilliseconds: Int64
        /// The instance it happened on; empty for the console's own lines.
        public var instance: String
        public var kind: Kind
        /// The dependency it is about, if any.
        public var dependency: String?
        public var text: String
    }

    /// The `/` filter or `:` command being typed.
    public struct InputLine: Sendable, Hashable {
        public enum Purpose: Sendable, Hashable {
            /// The overview's `/` filter.
            case filter
            /// The event log's own `/` filter.
            case eventFilter
            /// A `:` command.
            case command
            /// An annotation (`a`): a line of text for the recording and the report.
            case annotation
            /// A replay's `j`: the time to jump to.
            case jump
        }
        public var purpose: Purpose
        public var text: String
    }

    /// The screen shown.
    public var screen: Screen = .overview
    /// How far help is scrolled.
    public var helpScroll = 0
    /// The screen help was opened from (and returns to).
    public var screenBeforeHelp: Screen = .overview
    /// The source as named on the command line.
    public var source: String
    /// The named environment (`--env`) the sources come from, if any.
    public var environment: String?
    /// `--read-only`: no action changes production, whatever the source accepts.
    public var readOnly: Bool
    /// What the source can do and tell.
    public var capabilities: BackendCapabilities
    /// Seconds between polls.
    public var intervalSeconds: Double
    /// Whether the view is frozen (data keeps arriving in ``fleet``).
    public var paused = false
    /// A replay: of a recording, or of this live session while paused. `nil` while live.
    public var replay: ReplayState?
    /// The file this session is recorded to, if any.
    public var recordingPath: String?
    /// Why recording stopped, if it did (shown until the console ends).
    public var recordingStopped: String?
    /// The latest data (keeps arriving while paused).
    public var fleet = Fleet()
    /// What the screen shows: the latest data, or what it was when paused.
    public var shown = Fleet()
    /// The selected row's position in ``visibleRows``; follows ``selectedID`` (see ``syncSelection()``).
    public internal(set) var selection = 0
    /// The dependency under the cursor, by identity: once the operator has moved the cursor or
    /// acted on a row, re-sorting the rows never moves the cursor to another dependency.
    public var selectedID: DependencyRow.Identity?
    /// Whether the cursor goes to the worst dependency as breakers change: true until the operator
    /// moves the cursor or acts on a row. It moves only from a dependency whose breaker has not
    /// tripped to the first one that has (``DependencyRow/isTripped``), never between rows that
    /// merely swap places.
    public internal(set) var selectionFollowsWorst = true
    /// When the overview first showed the cursor on the dependency it follows now.
    public internal(set) var selectionFollowedAtMilliseconds: Int64?
    /// The dependency the overview last showed under the cursor.
    var selectionLastShown: DependencyRow.Identity?
    /// Whether the selected dependency has left the data: the screen says so, and no other
    /// dependency takes its place under the cursor (so no action lands on the wrong one).
    public internal(set) var selectionGone = false
    /// Whether a value must be given for the reason of every production-changing command.
    public var requireReason = false
    /// The selected flag.
    public internal(set) var flagSelection = 0
    /// The selected flag by instance and name, so a flag joining or leaving never moves the cursor
    /// onto another one.
    public var selectedFlag: FlagIdentity?
    /// The event log line under the cursor, by id; `nil` follows the newest line.
    public var eventCursor: Int?
    /// The newest line when the operator started reading: lines after it are new.
    public var eventReadFrom = 0
    /// The event log's own text filter (by text or instance).
    public var eventFilter = ""
    /// Only lines of this kind, or all.
    public var eventKind: LogLine.Kind?
    /// The event shown whole, by id.
    public var expandedEvent: Int?
    /// Fallback reports, one line per instance and dependency per poll; kept apart from ``log`` so
    /// they never push operator actions and transitions out.
    public var fallbackLog: [LogLine] = []
    /// Lines logged so far (the next line's id).
    public var logCounter = 0
    public var sort: SortKey = .worst
    /// The `/` filter (by name, state or instance).
    public var filter = ""
    /// The line being typed, if any.
    public var input: InputLine?
    /// The confirmation on screen, if any.
    public var dialog: ConfirmationDialog?
    /// The status line.
    public var status: StatusLine?
    /// Transitions, commands, flag changes and source errors, oldest first, at most ``logLimit``.
    public var log: [LogLine] = []
    /// The newest event sequence seen per instance, so each event is logged once.
    public var seenSequence: [String: UInt64] = [:]
    /// Per instance, the start time its snapshots carry (format 1.2), to tell a restart.
    public var seenStart: [String: Int64] = [:]
    /// Fleet rows whose instances are shown under them, by identity (instance empty).
    public var expandedFleets: Set<DependencyRow.Identity> = []
    /// How each source is doing, when several are read at once (empty for one source).
    public var sources: [SourceStatus] = [] {
        didSet { staleInstances = Set(sources.filter { !$0.isLive }.flatMap(\.instances)) }
    }
    /// Instances whose source failed its latest poll: their rows show the last good data.
    public private(set) var staleInstances: Set<String> = []
    /// The last poll's failure, until a poll succeeds again.
    public var sourceError: BackendError?
    /// Polls that failed in a row.
    public var pollFailures = 0
    /// The nominal wait before the next poll, in milliseconds.
    public var nextPollMilliseconds: Int64 = 0
    /// The time of the latest message (wall-clock milliseconds).
    public var nowMilliseconds: Int64 = 0
    public var width: Int
    public var height: Int
    public var themeName: String
    public var glyphs: Glyphs
    public var keymap: Keymap
    /// Who operator commands are sent as.
    public var actor: String
    /// Commands sent so far; part of each command id.
    public var commandCounter = 0
    /// Theme names `:theme` accepts.
    public var availableThemes: [String]

    /// The most lines the event log keeps.
    public static let logLimit = 5_000
    /// The most fallback lines kept.
    public static let fallbackLogLimit = 1_000

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
    ///
    /// Sorts positions rather than rows, by keys read once into a flat array (ties by id), then
    /// copies each row once, already grouped by service.
    public mutating func refreshRows() {
        let rows = filteredRows()
        guard !shown.fleetRows.isEmpty else {
            visibleRows = groupedByService(sortedPositions(rows), rows)
            return
        }
        // Services with several instances show one row per dependency; the instances go under
        // it when it is expanded, in the same order.
        let all = shown.rows
        let passing = filter.isEmpty ? nil : passingMask()
        var inFleet = [Bool](repeating: false, count: all.count)
        for members in shown.fleetMembers { for member in members { inFleet[member] = true } }
        var topLevel: [DependencyRow] = []
        topLevel.reserveCapacity(all.count)
        for index in all.indices where !inFleet[index] && passing?[index] ?? true { topLevel.append(all[index]) }
        var fleetOf: [DependencyRow.Identity: Int] = [:]
        for (index, fleetRow) in shown.fleetRows.enumerated() {
            if let passing {
                let anyMember = shown.fleetMembers[index].contains { passing[$0] }
                guard anyMember || matches(fleetRow, filter.lowercased()) else { continue }
            }
            topLevel.append(fleetRow)
            if expandedFleets.contains(fleetRow.identity) { fleetOf[fleetRow.identity] = index }
        }
        var result: [DependencyRow] = []
        result.reserveCapacity(topLevel.count)
        for row in groupedByService(sortedPositions(topLevel), topLevel) {
            result.append(row)
            guard row.isFleet, let index = fleetOf[row.identity] else { continue }
            let members = shown.fleetMembers[index]
            let chosen = passing.map { mask in members.filter { mask[$0] } } ?? members
            let children = (chosen.isEmpty ? members : chosen).map { all[$0] }
            result.append(contentsOf: sortedPositions(children).map { children[$0] })
        }
        visibleRows = result
    }

    /// Which of ``Fleet/rows`` the filter lets through, by position.
    private func passingMask() -> [Bool] {
        let needle = filter.lowercased()
        let states = Set(
            BreakerState.allCases.filter { $0.rawValue.contains(needle) || $0.label.lowercased().contains(needle) })
        var instance: (name: String, matches: Bool)?
        return shown.rows.map { row in
            if row.name.lowercased().contains(needle) || states.contains(row.reading.state) { return true }
            if let instance, instance.name == row.instance { return instance.matches }
            let matches = row.instance.lowercased().contains(needle)
            instance = (row.instance, matches)
            return matches
        }
    }

    /// Positions of `rows` in the order of ``sort``.
    private func sortedPositions(_ rows: [DependencyRow]) -> [Int] {
        switch sort {
        case .worst: return Self.order(rows, descendingBy: \.severity)
        case .name:
            var positions = Array(rows.indices)
            positions.sort { rows[$0].id < rows[$1].id }
            return positions
        case .calls: return Self.order(rows, descendingBy: \.callsPerSecond)
        // Unknown sorts below every known value.
        case .failures: return Self.order(rows, descendingBy: { $0.reading.failureRate ?? -1 })
        case .latency: return Self.order(rows, descendingBy: { $0.reading.p99 ?? -1 })
        }
    }

    /// Whether a row's name or breaker state matches a lower-cased filter.
    private func matches(_ row: DependencyRow, _ needle: String) -> Bool {
        row.name.lowercased().contains(needle) || row.reading.state.rawValue.contains(needle)
            || row.reading.state.label.lowercased().contains(needle)
    }

    /// The rows the filter lets through: by name, breaker state or instance, ignoring case.
    private func filteredRows() -> [DependencyRow] {
        let needle = filter.lowercased()
        guard !needle.isEmpty else { return shown.rows }
        // Whether a state matches does not depend on the row, nor (within a run) whether the instance does.
        let states = Set(
            BreakerState.allCases.filter { $0.rawValue.contains(needle) || $0.label.lowercased().contains(needle) })
        var instance: (name: String, matches: Bool)?
        return shown.rows.filter { row in
            if row.name.lowercased().contains(needle) || states.contains(row.reading.state) { return true }
            if let instance, instance.name == row.instance { return instance.matches }
            let matches = row.instance.lowercased().contains(needle)
            instance = (row.instance, matches)
            return matches
        }
    }

    /// Positions of `rows`, the largest `key` first, ties by id.
    private static func order(_ rows: [DependencyRow], descendingBy key: (DependencyRow) -> Double) -> [Int] {
        let keys = rows.map(key)
        var positions = Array(rows.indices)
        keys.withUnsafeBufferPointer { keys in
            positions.sort { keys[$0] != keys[$1] ? keys[$0] > keys[$1] : rows[$0].id < rows[$1].id }
        }
        return positions
    }

    /// The rows in `order`. With several services, each service's rows are kept together (the
    /// service with the best-ranked row first; by name, services go alphabetically), in `order`
    /// within each group.
    private func groupedByService(_ order: [Int], _ rows: [DependencyRow]) -> [DependencyRow] {
        guard shown.serviceCount > 1 else { return order.map { rows[$0] } }
        var services: [String] = []
        var groupOf: [String: Int] = [:]
        var groups: [[Int]] = []
        var last: (service: String, group: Int)?
        for position in order {
            let service = rows[position].service
            let group: Int
            if let last, last.service == service {
                group = last.group
            } else if let known = groupOf[service] {
                group = known
            } else {
                group = groups.count
                groupOf[service] = group
                services.append(service)
                groups.append([])
            }
            groups[group].append(position)
            last = (service, group)
        }
        var groupOrder = Array(groups.indices)
        if sort == .name { groupOrder.sort { services[$0] < services[$1] } }
        var result: [DependencyRow] = []
        result.reserveCapacity(order.count)
        for group in groupOrder {
            for position in groups[group] { result.append(rows[position]) }
        }
        return result
    }

    /// Whether nothing that changes production can be sent: `--read-only`, or a source that takes no commands.
    public var isReadOnly: Bool { readOnly || capabilities.isReadOnly }

    /// Whether an action of `kind` may be offered: the one place read-only mode is enforced.
    public func allows(_ kind: CommandKind) -> Bool { !readOnly && capabilities.commands.contains(kind) }

    /// The poll interval in milliseconds.
    public var intervalMilliseconds: Int64 { Int64((intervalSeconds * 1000).rounded()) }

    /// Seconds since the data on screen was fetched (paused, the frozen data's age: it grows).
    public var dataAgeSeconds: Double? {
        shown.updatedAtMilliseconds.map { Double(max(0, nowMilliseconds - $0)) / 1000 }
    }
}

/// A flag on one instance: what the flags screen's cursor follows.
public struct FlagIdentity: Sendable, Hashable {
    public var instance: String
    public var name: String

    public init(instance: String, name: String) {
        self.instance = instance
        self.name = name
    }
}
