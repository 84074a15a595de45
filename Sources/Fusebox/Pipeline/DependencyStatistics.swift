import FuseboxProtocol
import Histogram

/// Why a call never reached the primary.
enum CallRejection: Int, CaseIterable {
    case rateLimited, bulkheadFull, breakerOpen, forcedOpen, halfOpenFull, backIn

    var label: String {
        switch self {
        case .rateLimited: return "rate-limited"
        case .bulkheadFull: return "bulkhead-full"
        case .breakerOpen: return "breaker-open"
        case .forcedOpen: return "forced-open"
        case .halfOpenFull: return "half-open-full"
        case .backIn: return "back-in"
        }
    }

    /// The reason as snapshots name it.
    var wire: RejectionReason {
        switch self {
        case .rateLimited: return .rateLimited
        case .bulkheadFull: return .bulkheadFull
        case .breakerOpen: return .breakerOpen
        case .forcedOpen: return .forcedOpen
        case .halfOpenFull: return .halfOpenFull
        case .backIn: return .backIn
        }
    }

    var fallbackReason: FallbackReason {
        switch self {
        case .rateLimited: return .rateLimited
        case .bulkheadFull: return .bulkheadFull
        case .breakerOpen, .forcedOpen, .halfOpenFull: return .breakerOpen
        case .backIn: return .backIn
        }
    }

    init(_ rejection: BreakerRejection) {
        switch rejection {
        case .open: self = .breakerOpen
        case .forcedOpen: self = .forcedOpen
        case .halfOpenFull: self = .halfOpenFull
        case .backIn: self = .backIn
        }
    }
}

struct FallbackKey: Hashable {
    let name: String
    let kind: FallbackKind
    let reason: FallbackReason
}

/// The counters of one dependency, all updated under one lock so a snapshot always adds up.
struct DependencyStatistics {
    /// One statistics window's latency histogram (microseconds) and SLO tallies.
    struct Interval {
        var histogram = Histogram<UInt32>(
            lowestDiscernibleValue: 1, highestTrackableValue: 60_000_000, numberOfSignificantValueDigits: .two)
        var total: UInt64 = 0
        var good: UInt64 = 0
        var maxStaleness: UInt64 = 0

        mutating func reset() {
            histogram.reset()
            total = 0
            good = 0
            maxStaleness = 0
        }
    }

    var calls: UInt64 = 0
    var successes: UInt64 = 0
    var failures: UInt64 = 0
    var rejected: UInt64 = 0
    var bypassed: UInt64 = 0
    var timeouts: UInt64 = 0
    var cacheHits: UInt64 = 0
    var rejectedByReason = [UInt64](repeating: 0, count: CallRejection.allCases.count)
    var attempts: UInt64 = 0
    var retries: UInt64 = 0
    var successesAfterRetry: UInt64 = 0
    var exhausted: UInt64 = 0
    var budgetDenied: UInt64 = 0
    /// Hedged attempts started beside a first one, and calls a hedged attempt won.
    var hedges: UInt64 = 0
    var hedgeWins: UInt64 = 0
    /// Results a pessimistic time limit discarded because they came after it.
    var lateResultsDiscarded: UInt64 = 0
    var fallbacks: [FallbackKey: UInt64] = [:]
    var unserved: UInt64 = 0

    var current = Interval()
    var previous = Interval()
    var intervalStart: UInt64
    let intervalLength: UInt64
    let latencyTargetMicros: UInt64?

    init(now: UInt64, intervalLength: UInt64, latencyTargetMicros: UInt64?) {
        self.intervalStart = now
        self.intervalLength = intervalLength
        self.latencyTargetMicros = latencyTargetMicros
    }

    /// Moves to a new interval when the current one is over.
    mutating func rotate(now: UInt64) {
        guard now &- intervalStart >= intervalLength else { return }
        if now &- intervalStart >= 2 * intervalLength {
            previous.reset()
        } else {
            swap(&previous, &current)
        }
        current.reset()
        intervalStart = now - (now &- intervalStart) % intervalLength
    }

    /// Records one attempt's latency.
    mutating func recordAttempt(nanoseconds: UInt64, retry: Bool) {
        attempts += 1
        if retry { retries += 1 }
        current.histogram.record(max(1, min(nanoseconds / 1000, 60_000_000)))
    }

    /// Records a call that reached a final outcome for the SLO.
    mutating func recordForSLO(good: Bool, nanoseconds: UInt64) {
        current.total += 1
        if good, latencyTargetMicros.map({ nanoseconds / 1000 <= $0 }) ?? true { current.good += 1 }
    }
}

extension DependencyStatistics {
    /// Takes over `other`'s cumulative counts (calls, outcomes, rejections, retries, fallbacks); the
    /// windows (latency, SLO) start afresh under the new policies.
    mutating func carryCounts(from other: DependencyStatistics) {
        calls = other.calls
        successes = other.successes
        failures = other.failures
        rejected = other.rejected
        bypassed = other.bypassed
        timeouts = other.timeouts
        cacheHits = other.cacheHits
        rejectedByReason = other.rejectedByReason
        attempts = other.attempts
        retries = other.retries
        successesAfterRetry = other.successesAfterRetry
        exhausted = other.exhausted
        budgetDenied = other.budgetDenied
        hedges = other.hedges
        hedgeWins = other.hedgeWins
        lateResultsDiscarded = other.lateResultsDiscarded
        fallbacks = other.fallbacks
        unserved = other.unserved
    }
}
