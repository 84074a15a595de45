public import FuseboxProtocol

/// One dependency of one instance as the overview shows it: the snapshot plus rates derived from
/// the previous poll and a short history for sparklines.
public struct DependencyRow: Sendable, Hashable {
    /// The snapshot lives behind a reference, so sorting thousands of rows moves pointers, not
    /// kilobytes (sorting the structs themselves was most of a 10,000-row poll).
    private final class Box: Sendable, Hashable {
        let dependency: DependencySnapshot

        init(_ dependency: DependencySnapshot) { self.dependency = dependency }

        static func == (lhs: Box, rhs: Box) -> Bool { lhs === rhs || lhs.dependency == rhs.dependency }
        func hash(into hasher: inout Hasher) { hasher.combine(dependency) }
    }

    public var instance: String
    public var service: String
    private let box: Box
    public var dependency: DependencySnapshot { box.dependency }
    public var callsPerSecond: Double = 0
    /// `nil` when the source does not count retries.
    public var retriesPerSecond: Double?
    public var fallbacksPerSecond: Double = 0
    /// Failures among the calls of the last interval, percent.
    public var intervalFailurePercent: Double = 0
    /// The last few intervals' failure percentages, oldest first.
    public var failureHistory: [Double] = []
    /// The last few intervals' p99 latency, oldest first.
    public var latencyHistory: [Double] = []
    /// Set when errors, latency or fallbacks are climbing while the breaker is still closed.
    public var rising: Bool = false
    /// `instance/name`, unique across the fleet.
    public let id: String
    /// Errors first (a breaker not closed, then the failure rate), then volume; set by the fleet.
    public internal(set) var severity: Double = 0

    public var name: String { dependency.name }

    init(instance: String, service: String, dependency: DependencySnapshot) {
        self.instance = instance
        self.service = service
        self.box = Box(dependency)
        self.id = instance + "/" + dependency.name
    }

    func computedSeverity() -> Double {
        let stateWeight: Double
        switch dependency.breaker.state {
        case .open, .forcedOpen: stateWeight = 4
        case .halfOpen, .recovering: stateWeight = 3
        case .disabled: stateWeight = 2
        case .closed: stateWeight = rising ? 1 : 0
        }
        return stateWeight * 1_000_000 + max(dependency.breaker.failureRate ?? 0, intervalFailurePercent) * 1_000
            + min(999, callsPerSecond)
    }
}

/// Every instance's latest snapshot turned into rows.
public struct Fleet: Sendable, Hashable {
    public var snapshots: [Snapshot] = []
    public var rows: [DependencyRow] = []
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

    public static let historyLength = 60

    public init() {}

    /// The fleet after a new poll: rates from the difference with the previous data.
    public func advanced(to snapshots: [Snapshot], atMilliseconds now: Int64) -> Fleet {
        var next = Fleet()
        next.snapshots = snapshots
        next.updatedAtMilliseconds = now
        let previous = Dictionary(rows.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        let previousTaken = Dictionary(
            self.snapshots.map { ($0.instance, $0.takenAtMilliseconds) }, uniquingKeysWith: { first, _ in first })
        for snapshot in snapshots {
            for dependency in snapshot.dependencies {
                var row = DependencyRow(instance: snapshot.instance, service: snapshot.service, dependency: dependency)
                if let before = previous[row.id], let then = previousTaken[snapshot.instance],
                    snapshot.takenAtMilliseconds > then
                {
                    let seconds = Double(snapshot.takenAtMilliseconds - then) / 1000
                    let calls = Self.delta(dependency.calls.calls, before.dependency.calls.calls)
                    let failures = Self.delta(dependency.calls.failures, before.dependency.calls.failures)
                    row.callsPerSecond = Double(calls) / seconds
                    if let retries = dependency.retry.retries, let earlier = before.dependency.retry.retries {
                        row.retriesPerSecond = Double(Self.delta(retries, earlier)) / seconds
                    }
                    row.fallbacksPerSecond =
                        Double(Self.delta(dependency.fallbacks.total, before.dependency.fallbacks.total)) / seconds
                    row.intervalFailurePercent = calls == 0 ? 0 : Double(failures) * 100 / Double(calls)
                    row.failureHistory = Array(
                        (before.failureHistory + [row.intervalFailurePercent]).suffix(Self.historyLength))
                    row.latencyHistory = Array(
                        (before.latencyHistory + (dependency.latency.p99.map { [$0] } ?? [])).suffix(Self.historyLength))
                    row.rising = Self.isRising(row, before)
                } else {
                    row.failureHistory = dependency.breaker.failureRate.map { [$0] } ?? []
                    row.latencyHistory = dependency.latency.p99.map { [$0] } ?? []
                }
                row.severity = row.computedSeverity()
                next.countsByState[dependency.breaker.state, default: 0] += 1
                next.longestName = max(next.longestName, dependency.name.count)
                next.rows.append(row)
            }
        }
        next.instanceCount = Set(snapshots.map(\.instance)).count
        next.serviceCount = Set(snapshots.map(\.service)).count
        return next
    }

    private static func delta(_ now: UInt64, _ before: UInt64) -> UInt64 { now >= before ? now - before : 0 }

    /// Climbing failures, latency or fallbacks while the breaker has not tripped yet.
    private static func isRising(_ row: DependencyRow, _ before: DependencyRow) -> Bool {
        guard row.dependency.breaker.state == .closed else { return false }
        let recentFailures = before.failureHistory.suffix(5)
        let averageFailures = recentFailures.isEmpty ? 0 : recentFailures.reduce(0, +) / Double(recentFailures.count)
        if row.intervalFailurePercent >= 5 && row.intervalFailurePercent > averageFailures * 1.5 { return true }
        let recentLatency = before.latencyHistory.suffix(5)
        let averageLatency = recentLatency.isEmpty ? 0 : recentLatency.reduce(0, +) / Double(recentLatency.count)
        if let p99 = row.dependency.latency.p99, averageLatency > 0, p99 > averageLatency * 2, p99 > 50 {
            return true
        }
        return row.fallbacksPerSecond >= 1 && row.fallbacksPerSecond > before.fallbacksPerSecond * 2
    }

    /// Every flag of every instance, as (instance, flag), by flag name.
    public var flags: [(instance: String, flag: FlagSnapshot)] {
        snapshots.flatMap { snapshot in snapshot.flags.map { (snapshot.instance, $0) } }
            .sorted { ($0.flag.name, $0.instance) < ($1.flag.name, $1.instance) }
    }
}
