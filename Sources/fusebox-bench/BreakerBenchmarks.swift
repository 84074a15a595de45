import Fusebox
import Synchronization

/// A shared counter for the atomic-add baseline.
final class Counter: Sendable {
    let value = Atomic<Int>(0)
}

enum BreakerBenchmarks {
    /// The same-run baselines every breaker figure stands beside.
    struct Baselines {
        let uncontended: Double
        let contended: Double
    }

    static func run(scale: Double) -> [Result] {
        let iterations = max(100_000, Int(20_000_000 * scale))
        let counter = Counter()
        let baselines = Baselines(
            uncontended: nanosecondsPerOperation(iterations: iterations) { n in
                for _ in 0..<n { counter.value.wrappingAdd(1, ordering: .relaxed) }
            },
            contended: nanosecondsPerOperation(threads: 2, iterations: iterations) { n in
                for _ in 0..<n { counter.value.wrappingAdd(1, ordering: .relaxed) }
            })

        /// Measures `body` on one thread and on both cores, each beside the matching baseline.
        func onOneAndTwoThreads(
            _ name: String, target: Double? = nil, countAllocations: Bool = false, note: String? = nil,
            _ body: @escaping @Sendable (Int) -> Void
        ) -> [Result] {
            [1, 2].map { threads in
                let value = nanosecondsPerOperation(threads: threads, iterations: iterations, body)
                let allocations =
                    countAllocations && threads == 1
                    ? allocationsPerOperation(iterations: 100_000, body) : nil
                var meets: Bool? = target.map { value <= $0 }
                if let allocations, meets != nil { meets = meets! && allocations == 0 }
                return Result(
                    name: "\(name).\(threads == 1 ? "1_thread" : "2_threads")", value: value,
                    unit: threads == 1 ? "ns/op" : "ns/op per thread",
                    baseline: threads == 1 ? "atomic_add.uncontended" : "atomic_add.contended_2_threads",
                    baselineValue: threads == 1 ? baselines.uncontended : baselines.contended,
                    allocationsPerOperation: allocations,
                    target: target.map { "<= \(Int($0)) ns/op" + (allocations != nil ? ", 0 allocs" : "") },
                    meetsTarget: meets, note: note)
            }
        }

        var results: [Result] = []
        for windowName in ["count", "time"] {
            var configuration = CircuitBreakerConfiguration()
            configuration.window = windowName == "count" ? .count(100) : .time(seconds: 60)
            let breaker = CircuitBreaker(name: "bench", configuration: configuration)
            results += onOneAndTwoThreads(
                "breaker.closed.admit_record_success.\(windowName)_window", target: 25, countAllocations: true
            ) { n in
                for _ in 0..<n {
                    if case .admitted(let permit) = breaker.acquire() {
                        breaker.record(permit, .success, durationNanoseconds: 1_000)
                    }
                }
            }
        }

        // The pipeline's path: the caller has just read the clock to time the call and passes it on.
        var timed = CircuitBreakerConfiguration()
        timed.window = .time(seconds: 60)
        let timedBreaker = CircuitBreaker(name: "bench", configuration: timed)
        let clock = SystemClock()
        results += onOneAndTwoThreads(
            "breaker.closed.admit_record_success.time_window_caller_time", target: 25,
            note: "time passed in by the caller, as the pipeline does"
        ) { n in
            var stamp = clock.nanoseconds()
            for i in 0..<n {
                if i & 1023 == 0 { stamp = clock.nanoseconds() }
                if case .admitted(let permit) = timedBreaker.acquire() {
                    timedBreaker.record(permit, .success, durationNanoseconds: 1_000, now: stamp)
                }
            }
        }

        // A closed breaker whose count window holds failures: successes must push them out.
        var mixedConfiguration = CircuitBreakerConfiguration()
        mixedConfiguration.failureRateThreshold = 100
        let mixed = CircuitBreaker(name: "mixed", configuration: mixedConfiguration)
        results += onOneAndTwoThreads(
            "breaker.closed.admit_record_10pct_failures.count_window",
            note: "every call claims a slot; both cores write the same ticket and slot cache lines"
        ) { n in
            for i in 0..<n {
                if case .admitted(let permit) = mixed.acquire() {
                    mixed.record(permit, i % 10 == 0 ? .failure : .success, durationNanoseconds: 1_000)
                }
            }
        }

        // Rejecting during an outage, when the breaker protects the service: lock-free too.
        var tripsFast = CircuitBreakerConfiguration()
        tripsFast.minimumCalls = 1
        tripsFast.waitInOpen = .seconds(3600)
        let open = CircuitBreaker(name: "open", configuration: tripsFast)
        if case .admitted(let permit) = open.acquire() { open.record(permit, .failure, durationNanoseconds: 1) }
        let forced = CircuitBreaker(name: "forced", configuration: CircuitBreakerConfiguration())
        forced.forceOpen(actor: "bench", reason: "measure rejection")
        results += onOneAndTwoThreads("breaker.open.reject", note: "includes a coarse clock read to check the wait") {
            n in for _ in 0..<n { blackHole(open.acquire()) }
        }
        results += onOneAndTwoThreads("breaker.forced_open.reject") { n in
            for _ in 0..<n { blackHole(forced.acquire()) }
        }
        return results
    }
}
