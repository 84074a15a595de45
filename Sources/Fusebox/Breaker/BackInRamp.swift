import FuseboxProtocol

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The bookkeeping of one controlled back-in: which share of calls to admit now, and whether the
/// ramp may advance, must trip back to open, or is complete. Pure value logic; the breaker owns it
/// under its lock.
struct BackInRamp: Sendable {
    /// What the ramp should do next.
    enum Verdict: Equatable {
        case stay
        case completed
        case trip(reason: String)
    }

    let schedule: BackInSchedule
    let startedAt: UInt64
    private(set) var step = 0
    private(set) var stepStartedAt: UInt64
    /// Fractional admission credit: each offered call adds the share; a whole unit admits one call.
    private var credit = 0.999_999
    private(set) var calls = 0
    private(set) var failures = 0
    private(set) var slowCalls = 0
    private(set) var stepCalls = 0
    private(set) var stepFailures = 0
    private(set) var stepSlowCalls = 0
    private(set) var turnedAway = 0

    init(schedule: BackInSchedule, now: UInt64) {
        self.schedule = schedule
        self.startedAt = now
        self.stepStartedAt = now
    }

    /// The share of calls admitted at `now`, 0...1.
    func share(at now: UInt64) -> Double {
        switch schedule {
        case .steps(let shares, _):
            return shares[min(step, shares.count - 1)]
        case .smooth(let window, let aggression, let minimumShare):
            let elapsed = Double(now &- startedAt) / 1e6 / Double(window)
            let curve = pow(min(1, max(0, elapsed)), 1 / aggression)
            return min(1, max(minimumShare, curve))
        }
    }

    /// Decides whether to admit one offered call.
    mutating func admit(at now: UInt64) -> Bool {
        credit += share(at: now)
        if credit >= 1 {
            credit -= 1
            return true
        }
        turnedAway += 1
        return false
    }

    mutating func record(failure: Bool, slow: Bool) {
        calls += 1
        stepCalls += 1
        if failure {
            failures += 1
            stepFailures += 1
        }
        if slow {
            slowCalls += 1
            stepSlowCalls += 1
        }
    }

    /// Moves the ramp forward to `now`.
    ///
    /// A step ends after its hold time; it advances only if its failure and slow-call rates stayed
    /// under threshold, otherwise the ramp trips. At any moment, once `tripAfterCalls` calls have been
    /// seen since the start, rates at or over threshold trip it too.
    mutating func advance(
        to now: UInt64, failureThreshold: Double, slowThreshold: Double, tripAfterCalls: Int
    ) -> Verdict {
        if calls >= tripAfterCalls,
            let reason = Self.breach(
                calls: calls, failures: failures, slow: slowCalls, failureThreshold, slowThreshold, scope: "back-in")
        {
            return .trip(reason: reason)
        }
        switch schedule {
        case .steps(let shares, let holdMilliseconds):
            let hold = UInt64(holdMilliseconds) * 1_000_000
            while now &- stepStartedAt >= hold {
                if let reason = Self.breach(
                    calls: stepCalls, failures: stepFailures, slow: stepSlowCalls, failureThreshold, slowThreshold,
                    scope: "back-in step \(step + 1) at \(Int(shares[step] * 100))%")
                {
                    return .trip(reason: reason)
                }
                if step == shares.count - 1 { return .completed }
                step += 1
                stepStartedAt &+= hold
                stepCalls = 0
                stepFailures = 0
                stepSlowCalls = 0
            }
            return .stay
        case .smooth(let window, _, _):
            return now &- startedAt >= UInt64(window) * 1_000_000 ? .completed : .stay
        }
    }

    private static func breach(
        calls: Int, failures: Int, slow: Int, _ failureThreshold: Double, _ slowThreshold: Double, scope: String
    ) -> String? {
        guard calls > 0 else { return nil }
        let failureRate = Double(failures) * 100 / Double(calls)
        let slowRate = Double(slow) * 100 / Double(calls)
        if failureRate >= failureThreshold {
            return "\(scope): failure rate \(percent(failureRate)) >= \(percent(failureThreshold)) over \(calls) calls"
        }
        if slowRate >= slowThreshold {
            return "\(scope): slow-call rate \(percent(slowRate)) >= \(percent(slowThreshold)) over \(calls) calls"
        }
        return nil
    }

    func progress(at now: UInt64, wallStart: Int64) -> BackInProgress {
        BackInProgress(
            schedule: schedule, share: share(at: now), step: step, startedAtMilliseconds: wallStart, calls: calls,
            failures: failures, slowCalls: slowCalls, turnedAway: turnedAway)
    }
}

/// `62.5%`, one decimal.
func percent(_ value: Double) -> String {
    let tenths = (value * 10).rounded() / 10
    return "\(tenths)%"
}
