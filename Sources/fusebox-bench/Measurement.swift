import Dispatch
import MallocInterposerSwift

#if canImport(Glibc)
    import Glibc
#endif

/// Monotonic nanoseconds.
func now() -> UInt64 {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
}

/// CPU time of the whole process in nanoseconds.
func processCPUNanoseconds() -> UInt64 {
    var ts = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts)
    return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
}

/// Keeps the optimizer from deleting a computation.
@inline(never)
func blackHole<T>(_ value: T) {}

/// Runs `body(iterations)` on `threads` threads at once and returns nanoseconds per operation per thread
/// (wall time of the slowest thread divided by the iterations each ran), best of `repeats`.
func nanosecondsPerOperation(
    threads: Int = 1, iterations: Int, repeats: Int = 5, _ body: @escaping @Sendable (Int) -> Void
) -> Double {
    var best = Double.infinity
    for _ in 0..<repeats {
        let start = now()
        if threads == 1 {
            body(iterations)
        } else {
            DispatchQueue.concurrentPerform(iterations: threads) { _ in body(iterations) }
        }
        best = min(best, Double(now() - start) / Double(iterations))
    }
    return best
}

/// Allocations per operation while `body(iterations)` runs on this thread.
func allocationsPerOperation(iterations: Int, _ body: (Int) -> Void) -> Double {
    MallocInterposerSwift.reset()
    MallocInterposerSwift.hook()
    body(iterations)
    MallocInterposerSwift.unhook()
    return Double(MallocInterposerSwift.getStatistics().mallocCount) / Double(iterations)
}

/// Allocations per operation of an async body.
func allocationsPerOperation(iterations: Int, _ body: (Int) async -> Void) async -> Double {
    MallocInterposerSwift.reset()
    MallocInterposerSwift.hook()
    await body(iterations)
    MallocInterposerSwift.unhook()
    return Double(MallocInterposerSwift.getStatistics().mallocCount) / Double(iterations)
}

/// Bytes allocated and not freed while `body` runs.
func retainedBytes(_ body: () async throws -> Void) async rethrows -> Int {
    MallocInterposerSwift.reset()
    MallocInterposerSwift.hook()
    try await body()
    MallocInterposerSwift.unhook()
    let stats = MallocInterposerSwift.getStatistics()
    return stats.mallocBytesCount - stats.freeBytesCount
}

/// One machine-readable result line: a flat JSON object.
struct Result {
    var name: String
    var value: Double
    var unit: String
    var baseline: String? = nil
    var baselineValue: Double? = nil
    var allocationsPerOperation: Double? = nil
    var target: String? = nil
    var meetsTarget: Bool? = nil
    var note: String? = nil

    var line: String {
        var fields: [String] = [
            "\"name\":\"\(name)\"", "\"value\":\(format(value))", "\"unit\":\"\(unit)\"",
        ]
        if let baseline, let baselineValue {
            fields.append("\"baseline\":\"\(baseline)\"")
            fields.append("\"baseline_value\":\(format(baselineValue))")
            if baselineValue > 0 { fields.append("\"ratio\":\(format(value / baselineValue))") }
        }
        if let allocationsPerOperation { fields.append("\"allocs_per_op\":\(format(allocationsPerOperation))") }
        if let target { fields.append("\"target\":\"\(target)\"") }
        if let meetsTarget { fields.append("\"meets_target\":\(meetsTarget)") }
        if let note { fields.append("\"note\":\"\(note)\"") }
        return "{" + fields.joined(separator: ",") + "}"
    }

    private func format(_ x: Double) -> String {
        let rounded = (x * 1000).rounded() / 1000
        return "\(rounded)"
    }
}
