import Fusebox
import Synchronization

/// A shared counter for the atomic-add baseline.
final class Counter: Sendable {
    let value = Atomic<Int>(0)
}

enum BreakerBenchmarks {
    static func run(scale: Double) -> [Result] {
        let iterations = max(100_000, Int(20_000_000 * scale))
        var results: [Result] = []

        // Baselines: an uncontended atomic add, and the same add contended by both cores.
        let counter = Counter()
        let atomicOne = nanosecondsPerOperation(iterations: iterations) { n in
            for _ in 0..<n { counter.value.wrappingAdd(1, ordering: .relaxed) }
        }
        let atomicTwo = nanosecondsPerOperation(threads: 2, iterations: iterations) { n in
            for _ in 0..<n { counter.value.wrappingAdd(1, ordering: .relaxed) }
        }

        for windowName in ["count", "time"] {
            var configuration = CircuitBreakerConfiguration()
            configuration.window = windowName == "count" ? .count(100) : .time(seconds: 60)
            let breaker = CircuitBreaker(name: "bench", configuration: configuration)
            let admitAndRecord: @Sendable (Int) -> Void = { n in
                for _ in 0..<n {
                    if case .admitted(let permit) = breaker.acquire() {
                        breaker.record(permit, .success, durationNanoseconds: 1_000)
                    }
                }
            }
            let one = nanosecondsPerOperation(iterations: iterations, admitAndRecord)
            let allocations = allocationsPerOperation(iterations: 100_000, admitAndRecord)
            results.append(
                Result(
                    name: "breaker.closed.admit_record_success.\(windowName)_window.1_thread", value: one, unit: "ns/op",
                    baseline: "atomic_add.uncontended", baselineValue: atomicOne, allocationsPerOperation: allocations,
                    target: "<= 25 ns/op, 0 allocs", meetsTarget: one <= 25 && allocations == 0))
            let two = nanosecondsPerOperation(threads: 2, iterations: iterations, admitAndRecord)
            results.append(
                Result(
                    name: "breaker.closed.admit_record_success.\(windowName)_window.2_threads", value: two,
                    unit: "ns/op per thread", baseline: "atomic_add.contended_2_threads", baselineValue: atomicTwo,
                    target: "<= 25 ns/op", meetsTarget: two <= 25))
        }

        // The pipeline's path: the caller has just read the clock to time the call and passes it on.
        var timed = CircuitBreakerConfiguration()
        timed.window = .time(seconds: 60)
        let timedBreaker = CircuitBreaker(name: "bench", configuration: timed)
        let clock = SystemClock()
        let withCallerTime: @Sendable (Int) -> Void = { n in
            var stamp = clock.nanoseconds()
            for i in 0..<n {
                if i & 1023 == 0 { stamp = clock.nanoseconds() }
                if case .admitted(let permit) = timedBreaker.acquire() {
                    timedBreaker.record(permit, .success, durationNanoseconds: 1_000, now: stamp)
                }
            }
        }
        for threads in [1, 2] {
            let value = nanosecondsPerOperation(threads: threads, iterations: iterations, withCallerTime)
            results.append(
                Result(
                    name: "breaker.closed.admit_record_success.time_window_caller_time.\(threads == 1 ? "1_thread" : "2_threads")",
                    value: value, unit: "ns/op per thread",
                    baseline: threads == 1 ? "atomic_add.uncontended" : "atomic_add.contended_2_threads",
                    baselineValue: threads == 1 ? atomicOne : atomicTwo, target: "<= 25 ns/op", meetsTarget: value <= 25,
                    note: "time passed in by the caller, as the pipeline does"))
        }

        // A closed breaker whose count window holds failures: successes must push them out.
        var mixedConfiguration = CircuitBreakerConfiguration()
        mixedConfiguration.failureRateThreshold = 100
        let mixed = CircuitBreaker(name: "mixed", configuration: mixedConfiguration)
        let tenPercentFailures: @Sendable (Int) -> Void = { n in
            for i in 0..<n {
                if case .admitted(let permit) = mixed.acquire() {
                    mixed.record(permit, i % 10 == 0 ? .failure : .success, durationNanoseconds: 1_000)
                }
            }
        }
        for threads in [1, 2] {
            let value = nanosecondsPerOperation(threads: threads, iterations: iterations, tenPercentFailures)
            results.append(
                Result(
                    name: "breaker.closed.admit_record_10pct_failures.count_window.\(threads == 1 ? "1_thread" : "2_threads")",
                    value: value, unit: "ns/op per thread",
                    baseline: threads == 1 ? "atomic_add.uncontended" : "atomic_add.contended_2_threads",
                    baselineValue: threads == 1 ? atomicOne : atomicTwo,
                    note: "every call claims a slot; both cores write the same ticket and slot cache lines"))
        }

        // Rejecting during an outage, when the breaker protects the service: lock-free too.
        var tripsFast = CircuitBreakerConfiguration()
        tripsFast.minimumCalls = 1
        tripsFast.waitInOpen = .seconds(3600)
        let open = CircuitBreaker(name: "open", configuration: tripsFast)
        if case .admitted(let permit) = open.acquire() { open.record(permit, .failure, durationNanoseconds: 1) }
        let forced = CircuitBreaker(name: "forced", configuration: CircuitBreakerConfiguration())
        forced.forceOpen(actor: "bench", reason: "measure rejection")
        for (label, breaker) in [("open", open), ("forced_open", forced)] {
            for threads in [1, 2] {
                let value = nanosecondsPerOperation(threads: threads, iterations: iterations / 4) { n in
                    for _ in 0..<n { blackHole(breaker.acquire()) }
                }
                results.append(
                    Result(
                        name: "breaker.\(label).reject.\(threads == 1 ? "1_thread" : "2_threads")", value: value,
                        unit: "ns/op per thread", baseline: "atomic_add.uncontended", baselineValue: atomicOne,
                        note: label == "open" ? "includes a coarse clock read to check the wait" : nil))
            }
        }
        return results
    }
}
