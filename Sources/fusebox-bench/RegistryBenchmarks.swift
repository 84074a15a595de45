import Fusebox
import FuseboxProtocol
import Logging

enum RegistryBenchmarks {
    static func run(scale: Double, filter: @Sendable (String) -> Bool) async throws -> [Result] {
        let logger = Logger(label: "bench", factory: { _ in SwiftLogNoOpLogHandler() })
        var results: [Result] = []
        let count = 1_000
        let registry = FuseboxRegistry(service: "bench", instance: "bench-1", logger: logger)
        var dependencies: [Dependency] = []
        let bytes = try await retainedBytes {
            for i in 0..<count {
                var c = DependencyConfiguration(name: "dep-\(i)")
                c.slo = ServiceLevelObjective(successRatio: 0.999)
                let d = try registry.register(c)
                _ = try? await d.execute { i }
                dependencies.append(d)
            }
        }
        if filter("memory") {
            results.append(
                Result(
                    name: "memory.per_dependency", value: Double(bytes) / Double(count), unit: "bytes",
                    note: "count window 100, two HDR histograms (2 digits, 1us..60s), counters, metrics handles"))
        }
        guard filter("snapshot") else { return results }
        // Give every dependency a realistic spread of latencies and outcomes.
        for (i, d) in dependencies.enumerated() {
            for k in 0..<50 {
                _ = try? await d.execute(fallbacks: [.staticDefault(0)]) { () async throws -> Int in
                    if (i + k) % 17 == 0 { throw BenchError() }
                    return k
                }
            }
        }
        let repeats = max(5, Int(50 * scale))
        var best = Double.infinity
        var encoded = 0
        for _ in 0..<repeats {
            let start = now()
            let snapshot = registry.snapshot()
            best = min(best, Double(now() - start) / 1e6)
            encoded = snapshot.dependencies.count
        }
        let one = dependencies[0]
        var bestOne = Double.infinity
        for _ in 0..<(repeats * 20) {
            let start = now()
            blackHole(one.snapshot())
            bestOne = min(bestOne, Double(now() - start) / 1e6)
        }
        results.append(
            Result(
                name: "snapshot.1000_dependencies", value: best, unit: "ms", baseline: "snapshot.1_dependency x 1000",
                baselineValue: bestOne * 1000, target: "<= 5 ms", meetsTarget: best <= 5 && encoded == count))
        return results
    }
}

struct BenchError: Error {}
