public import FuseboxProtocol

/// One dependency of one instance as the overview shows it: the snapshot plus rates derived from
/// the previous poll and a short history for sparklines.
public struct DependencyRow: Sendable, Hashable {
    /// The snapshot, id and histories live in a batch shared by every row of one snapshot in one
    /// poll, so a row is a reference, a position and its rates: copying one (sorting, filtering and
    /// grouping 10,000 on every poll) retains one object and copies no snapshot.
    private(set) var batch: RowBatch
    private(set) var position: Int

    /// The instance the snapshot came from.
    public var instance: String {
        get { batch.instance }
        set { detach(instance: newValue) }
    }
    /// The service the instance belongs to.
    public var service: String {
        get { batch.service }
        set { detach(service: newValue) }
    }
    /// The dependency as the snapshot has it.
    public var dependency: DependencySnapshot { batch.dependencies[position] }
    public var callsPerSecond: Double = 0
    /// `nil` when the source does not count retries.
    public var retriesPerSecond: Double?
    public var fallbacksPerSecond: Double = 0
    /// Failures among the calls of the last interval, percent.
    public var intervalFailurePercent: Double = 0
    /// The last few intervals' failure percentages, oldest first.
    public var failureHistory: [Double] {
        get { Array(batch.failureHistory(position)) }
        set { detach(failureHistory: newValue) }
    }
    /// The last few intervals' p99 latency, oldest first.
    public var latencyHistory: [Double] {
        get { Array(batch.latencyHistory(position)) }
        set { detach(latencyHistory: newValue) }
    }
    /// Set when errors, latency or fallbacks are climbing while the breaker is still closed.
    public var rising: Bool = false
    /// `instance/name`, unique across the fleet.
    public var id: String { batch.ids[position] }
    /// Errors first (a breaker not closed, then the failure rate), then volume; set by the fleet.
    public internal(set) var severity: Double = 0
    /// Whether the breaker has tripped: open, forced open, half-open or recovering (for a fleet
    /// row, on its worst instance).
    public var isTripped: Bool {
        // Read from ``severity``'s state weight (3 and up, see `Fleet.severity`), not from
        // ``dependency``: that copies a snapshot, and the cursor asks of every row on every poll.
        severity >= 3_000_000
    }

    /// The dependency's name.
    public var name: String { batch.name(position) }

    /// For a fleet row (one dependency across a service's instances), the instances it stands for;
    /// `nil` for one instance's row.
    public var fleetInstances: [String]? { batch.members?[position] }

    /// Whether the row stands for a whole fleet rather than one instance.
    public var isFleet: Bool { batch.members != nil }

    /// Where the row's data comes from, for titles: the instance, or `all 4 instances`.
    public var instanceLabel: String { fleetInstances.map { "all \($0.count) instances" } ?? instance }

    /// Who a row is, whatever its position: the selection and open screens follow this.
    public struct Identity: Sendable, Hashable {
        /// The service, instance and dependency name.
        public var service: String
        public var instance: String
        public var name: String
    }

    /// The row's identity.
    public var identity: Identity { Identity(service: service, instance: instance, name: name) }

    /// The snapshot fields the console sorts and filters by.
    var reading: DependencyReading { batch.reading(position) }

    init(_ batch: RowBatch, _ position: Int) {
        self.batch = batch
        self.position = position
    }

    /// The row at `position` of `batch`, with its rates.
    init(_ batch: RowBatch, _ position: Int, _ rate: Fleet.Rates) {
        self.init(batch, position)
        callsPerSecond = rate.callsPerSecond
        retriesPerSecond = rate.retriesPerSecond
        fallbacksPerSecond = rate.fallbacksPerSecond
        intervalFailurePercent = rate.intervalFailurePercent
        rising = rate.rising
        severity = rate.severity
    }

    /// Moves the row to a batch of its own, with one field changed: batches are shared, never mutated.
    private mutating func detach(
        instance: String? = nil, service: String? = nil, failureHistory: [Double]? = nil,
        latencyHistory: [Double]? = nil
    ) {
        let failure = failureHistory ?? self.failureHistory
        let latency = latencyHistory ?? self.latencyHistory
        batch = RowBatch(
            instance: instance ?? self.instance, service: service ?? self.service, dependencies: [dependency],
            ids: [id], histories: failure + latency, bounds: [0, failure.count, failure.count + latency.count],
            uniqueNames: true, members: fleetInstances.map { [$0] })
        position = 0
    }

    public static func == (lhs: DependencyRow, rhs: DependencyRow) -> Bool {
        let shared = lhs.batch === rhs.batch && lhs.position == rhs.position
        return lhs.callsPerSecond == rhs.callsPerSecond && lhs.retriesPerSecond == rhs.retriesPerSecond
            && lhs.fallbacksPerSecond == rhs.fallbacksPerSecond
            && lhs.intervalFailurePercent == rhs.intervalFailurePercent && lhs.rising == rhs.rising
            && lhs.severity == rhs.severity
            && (shared
                || (lhs.instance == rhs.instance && lhs.service == rhs.service && lhs.id == rhs.id
                    && lhs.batch.failureHistory(lhs.position) == rhs.batch.failureHistory(rhs.position)
                    && lhs.batch.latencyHistory(lhs.position) == rhs.batch.latencyHistory(rhs.position)
                    && lhs.dependency == rhs.dependency))
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(instance)
        hasher.combine(service)
        hasher.combine(id)
        hasher.combine(dependency)
        hasher.combine(batch.failureHistory(position))
        hasher.combine(batch.latencyHistory(position))
        hasher.combine(callsPerSecond)
        hasher.combine(retriesPerSecond)
        hasher.combine(fallbacksPerSecond)
        hasher.combine(intervalFailurePercent)
        hasher.combine(rising)
        hasher.combine(severity)
    }
}

/// The rows of one snapshot in one poll: everything they hold by reference, stored once.
final class RowBatch: Sendable {
    /// Empty for a fleet row (see ``members``).
    let instance: String
    let service: String
    /// The snapshot's own array: rows point into it rather than copy it.
    let dependencies: [DependencySnapshot]
    let ids: [String]
    /// Row `i`'s failure history is `histories[bounds[2 * i] ..< bounds[2 * i + 1]]` and its latency
    /// history `histories[bounds[2 * i + 1] ..< bounds[2 * i + 2]]`.
    let histories: [Double]
    let bounds: [Int]
    /// No two dependencies share a name, so a name found at a position is the only one.
    let uniqueNames: Bool
    /// For fleet rows: the instances each stands for, by position; `nil` for one instance's rows.
    let members: [[String]]?

    init(
        instance: String, service: String, dependencies: [DependencySnapshot], ids: [String], histories: [Double],
        bounds: [Int], uniqueNames: Bool, members: [[String]]? = nil
    ) {
        self.members = members
        self.instance = instance
        self.service = service
        self.dependencies = dependencies
        self.ids = ids
        self.histories = histories
        self.bounds = bounds
        self.uniqueNames = uniqueNames
    }

    /// The name at `position`, read in place: an array's subscript copies the whole snapshot.
    func name(_ position: Int) -> String {
        dependencies.withUnsafeBufferPointer { ($0.baseAddress! + position).pointee.name }
    }

    func reading(_ position: Int) -> DependencyReading {
        dependencies.withUnsafeBufferPointer { DependencyReading($0.baseAddress! + position) }
    }

    func failureHistory(_ position: Int) -> ArraySlice<Double> {
        histories[bounds[2 * position]..<bounds[2 * position + 1]]
    }

    func latencyHistory(_ position: Int) -> ArraySlice<Double> {
        histories[bounds[2 * position + 1]..<bounds[2 * position + 2]]
    }
}

/// The snapshot fields rows are computed, sorted and filtered by, each read here and nowhere else
/// in the console, in place (copying a snapshot out of its array copies a large struct).
struct DependencyReading {
    var state: BreakerState
    /// The breaker's failure rate over its window, percent; `nil` when the source does not know it.
    var failureRate: Double?
    /// p99 latency over the recent window, milliseconds; `nil` when the source does not know it.
    var p99: Double?
    var calls: UInt64
    var failures: UInt64
    /// `nil` when the source does not count retries.
    var retries: UInt64?
    var fallbacks: UInt64

    init(_ dependency: UnsafePointer<DependencySnapshot>) {
        state = dependency.pointee.breaker.state
        failureRate = dependency.pointee.breaker.failureRate
        p99 = dependency.pointee.latency.p99
        calls = dependency.pointee.calls.calls
        failures = dependency.pointee.calls.failures
        retries = dependency.pointee.retry.retries
        fallbacks = dependency.pointee.fallbacks.total
    }
}

/// Every instance's latest snapshot turned into rows.
public struct Fleet: Sendable, Hashable {
    public var snapshots: [Snapshot] = []
    /// One row per instance and dependency.
    public var rows: [DependencyRow] = []
    /// One row per service and dependency, for services with more than one instance: the fleet's
    /// worst state, summed rates and merged latency (see ``FleetMerge``).
    public internal(set) var fleetRows: [DependencyRow] = []
    /// For each fleet row, the positions in ``rows`` of the instances' rows it merges.
    var fleetMembers: [[Int]] = []
    /// Wall-clock milliseconds of the data.
    public var updatedAtMilliseconds: Int64?
    /// Dependencies by breaker state, across the fleet.
    public private(set) var countsByState: [BreakerState: Int] = [:]
    /// How many instances the rows come from.
    public private(set) var instanceCount = 0
    /// How many services the rows come from.
    public private(set) var serviceCount = 0
    /// The longest dependency name, in characters.
    public private(set) var longestName = 0
    /// The longest instance name, in characters.
    public private(set) var longestInstance = 0

    public static let historyLength = 60

    private static let states = BreakerState.allCases

    public init() {}

    /// The fleet after a new poll: rates from the difference with the previous data.
    ///
    /// A row's predecessor is the first previous row with the same instance and name; finding it
    /// costs no string key per row (see ``PreviousRows``).
    public func advanced(to snapshots: [Snapshot], atMilliseconds now: Int64) -> Fleet {
        var next = Fleet()
        next.snapshots = snapshots
        next.updatedAtMilliseconds = now
        next.rows.reserveCapacity(snapshots.reduce(0) { $0 + $1.dependencies.count })
        var previous = PreviousRows(rows)
        let previousTaken = Dictionary(
            self.snapshots.map { ($0.instance, $0.takenAtMilliseconds) }, uniquingKeysWith: { first, _ in first })
        var counts = [Int](repeating: 0, count: Self.states.count)
        var rates: [Rates] = []
        for snapshot in snapshots {
            var seconds: Double?
            if let then = previousTaken[snapshot.instance], snapshot.takenAtMilliseconds > then {
                seconds = Double(snapshot.takenAtMilliseconds - then) / 1000
            }
            var cursor = previous.cursor(for: snapshot.instance)
            // The same snapshot again (its source stopped answering and its last good data is
            // shown): its rows stay as they were, rates and histories included, rather than
            // reading as an instance with no traffic.
            if previousTaken[snapshot.instance] == snapshot.takenAtMilliseconds,
                let kept = previous.wholeBatch(cursor),
                kept.first?.batch.dependencies.count == snapshot.dependencies.count
            {
                for row in kept {
                    counts[Self.states.firstIndex(of: row.reading.state)!] += 1
                    if row.name.utf8.count > next.longestName {
                        next.longestName = max(next.longestName, row.name.count)
                    }
                }
                next.rows.append(contentsOf: kept)
                continue
            }
            let dependencies = snapshot.dependencies
            var ids: [String] = []
            ids.reserveCapacity(dependencies.count)
            var histories: [Double] = []
            histories.reserveCapacity(2 * dependencies.count + (cursor.batch?.histories.count ?? 0))
            var bounds = [0]
            bounds.reserveCapacity(2 * dependencies.count + 1)
            rates.removeAll(keepingCapacity: true)
            // Names unchanged position by position from a list without duplicates have none either.
            var unchanged =
                seconds != nil && cursor.batch?.uniqueNames == true
                && cursor.batch?.dependencies.count == dependencies.count
            // Dependencies are read in place: copying one out of its array copies a large struct.
            dependencies.withUnsafeBufferPointer { dependencies in
                for position in dependencies.indices {
                    let dependency = dependencies.baseAddress! + position
                    let name = dependency.pointee.name
                    let now = DependencyReading(dependency)
                    let found = seconds == nil ? nil : previous.row(named: name, &cursor)
                    var rate: Rates
                    if let found, let seconds {
                        let before = rows[found]
                        unchanged = unchanged && before.position == position && before.batch === cursor.batch
                        let failureHistory = before.batch.failureHistory(before.position)
                        let latencyHistory = before.batch.latencyHistory(before.position)
                        rate = Self.rates(now, since: before.reading, seconds: seconds)
                        rate.rising = Self.isRising(
                            now, rate, failureHistory: failureHistory, latencyHistory: latencyHistory,
                            fallbacksPerSecond: before.fallbacksPerSecond)
                        // Same instance and name: the previous row's id is this one's.
                        ids.append(before.id)
                        histories.append(contentsOf: failureHistory.suffix(Self.historyLength - 1))
                        histories.append(rate.intervalFailurePercent)
                        bounds.append(histories.count)
                        histories.append(contentsOf: latencyHistory.suffix(Self.historyLength - 1))
                        // An unknown p99 is a gap in the sparkline, never a zero.
                        histories.append(now.p99 ?? .nan)
                        bounds.append(histories.count)
                    } else {
                        unchanged = false
                        rate = Rates()
                        ids.append(snapshot.instance + "/" + name)
                        histories.append(now.failureRate ?? .nan)
                        bounds.append(histories.count)
                        // An unknown p99 is a gap in the sparkline, never a zero.
                        histories.append(now.p99 ?? .nan)
                        bounds.append(histories.count)
                    }
                    rate.severity = Self.severity(now, rate)
                    rates.append(rate)
                    counts[Self.states.firstIndex(of: now.state)!] += 1
                    // A name has at least as many UTF-8 bytes as characters; counting characters is slow.
                    if name.utf8.count > next.longestName { next.longestName = max(next.longestName, name.count) }
                }
            }
            let batch = RowBatch(
                instance: snapshot.instance, service: snapshot.service, dependencies: dependencies, ids: ids,
                histories: histories, bounds: bounds, uniqueNames: unchanged || Self.namesAreUnique(dependencies))
            for (position, rate) in rates.enumerated() { next.rows.append(DependencyRow(batch, position, rate)) }
        }
        for (state, count) in zip(Self.states, counts) where count > 0 { next.countsByState[state] = count }
        next.longestInstance = snapshots.reduce(0) { max($0, $1.instance.count) }
        next.instanceCount = Set(snapshots.map(\.instance)).count
        next.serviceCount = Set(snapshots.map(\.service)).count
        next.groupFleets(previous: fleetRows)
        return next
    }

    /// A row's numbers, worked out before its batch exists.
    struct Rates {
        var callsPerSecond: Double = 0
        var retriesPerSecond: Double?
        var fallbacksPerSecond: Double = 0
        var intervalFailurePercent: Double = 0
        var rising = false
        var severity: Double = 0
    }

    /// Per-second rates between two snapshots of one dependency taken `seconds` apart.
    private static func rates(_ now: DependencyReading, since then: DependencyReading, seconds: Double) -> Rates {
        var rate = Rates()
        let calls = delta(now.calls, then.calls)
        let failures = delta(now.failures, then.failures)
        rate.callsPerSecond = Double(calls) / seconds
        if let retries = now.retries, let earlier = then.retries {
            rate.retriesPerSecond = Double(delta(retries, earlier)) / seconds
        }
        rate.fallbacksPerSecond = Double(delta(now.fallbacks, then.fallbacks)) / seconds
        rate.intervalFailurePercent = calls == 0 ? 0 : Double(failures) * 100 / Double(calls)
        return rate
    }

    private static func delta(_ now: UInt64, _ before: UInt64) -> UInt64 { now >= before ? now - before : 0 }

    /// Errors first (a breaker not closed, then the failure rate), then volume.
    static func severity(_ dependency: DependencyReading, _ rate: Rates) -> Double {
        let stateWeight: Double
        switch dependency.state {
        case .open, .forcedOpen: stateWeight = 4
        case .halfOpen, .recovering: stateWeight = 3
        case .disabled: stateWeight = 2
        case .closed: stateWeight = rate.rising ? 1 : 0
        }
        return stateWeight * 1_000_000 + max(dependency.failureRate ?? 0, rate.intervalFailurePercent) * 1_000
            + min(999, rate.callsPerSecond)
    }

    /// Climbing failures, latency or fallbacks while the breaker has not tripped yet.
    private static func isRising(
        _ dependency: DependencyReading, _ rate: Rates, failureHistory: ArraySlice<Double>,
        latencyHistory: ArraySlice<Double>, fallbacksPerSecond: Double
    ) -> Bool {
        // A few polls of history first: at start every rate climbs from nothing.
        guard dependency.state == .closed, failureHistory.count >= 5 else { return false }
        let recentFailures = failureHistory.suffix(5).filter(\.isFinite)
        let averageFailures = recentFailures.isEmpty ? 0 : recentFailures.reduce(0, +) / Double(recentFailures.count)
        if rate.intervalFailurePercent >= 5 && rate.intervalFailurePercent > averageFailures * 1.5 { return true }
        let recentLatency = latencyHistory.suffix(5).filter(\.isFinite)
        let averageLatency = recentLatency.isEmpty ? 0 : recentLatency.reduce(0, +) / Double(recentLatency.count)
        if let p99 = dependency.p99, averageLatency > 0, p99 > averageLatency * 2, p99 > 50 { return true }
        return rate.fallbacksPerSecond >= 1 && rate.fallbacksPerSecond > fallbacksPerSecond * 2
    }

    /// Whether no two dependencies share a name: at once when sorted by name, as snapshots are.
    private static func namesAreUnique(_ dependencies: [DependencySnapshot]) -> Bool {
        dependencies.withUnsafeBufferPointer { dependencies in
            let names = dependencies.indices.lazy.map { (dependencies.baseAddress! + $0).pointee.name }
            if zip(names, names.dropFirst()).allSatisfy({ $0 < $1 }) { return true }
            var seen = Set<String>(minimumCapacity: dependencies.count)
            return names.allSatisfy { seen.insert($0).inserted }
        }
    }

    /// Every flag of every instance, as (instance, flag), by flag name.
    public var flags: [(instance: String, flag: FlagSnapshot)] {
        snapshots.flatMap { snapshot in snapshot.flags.map { (snapshot.instance, $0) } }
            .sorted { ($0.flag.name, $0.instance) < ($1.flag.name, $1.instance) }
    }
}

/// The previous poll's rows, looked up by instance and dependency name without building a string
/// key per row.
///
/// A fleet's rows are its batches, whole and in order, one per snapshot. A name is looked for
/// first just after the last one found in its instance's batch (lists rarely change between polls),
/// then through a name index of that batch. Rows that are not whole batches, and instances with
/// rows in more than one batch, fall back to an index of every row. Either way the answer is the
/// first previous row with that instance and name.
private struct PreviousRows {
    /// Where one instance's rows are and where its next name probably is.
    struct Cursor {
        var instance: String
        /// The instance's first batch, and where its rows start.
        var batch: RowBatch?
        var start = 0
        /// The instance has rows in another batch too.
        var repeated = false
        /// Just after the last position found.
        var next = 0
    }

    private struct Key: Hashable {
        var instance: String
        var name: String
    }

    private let rows: [DependencyRow]
    /// The rows are whole batches in order, so a batch position is a row position.
    private var whole = true
    private var cursors: [String: Cursor] = [:]
    /// Built on first need: names to positions, per batch (by where its rows start).
    private var names: [Int: [String: Int]] = [:]
    /// Built on first need: the first row of each instance and name.
    private var everyRow: [Key: Int]?

    init(_ rows: [DependencyRow]) {
        self.rows = rows
        var start = 0
        while start < rows.count {
            let batch = rows[start].batch
            let count = batch.dependencies.count
            guard start + count <= rows.count,
                (0..<count).allSatisfy({ rows[start + $0].batch === batch && rows[start + $0].position == $0 })
            else {
                whole = false
                cursors = [:]
                return
            }
            if cursors[batch.instance] == nil {
                cursors[batch.instance] = Cursor(instance: batch.instance, batch: batch, start: start)
            } else {
                cursors[batch.instance]!.repeated = true
            }
            start += count
        }
    }

    func cursor(for instance: String) -> Cursor { cursors[instance] ?? Cursor(instance: instance) }

    /// The previous rows of the cursor's instance when they are one whole batch, as they were.
    func wholeBatch(_ cursor: Cursor) -> ArraySlice<DependencyRow>? {
        guard whole, !cursor.repeated, let batch = cursor.batch else { return nil }
        return rows[cursor.start..<cursor.start + batch.dependencies.count]
    }

    /// The index in the previous rows of the first row with the cursor's instance and this name.
    mutating func row(named name: String, _ cursor: inout Cursor) -> Int? {
        guard whole else { return firstRow(cursor.instance, name) }
        guard let batch = cursor.batch else { return nil }
        if batch.uniqueNames && cursor.next < batch.dependencies.count && batch.name(cursor.next) == name {
            cursor.next += 1
            return cursor.start + cursor.next - 1
        }
        if names[cursor.start] == nil {
            var index: [String: Int] = [:]
            index.reserveCapacity(batch.dependencies.count)
            for position in batch.dependencies.indices {
                let name = batch.name(position)
                if index[name] == nil { index[name] = position }
            }
            names[cursor.start] = index
        }
        if let position = names[cursor.start]![name] {
            cursor.next = position + 1
            return cursor.start + position
        }
        return cursor.repeated ? firstRow(cursor.instance, name) : nil
    }

    private mutating func firstRow(_ instance: String, _ name: String) -> Int? {
        if everyRow == nil {
            var index: [Key: Int] = [:]
            index.reserveCapacity(rows.count)
            for (position, row) in rows.enumerated() {
                let key = Key(instance: row.instance, name: row.name)
                if index[key] == nil { index[key] = position }
            }
            everyRow = index
        }
        return everyRow![Key(instance: instance, name: name)]
    }
}
