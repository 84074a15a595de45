import FuseboxProtocol

extension Fleet {
    /// A service and one of its dependencies: what a fleet row stands for.
    struct GroupKey: Hashable {
        var service: String
        var name: String
    }

    /// Builds ``fleetRows``: for every service with more than one instance, one row per dependency,
    /// its instances merged. Histories carry over from the previous poll's fleet rows.
    mutating func groupFleets(previous: [DependencyRow]) {
        var instancesByService: [String: Set<String>] = [:]
        for snapshot in snapshots { instancesByService[snapshot.service, default: []].insert(snapshot.instance) }
        guard instancesByService.values.contains(where: { $0.count > 1 }) else {
            fleetRows = []
            return
        }
        var order: [GroupKey] = []
        var members: [GroupKey: [Int]] = [:]
        for (index, row) in rows.enumerated() where instancesByService[row.service]!.count > 1 {
            let key = GroupKey(service: row.service, name: row.name)
            if members[key] == nil { order.append(key) }
            members[key, default: []].append(index)
        }
        var before: [GroupKey: DependencyRow] = [:]
        for row in previous { before[GroupKey(service: row.service, name: row.name)] = row }
        fleetRows = order.map { key in
            fleetRow(key, members: members[key]!.map { rows[$0] }, previous: before[key])
        }
    }

    private func fleetRow(_ key: GroupKey, members: [DependencyRow], previous: DependencyRow?) -> DependencyRow {
        let merged = FleetMerge.merged(members.map(\.dependency))
        var rate = Rates()
        rate.callsPerSecond = members.reduce(0) { $0 + $1.callsPerSecond }
        rate.fallbacksPerSecond = members.reduce(0) { $0 + $1.fallbacksPerSecond }
        if members.allSatisfy({ $0.retriesPerSecond != nil }) {
            rate.retriesPerSecond = members.reduce(0) { $0 + $1.retriesPerSecond! }
        }
        // Failures of the last interval over its calls, fleet-wide: each instance's share weighted by its calls.
        if rate.callsPerSecond > 0 {
            rate.intervalFailurePercent =
                members.reduce(0) { $0 + $1.intervalFailurePercent * $1.callsPerSecond } / rate.callsPerSecond
        }
        rate.rising = members.contains(where: \.rising)
        let reading = withUnsafePointer(to: merged) { DependencyReading($0) }
        rate.severity = Self.severity(reading, rate)
        var failureHistory = Array((previous?.failureHistory ?? []).suffix(Self.historyLength - 1))
        var latencyHistory = Array((previous?.latencyHistory ?? []).suffix(Self.historyLength - 1))
        failureHistory.append(previous == nil ? (merged.breaker.failureRate ?? .nan) : rate.intervalFailurePercent)
        latencyHistory.append(merged.latency.p99 ?? .nan)
        let batch = RowBatch(
            instance: "", service: key.service, dependencies: [merged], ids: ["\(key.service)/*/\(key.name)"],
            histories: failureHistory + latencyHistory,
            bounds: [0, failureHistory.count, failureHistory.count + latencyHistory.count], uniqueNames: true,
            members: members.map(\.instance))
        var row = DependencyRow(batch, 0)
        row.callsPerSecond = rate.callsPerSecond
        row.retriesPerSecond = rate.retriesPerSecond
        row.fallbacksPerSecond = rate.fallbacksPerSecond
        row.intervalFailurePercent = rate.intervalFailurePercent
        row.rising = rate.rising
        row.severity = rate.severity
        return row
    }
}
