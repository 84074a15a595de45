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

        // Rejecting in open: the slow path behind the lock, for reference.
        let open = CircuitBreaker(name: "open", configuration: CircuitBreakerConfiguration())
        open.forceOpen(actor: "bench", reason: "measure rejection")
        let rejected = nanosecondsPerOperation(iterations: iterations / 4) { n in
            for _ in 0..<n { blackHole(open.acquire()) }
        }
        results.append(
            Result(
                name: "breaker.forced_open.reject.1_thread", value: rejected, unit: "ns/op",
                baseline: "atomic_add.uncontended", baselineValue: atomicOne))
        return results
    }
}
