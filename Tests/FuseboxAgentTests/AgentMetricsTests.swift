import AsyncHTTPClient
import Foundation
import Fusebox
import FuseboxAgent
import FuseboxProtocol
import Logging
import Metrics
import Prometheus
import Testing

@Suite struct AgentMetricsTests {
    let quiet = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })

    /// Serves metrics from a registry whose runtime wrote to `prometheus` (bound for this task only).
    func exposition(_ exercise: @Sendable (FuseboxRegistry) async throws -> Void) async throws -> String {
        let prometheus = PrometheusCollectorRegistry()
        return try await withMetricsFactory(FuseboxMetricsFactory(registry: prometheus)) {
            let registry = try makeTestRegistry()
            var limited = DependencyConfiguration(name: "inventory")
            limited.bulkhead = BulkheadConfiguration(maxConcurrent: 4)
            limited.rateLimit = RateLimiterConfiguration(ratePerSecond: 10, burst: 5)
            limited.slo = ServiceLevelObjective(successRatio: 0.99)
            try registry.register(limited)
            try await exercise(registry)
            let agent = try FuseboxAgent(registry: registry, metrics: prometheus, logger: quiet)
            return try await withRunningAgent(agent) { running in
                let response = try await running.request(.GET, FuseboxAgent.Path.metrics)
                #expect(response.status == 200)
                #expect(response.headers.first(name: "Content-Type")?.hasPrefix("text/plain; version=0.0.4") == true)
                return response.body
            }
        }
    }

    @Test func exposesBreakerStatesCallsLatencyFallbacksLimitsAndFlags() async throws {
        let text = try await exposition { registry in
            let inventory = try #require(registry.dependency(named: "inventory"))
            _ = try await inventory.execute { 1 }
            _ = try await inventory.execute(fallbacks: [.staticDefault(0)]) { () async throws -> Int in
                throw AgentTestError("down")
            }
            _ = registry.apply(
                Command(id: "m1", actor: "alice", reason: "drill", action: .forceOpen(dependency: "payments")))
        }
        // One series per state, 1 for the current one (as Resilience4j exports it), and the code.
        #expect(text.contains("fusebox_breaker_state{dependency=\"payments\",state=\"forced-open\"} 1"))
        #expect(text.contains("fusebox_breaker_state{dependency=\"payments\",state=\"closed\"} 0"))
        #expect(text.contains("fusebox_breaker_state_code{dependency=\"payments\"} 3"))
        #expect(text.contains("fusebox_calls_total{dependency=\"inventory\",outcome=\"success\"} 1"))
        #expect(text.contains("fusebox_attempt_duration_seconds_bucket{dependency=\"inventory\""))
        #expect(text.contains("fusebox_fallbacks_total{dependency=\"inventory\",fallback=\"static-default\""))
        #expect(text.contains("fusebox_bulkhead_max_concurrent{dependency=\"inventory\"} 4"))
        #expect(text.contains("fusebox_rate_limiter_available_tokens{dependency=\"inventory\"}"))
        #expect(text.contains("fusebox_slo_burn_rate{dependency=\"inventory\"}"))
        #expect(text.contains("fusebox_flag_value{flag=\"recommendations.share\"} 100"))
        #expect(text.contains("# HELP fusebox_calls_total "))
    }

    @Test func promtoolAcceptsTheExposition() async throws {
        guard let promtool = which("promtool") else {
            Issue.record("promtool is not installed (apt-get install prometheus); .ci/run installs it")
            return
        }
        let text = try await exposition { registry in
            let inventory = try #require(registry.dependency(named: "inventory"))
            for _ in 0..<5 { _ = try await inventory.execute { 1 } }
        }
        let input = FileManager.default.temporaryDirectory.appendingPathComponent("metrics-\(UUID()).txt")
        try text.write(to: input, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: input) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: promtool)
        process.arguments = ["check", "metrics"]
        process.standardInput = try FileHandle(forReadingFrom: input)
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        let report = try await offThePool {
            try process.run()
            let report = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            return report
        }
        #expect(process.terminationStatus == 0, "promtool check metrics: \(report)")
    }

    @Test func metricsWithoutARegistryAnswerAProblem() async throws {
        let agent = try FuseboxAgent(registry: try makeTestRegistry(), logger: quiet)
        try await withRunningAgent(agent) { running in
            let response = try await running.request(.GET, FuseboxAgent.Path.metrics)
            #expect(response.status == 404)
            #expect(try problem(response.body).type == "urn:fusebox:problem:metrics-unavailable")
        }
    }
}

/// The full path of an executable on PATH.
func which(_ name: String) -> String? {
    let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
    for directory in path.split(separator: ":") {
        let candidate = "\(directory)/\(name)"
        if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
    }
    return nil
}
