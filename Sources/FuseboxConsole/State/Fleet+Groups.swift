import FuseboxProtocol

extension Fleet {
    /// A service and one of its dependencies: what a fleet row stands for.
    struct GroupKey: Hashable {
        var service: String
        var name: String
    }

    /// Builds ``fleetRows``: for every service with more than one instance, one row per dependency,
    /// its instances merged. Histories carry over from the previous poll's fleet rows.
    ///
    /// Rows are whole batches here (``advanced(to:atMilliseconds:)`` builds them so), and the
    /// instances of a service mostly list the same dependencies in the same order: a dependency's
    /// group is found by its position in the service's first batch, by name only when that fails.
    mutating func groupFleets(previous: [DependencyRow]) {
        var instances: [String: Set<String>] = [:]
        for snapshot in snapshots { instances[snapshot.service, default: []].insert(snapshot.instance) }
        guard instances.values.contains(where: { $0.count > 1 }) else {
            fleetRows = []
            fleetMembers = []
            return
        }
        /// Where one service's groups are.
        struct ServiceGroups {
            let first: RowBatch
            /// The group of the first batch's dependency at position 0.
            let base: Int
            /// Group by name, built on first need.
            var byName: [String: Int]?
        }
        var services: [String: ServiceGroups] = [:]
        var members: [[Int]] = []
        var start = 0
        while start < rows.count {
            let batch = rows[start].batch
            let count = batch.dependencies.count
            defer { start += count }
            guard instances[batch.service]!.count > 1 else { continue }
            guard var groups = services[batch.service] else {
                services[batch.service] = ServiceGroups(first: batch, base: members.count)
                for position in 0..<count { members.append([start + position]) }
                continue
            }
            for position in 0..<count {
                let name = batch.name(position)
                let group: Int
                if groups.first.uniqueNames && position < groups.first.dependencies.count
                    && groups.first.name(position) == name
                {
                    group = groups.base + position
                } else {
                    if groups.byName == nil {
                        var index: [String: Int] = [:]
                        for p in groups.first.dependencies.indices where index[groups.first.name(p)] == nil {
                            index[groups.first.name(p)] = groups.base + p
                        }
                        groups.byName = index
                    }
                    if let known = groups.byName![name] {
                        group = known
                    } else {
                        group = members.count
                        members.append([])
                        groups.byName![name] = group
                    }
                }
                members[group].append(start + position)
            }
            services[batch.service] = groups
        }
        // One batch per service holds its fleet rows; a row's history continues the previous poll's
        // row of the same service and name (at the same position, unless the list changed).
        var serviceOrder: [String] = []
        var groupsOf: [String: [Int]] = [:]
        for (group, rowsOfGroup) in members.enumerated() {
            let service = rows[rowsOfGroup[0]].service
            if groupsOf[service] == nil { serviceOrder.append(service) }
            groupsOf[service, default: []].append(group)
        }
        var before: [GroupKey: Int]?
        var result: [DependencyRow] = []
        var resultMembers: [[Int]] = []
        result.reserveCapacity(members.count)
        resultMembers.reserveCapacity(members.count)
        for service in serviceOrder {
            let groups = groupsOf[service]!
            var merged: [DependencySnapshot] = []
            var ids: [String] = []
            var histories: [Double] = []
            var bounds = [0]
            var names: [[String]] = []
            var rates: [Rates] = []
            merged.reserveCapacity(groups.count)
            ids.reserveCapacity(groups.count)
            histories.reserveCapacity(groups.count * 2 * Self.historyLength)
            bounds.reserveCapacity(2 * groups.count + 1)
            for group in groups {
                let memberRows = members[group].map { rows[$0] }
                let name = memberRows[0].name
                let index = result.count + merged.count
                var earlier: DependencyRow?
                if index < previous.count, previous[index].name == name, previous[index].service == service {
                    earlier = previous[index]
                } else {
                    if before == nil {
                        before = Dictionary(
                            previous.enumerated().map { (GroupKey(service: $1.service, name: $1.name), $0) },
                            uniquingKeysWith: { first, _ in first })
                    }
                    earlier = before![GroupKey(service: service, name: name)].map { previous[$0] }
                }
                let (dependency, rate) = Self.fleetFigures(memberRows)
                merged.append(dependency)
                rates.append(rate)
                names.append(memberRows.map(\.instance))
                ids.append(earlier?.id ?? "\(service)/*/\(name)")
                if let earlier {
                    histories.append(
                        contentsOf: earlier.batch.failureHistory(earlier.position).suffix(Self.historyLength - 1))
                    histories.append(rate.intervalFailurePercent)
                    bounds.append(histories.count)
                    histories.append(
                        contentsOf: earlier.batch.latencyHistory(earlier.position).suffix(Self.historyLength - 1))
                } else {
                    histories.append(dependency.breaker.failureRate ?? .nan)
                    bounds.append(histories.count)
                }
                histories.append(dependency.latency.p99 ?? .nan)
                bounds.append(histories.count)
                resultMembers.append(members[group])
            }
            let batch = RowBatch(
                instance: "", service: service, dependencies: merged, ids: ids, histories: histories, bounds: bounds,
                uniqueNames: true, members: names)
            for (position, rate) in rates.enumerated() { result.append(DependencyRow(batch, position, rate)) }
        }
        fleetRows = result
        fleetMembers = resultMembers
    }

    /// A fleet row's snapshot and rates from its instances' rows.
    private static func fleetFigures(_ members: [DependencyRow]) -> (DependencySnapshot, Rates) {
        let merged = FleetMerge.merged(members.map(\.dependency))
        var rate = Rates()
        for member in members {
            rate.callsPerSecond += member.callsPerSecond
            rate.fallbacksPerSecond += member.fallbacksPerSecond
            rate.rising = rate.rising || member.rising
        }
        if members.allSatisfy({ $0.retriesPerSecond != nil }) {
            rate.retriesPerSecond = members.reduce(0) { $0 + $1.retriesPerSecond! }
        }
        // Failures of the last interval over its calls, fleet-wide: each instance's share weighted by its calls.
        if rate.callsPerSecond > 0 {
            rate.intervalFailurePercent =
                members.reduce(0) { $0 + $1.intervalFailurePercent * $1.callsPerSecond } / rate.callsPerSecond
        }
        let reading = withUnsafePointer(to: merged) { DependencyReading($0) }
        rate.severity = severity(reading, rate)
        return (merged, rate)
    }
}
