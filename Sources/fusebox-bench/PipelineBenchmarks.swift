import Fusebox
import FuseboxProtocol
import Logging

enum PipelineBenchmarks {
    @inline(never)
    static func downstream() async throws -> Int { 42 }

    /// Calls per measured loop.
    static func iterations(scale: Double) -> Int { max(20_000, Int(2_000_000 * scale)) }

    static func run(scale: Double, filter: @Sendable (String) -> Bool) async -> [Result] {
        let iterations = iterations(scale: scale)
        let logger = Logger(label: "bench", factory: { _ in SwiftLogNoOpLogHandler() })
        let registry = FuseboxRegistry(service: "bench", instance: "bench-1", logger: logger)
        var plain = DependencyConfiguration(name: "plain")
        plain.retry.maxAttempts = 3
        var timed = DependencyConfiguration(name: "timed")
        timed.attemptTimeout = .seconds(1)
        timed.retry.maxAttempts = 3
        var full = DependencyConfiguration(name: "full")
        full.bulkhead = BulkheadConfiguration(maxConcurrent: 100)
        full.rateLimit = RateLimiterConfiguration(ratePerSecond: 1e12, burst: 1_000_000)
        full.slo = ServiceLevelObjective(successRatio: 0.999, latencyTarget: .milliseconds(100))
        var hedged = plain
        hedged.name = "hedged"
        hedged.hedging = HedgingPolicy(maxHedgedAttempts: 1, delay: .seconds(1))
        var fixedLimit = plain
        fixedLimit.name = "fixed-limit"
        fixedLimit.bulkhead = BulkheadConfiguration(maxConcurrent: 100)
        var adaptiveLimit = plain
        adaptiveLimit.name = "adaptive-limit"
        adaptiveLimit.bulkhead = BulkheadConfiguration(
            adaptive: AdaptiveConcurrency(initialLimit: 100, maxLimit: 1_000, latencyThreshold: .seconds(1)))
        let plainDependency = try! registry.register(plain)
        let timedDependency = try! registry.register(timed)
        let fullDependency = try! registry.register(full)
        let operation: @Sendable () async throws -> Int = { try await downstream() }

        func measure(_ n: Int, _ body: () async -> Void) async -> Double {
            var best = Double.infinity
            for _ in 0..<3 {
                let start = now()
                for _ in 0..<n { await body() }
                best = min(best, Double(now() - start) / Double(n))
            }
            return best
        }

        let bare = await measure(iterations) { blackHole(try? await operation()) }
        var results = [
            Result(
                name: "baseline.bare_call", value: bare, unit: "ns/op",
                allocationsPerOperation: await bareAllocations())
        ]
        if filter("pipeline.success.breaker_retry_budget") {
            let pipeline = await measure(iterations) { blackHole(try? await plainDependency.execute(operation)) }
            let allocations = await allocationsPerOperation(iterations: 10_000) { n in
                for _ in 0..<n { blackHole(try? await plainDependency.execute(operation)) }
            }
            results.append(
                Result(
                    name: "pipeline.success.breaker_retry_budget", value: pipeline, unit: "ns/op",
                    baseline: "baseline.bare_call", baselineValue: bare, allocationsPerOperation: allocations,
                    target: "overhead <= 110 ns", meetsTarget: pipeline - bare <= 110,
                    note: "overhead \(Int((pipeline - bare).rounded())) ns"))
        }
        if filter("pipeline.success.all_policies") {
            let allPolicies = await measure(iterations) { blackHole(try? await fullDependency.execute(operation)) }
            results.append(
                Result(
                    name: "pipeline.success.all_policies", value: allPolicies, unit: "ns/op",
                    baseline: "baseline.bare_call", baselineValue: bare,
                    note:
                        "limiter+bulkhead+breaker+retry+budget+SLO; overhead \(Int((allPolicies - bare).rounded())) ns")
            )
        }
        if filter("pipeline.success.with_attempt_timeout") {
            // The least any timeout that cancels its work costs: the call in a child task of its own.
            let child = await measure(iterations / 10) {
                let value = try? await withThrowingTaskGroup(of: Int.self) { group in
                    group.addImmediateTask { try await operation() }
                    return try await group.next()!
                }
                blackHole(value)
            }
            results.append(
                Result(
                    name: "baseline.child_task", value: child, unit: "ns/op", baseline: "baseline.bare_call",
                    baselineValue: bare, note: "the call in an immediate child task: what cancelling it needs"))
            let withTimeout = await measure(iterations / 5) {
                blackHole(try? await timedDependency.execute(operation))
            }
            let allocations = await allocationsPerOperation(iterations: 10_000) { n in
                for _ in 0..<n { blackHole(try? await timedDependency.execute(operation)) }
            }
            let overhead = withTimeout - bare
            results.append(
                Result(
                    name: "pipeline.success.with_attempt_timeout", value: withTimeout, unit: "ns/op",
                    baseline: "baseline.bare_call", baselineValue: bare, allocationsPerOperation: allocations,
                    target: "overhead <= 1500 ns", meetsTarget: overhead <= 1500,
                    note:
                        "overhead \(Int(overhead.rounded())) ns: a child task \(Int((child - bare).rounded())) ns"
                        + " + one timer on the process's deadline heap + the pipeline"))
        }
        if filter("pipeline.success.hedged") {
            let hedgedDependency = try! registry.register(hedged)
            let plainIdempotent = await measure(iterations / 10) {
                blackHole(try? await plainDependency.execute(idempotent: true, operation))
            }
            let value = await measure(iterations / 10) {
                blackHole(try? await hedgedDependency.execute(idempotent: true, operation))
            }
            results.append(
                Result(
                    name: "pipeline.success.hedged", value: value, unit: "ns/op",
                    baseline: "pipeline.success.breaker_retry_budget", baselineValue: plainIdempotent,
                    note:
                        "hedging on, answered before the delay: a task group, the first racer and the delay's timer;"
                        + " overhead over the unhedged pipeline \(Int((value - plainIdempotent).rounded())) ns"))
        }
        if filter("pipeline.success.adaptive_limit") {
            let fixedDependency = try! registry.register(fixedLimit)
            let adaptiveDependency = try! registry.register(adaptiveLimit)
            let fixed = await measure(iterations) { blackHole(try? await fixedDependency.execute(operation)) }
            let adaptive = await measure(iterations) { blackHole(try? await adaptiveDependency.execute(operation)) }
            results.append(
                Result(
                    name: "pipeline.success.adaptive_limit", value: adaptive, unit: "ns/op",
                    baseline: "pipeline.success.fixed_bulkhead", baselineValue: fixed,
                    note: "one sample per attempt under the bulkhead's lock; overhead over a fixed bulkhead"
                        + " \(Int((adaptive - fixed).rounded())) ns"))
        }
        return results
    }
}

extension PipelineBenchmarks {
    /// Allocations of the bare call, to tell the pipeline's own allocations from the harness's.
    static func bareAllocations() async -> Double {
        let operation: @Sendable () async throws -> Int = { try await downstream() }
        return await allocationsPerOperation(iterations: 10_000) { n in
            for _ in 0..<n { blackHole(try? await operation()) }
        }
    }
}
