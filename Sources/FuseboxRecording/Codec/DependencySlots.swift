import FuseboxProtocol

/// How a numeric field behaves over time, which decides how it is predicted from earlier samples.
enum SlotKind: UInt8 {
    /// Cumulative: predicted to grow as much as it grew last time.
    case counter
    /// A level (window counts, in-flight calls, times): predicted unchanged.
    case gauge
    /// A measurement (rates, percentiles): predicted unchanged, stored as a decimal when exact.
    case double
    /// A measurement the snapshot's other fields determine (a failure rate from its window's
    /// counts, a burn rate from its success ratio): predicted by that formula, so it costs
    /// nothing when it holds.
    case derived
}

/// Walks a dependency's numeric fields in one fixed order, each as a slot. The recording splits a
/// snapshot into its *shape* (names, states, thresholds, which fields are present: rarely changes,
/// stored once) and its *values* (the slots: stored per sample, as differences).
protocol SlotVisitor {
    mutating func counter(_ value: inout UInt64)
    mutating func gauge(_ value: inout Int64)
    mutating func double(_ value: inout Double)
    /// `expected` is computed from fields visited before this one, with the runtime's arithmetic.
    mutating func derived(_ value: inout Double, expected: Double?)
}

extension SlotVisitor {
    mutating func counter(_ value: inout UInt64?) {
        guard var present = value else { return }
        counter(&present)
        value = present
    }

    mutating func counter(_ value: inout Int) {
        var wide = UInt64(bitPattern: Int64(value))
        counter(&wide)
        value = Int(truncatingIfNeeded: Int64(bitPattern: wide))
    }

    mutating func gauge(_ value: inout Int) {
        var wide = Int64(value)
        gauge(&wide)
        value = Int(truncatingIfNeeded: wide)
    }

    mutating func gauge(_ value: inout Int?) {
        guard var present = value else { return }
        gauge(&present)
        value = present
    }

    mutating func gauge(_ value: inout Int64?) {
        guard var present = value else { return }
        gauge(&present)
        value = present
    }

    mutating func gauge(_ value: inout UInt64) {
        var wide = Int64(bitPattern: value)
        gauge(&wide)
        value = UInt64(bitPattern: wide)
    }

    mutating func gauge(_ value: inout UInt64?) {
        guard var present = value else { return }
        gauge(&present)
        value = present
    }

    mutating func double(_ value: inout Double?) {
        guard var present = value else { return }
        double(&present)
        value = present
    }

    mutating func derived(_ value: inout Double?, expected: Double?) {
        guard var present = value else { return }
        derived(&present, expected: expected)
        value = present
    }
}

/// The runtime's rate of a window: `part * 100 / calls` (`WindowStats`), unknown without calls.
private func windowRate(_ part: Int?, _ calls: Int?) -> Double? {
    guard let part, let calls, calls > 0 else { return nil }
    return Double(part) * 100 / Double(calls)
}

extension DependencySnapshot {
    /// Visits every value that changes from sample to sample; everything else is shape.
    mutating func visitSlots(_ visitor: inout some SlotVisitor) {
        visitor.gauge(&breaker.stateSinceMilliseconds)
        visitor.gauge(&breaker.windowCalls)
        visitor.gauge(&breaker.windowFailures)
        visitor.gauge(&breaker.windowSlowCalls)
        visitor.derived(&breaker.failureRate, expected: windowRate(breaker.windowFailures, breaker.windowCalls))
        visitor.derived(&breaker.slowCallRate, expected: windowRate(breaker.windowSlowCalls, breaker.windowCalls))
        visitor.gauge(&breaker.halfOpenProbesAdmitted)
        visitor.gauge(&breaker.consecutiveTrips)
        visitor.gauge(&breaker.openUntilMilliseconds)
        if var backIn = breaker.backIn {
            visitor.double(&backIn.share)
            visitor.gauge(&backIn.step)
            visitor.gauge(&backIn.startedAtMilliseconds)
            visitor.counter(&backIn.calls)
            visitor.counter(&backIn.failures)
            visitor.counter(&backIn.slowCalls)
            visitor.counter(&backIn.turnedAway)
            breaker.backIn = backIn
        }

        visitor.counter(&calls.successes)
        visitor.counter(&calls.failures)
        visitor.counter(&calls.rejected)
        visitor.counter(&calls.calls)
        visitor.counter(&calls.bypassed)
        visitor.counter(&calls.timeouts)
        visitor.counter(&calls.cacheHits)
        if var byReason = calls.rejectedByReason {
            // Sorted keys: the order is part of the shape.
            for reason in byReason.keys.sorted(by: { $0.rawValue < $1.rawValue }) {
                var count = byReason[reason] ?? 0
                visitor.counter(&count)
                byReason[reason] = count
            }
            calls.rejectedByReason = byReason
        }

        visitor.counter(&retry.attempts)
        visitor.counter(&retry.retries)
        visitor.counter(&retry.successesAfterRetry)
        visitor.counter(&retry.exhausted)
        visitor.counter(&retry.budgetDenied)
        visitor.gauge(&retry.budgetAvailable)
        visitor.counter(&retry.hedges)
        visitor.counter(&retry.hedgeWins)

        for index in fallbacks.activations.indices { visitor.counter(&fallbacks.activations[index].count) }
        visitor.counter(&fallbacks.unserved)
        visitor.double(&fallbacks.maxStalenessMilliseconds)

        if var bulkhead {
            visitor.gauge(&bulkhead.inFlight)
            visitor.gauge(&bulkhead.waiting)
            visitor.counter(&bulkhead.rejected)
            // An adaptive limit moves with every sample: a value, not part of the shape.
            if bulkhead.isAdaptive { visitor.gauge(&bulkhead.maxConcurrent) }
            self.bulkhead = bulkhead
        }
        if var rateLimiter {
            visitor.double(&rateLimiter.availableTokens)
            visitor.counter(&rateLimiter.rejected)
            self.rateLimiter = rateLimiter
        }

        visitor.gauge(&latency.count)
        visitor.gauge(&latency.windowMilliseconds)
        visitor.double(&latency.min)
        visitor.double(&latency.mean)
        visitor.double(&latency.p50)
        visitor.double(&latency.p90)
        visitor.double(&latency.p99)
        visitor.double(&latency.p999)
        visitor.double(&latency.max)
        if var buckets = latency.buckets {
            for index in buckets.indices { visitor.gauge(&buckets[index].count) }
            latency.buckets = buckets
        }

        if var slo {
            // The count first: the ratio is coded as a share of it.
            visitor.gauge(&slo.windowCalls)
            visitor.double(&slo.successRatio)
            visitor.derived(&slo.burnRate, expected: (1 - slo.successRatio) / (1 - slo.targetSuccessRatio))
            self.slo = slo
        }
    }

    /// The dependency with every value zeroed: what stays the same between samples.
    var shape: DependencySnapshot {
        var copy = self
        var zeroing = ZeroingVisitor()
        copy.visitSlots(&zeroing)
        return copy
    }

    /// The values, as raw 64-bit patterns, in visiting order.
    var slotValues: [UInt64] { slotValuesAndDerivations.values }

    /// The values, and for each whether it is what its formula gives (always false for slots
    /// that are not derived).
    var slotValuesAndDerivations: (values: [UInt64], asDerived: [Bool]) {
        var copy = self
        var collector = CollectingVisitor()
        copy.visitSlots(&collector)
        return (collector.values, collector.asDerived)
    }
}

/// The kinds of a shape's slots, in visiting order.
func slotKinds(of shape: DependencySnapshot) -> [SlotKind] {
    var copy = shape
    var visitor = KindVisitor()
    copy.visitSlots(&visitor)
    return visitor.kinds
}

/// Fills a shape with values, in visiting order; a derived slot marked in `asDerived` takes its
/// formula's value.
func filled(_ shape: DependencySnapshot, with values: [UInt64], asDerived: [Bool] = []) -> DependencySnapshot {
    var copy = shape
    var visitor = FillingVisitor(values: values, asDerived: asDerived)
    copy.visitSlots(&visitor)
    return copy
}

private struct ZeroingVisitor: SlotVisitor {
    mutating func counter(_ value: inout UInt64) { value = 0 }
    mutating func gauge(_ value: inout Int64) { value = 0 }
    mutating func double(_ value: inout Double) { value = 0 }
    mutating func derived(_ value: inout Double, expected: Double?) { value = 0 }
}

private struct CollectingVisitor: SlotVisitor {
    var values: [UInt64] = []
    var asDerived: [Bool] = []

    init() {
        values.reserveCapacity(64)
        asDerived.reserveCapacity(64)
    }

    mutating func counter(_ value: inout UInt64) { append(value, false) }
    mutating func gauge(_ value: inout Int64) { append(UInt64(bitPattern: value), false) }
    mutating func double(_ value: inout Double) { append(value.bitPattern, false) }
    mutating func derived(_ value: inout Double, expected: Double?) {
        append(value.bitPattern, expected?.bitPattern == value.bitPattern)
    }

    private mutating func append(_ bits: UInt64, _ derived: Bool) {
        values.append(bits)
        asDerived.append(derived)
    }
}

private struct KindVisitor: SlotVisitor {
    var kinds: [SlotKind] = []
    mutating func counter(_ value: inout UInt64) { kinds.append(.counter) }
    mutating func gauge(_ value: inout Int64) { kinds.append(.gauge) }
    mutating func double(_ value: inout Double) { kinds.append(.double) }
    mutating func derived(_ value: inout Double, expected: Double?) { kinds.append(.derived) }
}

private struct FillingVisitor: SlotVisitor {
    let values: [UInt64]
    let asDerived: [Bool]
    var index = 0

    mutating func next() -> UInt64 {
        defer { index += 1 }
        return index < values.count ? values[index] : 0
    }

    mutating func counter(_ value: inout UInt64) { value = next() }
    mutating func gauge(_ value: inout Int64) { value = Int64(bitPattern: next()) }
    mutating func double(_ value: inout Double) { value = Double(bitPattern: next()) }
    mutating func derived(_ value: inout Double, expected: Double?) {
        let derived = index < asDerived.count && asDerived[index]
        let bits = next()
        value = derived ? expected ?? Double(bitPattern: bits) : Double(bitPattern: bits)
    }
}
