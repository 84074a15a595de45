import Fusebox
import FuseboxProtocol
import Logging

enum PipelineBenchmarks {
    @inline(never)
    static func downstream() async throws -> Int { 42 }

    static func run(scale: Double, filter: @Sendable (String) -> Bool) async -> [Result] {
        let iterations = max(20_000, Int(2_000_000 * scale))
        let logger = Logger(label: "bench", factory: { _ in SwiftLogNoOpLogHandler() })
        let registry = FuseboxRegistry(service: "bench", instance: "bench-1", logger: logger)
        var plain = DependencyConfiguration(name: "plain")
        plain.retry.maxAttempts = 3
        var timed = DependencyConfiguration(name: "timed")
        timed.attemptTimeout = .seconds(1)
        var full = DependencyConfiguration(name: "full")
        full.bulkhead = BulkheadConfiguration(maxConcurrent: 100)
        full.rateLimit = RateLimiterConfiguration(ratePerSecond: 1e12, burst: 1_000_000)
        full.slo = ServiceLevelObjective(successRatio: 0.999, latencyTarget: .milliseconds(100))
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
                    target: "overhead <= 300 ns", meetsTarget: pipeline - bare <= 300,
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
            let withTimeout = await measure(iterations / 10) {
                blackHole(try? await timedDependency.execute(operation))
            }
            results.append(
                Result(
                    name: "pipeline.success.with_attempt_timeout", value: withTimeout, unit: "ns/op",
                    baseline: "baseline.bare_call", baselineValue: bare,
                    note: "a task group per attempt; overhead \(Int((withTimeout - bare).rounded())) ns"))
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
