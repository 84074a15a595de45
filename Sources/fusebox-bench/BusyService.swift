import Foundation
import Fusebox
import FuseboxProtocol

/// A service whose every dependency is busy: every counter moves every second, with the noise
/// real traffic has, in the runtime's own snapshot layout (count windows, a 30 s latency window of
/// HDR-quantized values, SLOs, a limiter or a bulkhead on some). What recordings are sized on.
struct BusyService {
    private struct Dependency {
        var snapshot: DependencySnapshot
        let callsPerSecond: Double
        var failureShare: Double
        /// The window's median latency in microseconds: a 30 s window's percentiles drift slowly.
        var medianMicros = 4_000.0
        var minimumMicros = 600
        var maximumMicros = 30_000
        /// The last 30 seconds: calls, failures, latency bucket counts and the latency sum.
        var window: [(calls: Int, failures: Int, buckets: [UInt64], sumMicros: Double, maxMicros: Int)] = []
    }

    static let bounds: [Double?] = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1_000, nil]

    private var dependencies: [Dependency]
    private let random: SeededRandom
    private(set) var nowMilliseconds: Int64
    private let startedAtMilliseconds: Int64

    init(dependencies count: Int, startMilliseconds: Int64, seed: UInt64) {
        random = SeededRandom(seed: seed)
        nowMilliseconds = startMilliseconds
        startedAtMilliseconds = startMilliseconds - 3_600_000
        var made: [Dependency] = []
        for index in 0..<count {
            let rate = 20 + Double(random.below(480))
            let snapshot = DependencySnapshot(
                name: "dependency-\(String(index + 1000).dropFirst())",
                criticality: index % 3 == 0 ? .critical : .degradable,
                metadata: ["owner": "team-\(index % 12)", "runbook": "https://runbooks.example/\(index)"],
                breaker: BreakerSnapshot(
                    state: .closed, stateSinceMilliseconds: startMilliseconds - 3_600_000, windowKind: .count,
                    windowSize: 100, windowCalls: 0, windowFailures: 0, windowSlowCalls: 0, failureRate: nil,
                    slowCallRate: nil, failureRateThreshold: 50, slowCallRateThreshold: 60,
                    slowCallDurationMilliseconds: 1_000, minimumCalls: 20, halfOpenProbes: 5, halfOpenProbesAdmitted: 0,
                    consecutiveTrips: 0),
                calls: CallCounts(
                    calls: 0, successes: 0, failures: 0, rejected: 0, bypassed: 0, timeouts: 0, cacheHits: 0,
                    rejectedByReason: [:]),
                retry: RetrySnapshot(
                    maxAttempts: 3, attempts: 0, retries: 0, successesAfterRetry: 0, exhausted: 0, budgetDenied: 0,
                    budgetRatio: 0.2, budgetAvailable: 10),
                fallbacks: FallbackSnapshot(
                    chain: ["stale-cache"],
                    activations: [
                        FallbackActivationCount(fallback: "stale-cache", kind: .staleCache, reason: .error, count: 0)
                    ], unserved: 0, maxStalenessMilliseconds: nil),
                bulkhead: index % 10 == 0
                    ? BulkheadSnapshot(maxConcurrent: 40, inFlight: 0, waiting: 0, maxWaiting: 10, rejected: 0) : nil,
                rateLimiter: index % 10 == 5
                    ? RateLimiterSnapshot(ratePerSecond: 1_000, burst: 100, availableTokens: 100, rejected: 0) : nil,
                latency: .empty(windowMilliseconds: 30_000),
                slo: SLOSnapshot(
                    targetSuccessRatio: 0.999, latencyTargetMilliseconds: 250, successRatio: 1, burnRate: 0,
                    windowCalls: 0))
            made.append(
                Dependency(snapshot: snapshot, callsPerSecond: rate, failureShare: 0.01 + Double(index % 5) / 100))
        }
        dependencies = made
    }

    /// The next second's snapshot.
    mutating func next() -> Snapshot {
        nowMilliseconds += 1_000
        var all = dependencies
        for index in all.indices { step(&all[index]) }
        dependencies = all
        return Snapshot(
            service: "checkout", instance: "checkout-1", takenAtMilliseconds: nowMilliseconds - 3,
            lastEventSequence: 0, degradationLevel: .normal, dependencies: dependencies.map(\.snapshot), flags: [],
            events: [], startedAtMilliseconds: startedAtMilliseconds)
    }

    private mutating func step(_ dependency: inout Dependency) {
        // Poisson-like noise around the rate; failures around their share, which drifts.
        let calls = max(1, Int(dependency.callsPerSecond + random.normal() * dependency.callsPerSecond.squareRoot()))
        dependency.failureShare = min(0.6, max(0.001, dependency.failureShare + random.normal() * 0.002))
        let failures = min(calls, max(0, Int(Double(calls) * dependency.failureShare + random.normal())))
        let retries = max(0, failures / 2 + random.below(3) - 1)
        var buckets = [UInt64](repeating: 0, count: Self.bounds.count)
        var sum = 0.0
        var largest = 0
        // A log-normal latency around a few milliseconds, quantized as HDR does (3 significant digits).
        let draws = min(calls, 64)
        for _ in 0..<draws {
            let micros = Self.quantize(Int(4_000 * exp(random.normal() * 0.6)))
            sum += Double(micros)
            largest = max(largest, micros)
            let bucket = Self.bounds.firstIndex { $0.map { Double(micros) / 1_000 <= $0 } ?? true } ?? 0
            buckets[bucket] += UInt64(calls / draws)
        }
        dependency.window.append((calls, failures, buckets, sum * Double(calls / draws), largest))
        if dependency.window.count > 30 { dependency.window.removeFirst() }

        var s = dependency.snapshot
        s.calls.calls += UInt64(calls)
        s.calls.failures += UInt64(failures)
        s.calls.successes += UInt64(calls - failures)
        s.calls.timeouts! += UInt64(failures / 3)
        s.retry.attempts! += UInt64(calls + retries)
        s.retry.retries! += UInt64(retries)
        s.retry.successesAfterRetry! += UInt64(retries / 2)
        s.retry.exhausted! += UInt64(failures / 4)
        s.retry.budgetAvailable = 5 + random.below(20)
        s.fallbacks.activations[0].count += UInt64(failures)
        let windowCalls = min(100, dependency.window.suffix(2).reduce(0) { $0 + $1.calls })
        let windowFailures = min(windowCalls, Int((Double(windowCalls) * dependency.failureShare).rounded()))
        s.breaker.windowCalls = windowCalls
        s.breaker.windowFailures = windowFailures
        s.breaker.windowSlowCalls = random.below(3)
        s.breaker.failureRate = Double(windowFailures) * 100 / Double(windowCalls)
        s.breaker.slowCallRate = Double(s.breaker.windowSlowCalls!) * 100 / Double(windowCalls)
        var windowBuckets = [UInt64](repeating: 0, count: Self.bounds.count)
        var count: UInt64 = 0
        var total = 0.0
        for second in dependency.window {
            for b in windowBuckets.indices { windowBuckets[b] += second.buckets[b] }
            total += second.sumMicros
        }
        count = windowBuckets.reduce(0, +)
        s.latency.count = count
        s.latency.mean = total / Double(max(1, count)) / 1_000
        // The extremes change when one leaves the window or a new one arrives; the percentiles drift.
        if random.below(100) < 3 { dependency.minimumMicros = Self.quantize(400 + random.below(300)) }
        if random.below(100) < 5 { dependency.maximumMicros = Self.quantize(20_000 + random.below(40_000)) }
        dependency.medianMicros *= 1 + random.normal() * 0.004
        dependency.medianMicros = min(20_000, max(1_000, dependency.medianMicros))
        let p50 = dependency.medianMicros
        s.latency.min = Double(dependency.minimumMicros) / 1_000
        s.latency.max = Double(dependency.maximumMicros) / 1_000
        s.latency.p50 = Double(Self.quantize(Int(p50))) / 1_000
        s.latency.p90 = Double(Self.quantize(Int(p50 * 2.1))) / 1_000
        s.latency.p99 = Double(Self.quantize(Int(p50 * 4.3))) / 1_000
        s.latency.p999 = Double(Self.quantize(Int(p50 * 6.9))) / 1_000
        s.latency.buckets = zip(Self.bounds, windowBuckets).map {
            LatencyBucket(upperBoundMilliseconds: $0, count: $1)
        }
        // As the runtime counts: whole calls, good or not.
        let good = count - UInt64((Double(count) * dependency.failureShare).rounded())
        let ratio = count == 0 ? 1 : Double(good) / Double(count)
        s.slo?.successRatio = ratio
        s.slo?.burnRate = (1 - ratio) / (1 - 0.999)
        s.slo?.windowCalls = count
        if s.bulkhead != nil {
            s.bulkhead!.inFlight = random.below(40)
            s.bulkhead!.waiting = random.below(3)
            s.bulkhead!.rejected += UInt64(random.below(2))
        }
        if s.rateLimiter != nil {
            s.rateLimiter!.availableTokens = 100 - Double(calls % 100) * 0.937
            s.calls.rejected += UInt64(random.below(2))
        }
        dependency.snapshot = s
    }

    /// An HDR histogram's value: three significant digits.
    static func quantize(_ micros: Int) -> Int {
        var scale = 1
        while micros / scale >= 1_000 { scale *= 10 }
        return micros / scale * scale
    }
}

extension SeededRandom {
    /// A uniform integer in `0..<bound`.
    func below(_ bound: Int) -> Int { Int(next() % UInt64(max(1, bound))) }

    /// A standard normal draw (Box-Muller).
    func normal() -> Double {
        let u = max(unit(), 1e-12)
        return (-2 * log(u)).squareRoot() * cos(2 * .pi * unit())
    }
}
