import CoreMetrics
import Fusebox
import FuseboxProtocol
import InMemoryLogging
import Logging
import MetricsTestKit
import Testing

@Suite(.timeLimit(.minutes(2))) struct ObservabilityTests {
    @Test func transitionsAndFallbacksAreLoggedWithRates() async throws {
        let handler = InMemoryLogHandler()
        let logger = Logger(label: "test", factory: { _ in handler })
        let clock = ManualClock()
        let registry = FuseboxRegistry(
            service: "checkout", instance: "i", clock: clock, random: SeededRandom(seed: 1), logger: logger)
        var c = DependencyConfiguration(name: "search")
        c.retry = .disabled
        c.breaker.minimumCalls = 2
        let d = try registry.register(c)
        for _ in 0..<3 {
            _ = try await d.execute(fallbacks: [.staticDefault(0)]) { () async throws -> Int in throw DownstreamError()
            }
        }
        let entries = handler.entries
        let transition = entries.first { $0.message.description.contains("closed -> open") }
        #expect(transition?.level == .warning)
        #expect(transition?.metadata["failure_rate"]?.description == "100.0%")
        #expect(transition?.metadata["dependency"]?.description == "search")
        #expect(transition?.metadata["service"]?.description == "checkout")
        let fallback = entries.first { $0.message.description == "fallback served" }
        #expect(fallback?.metadata["reason"]?.description == "error")
        #expect(fallback?.metadata["failure_rate"] != nil)
    }

    @Test func commandsAreLoggedWithoutLeakingAnythingButTheirFields() throws {
        let handler = InMemoryLogHandler()
        let registry = FuseboxRegistry(
            service: "s", instance: "i", clock: ManualClock(), logger: Logger(label: "t", factory: { _ in handler }))
        try registry.register(DependencyConfiguration(name: "payments"))
        _ = registry.apply(
            Command(id: "c1", actor: "alice", reason: "flapping", action: .forceOpen(dependency: "payments")))
        let entry = handler.entries.first { $0.message.description == "operator command applied" }
        #expect(entry?.metadata["actor"]?.description == "\"alice\"", "free text is quoted in logs")
        #expect(entry?.metadata["after"]?.description == "forced-open")
    }

    @Test func metricsCountCallsRejectionsAndFallbacks() async throws {
        let metrics = TestMetrics()
        try await withMetricsFactory(metrics) {
            let registry = makeRegistry()
            var c = DependencyConfiguration(name: "pricing")
            c.retry = .disabled
            c.breaker.minimumCalls = 2
            let d = try registry.register(c)
            _ = try await d.execute { 1 }
            for _ in 0..<3 {
                _ = try await d.execute(fallbacks: [.staticDefault(0)]) { () async throws -> Int in
                    throw DownstreamError()
                }
            }
            let success = try metrics.expectCounter(
                "fusebox_calls_total", [("dependency", "pricing"), ("outcome", "success")])
            #expect(success.totalValue == 1)
            // success, failure (50% of 2 calls trips the breaker), then two rejections.
            let failure = try metrics.expectCounter(
                "fusebox_calls_total", [("dependency", "pricing"), ("outcome", "failure")])
            #expect(failure.totalValue == 1)
            let rejected = try metrics.expectCounter(
                "fusebox_rejections_total", [("dependency", "pricing"), ("reason", "breaker-open")])
            #expect(rejected.totalValue == 2)
            let fallbacks = try metrics.expectCounter(
                "fusebox_fallbacks_total",
                [
                    ("dependency", "pricing"), ("fallback", "static-default"), ("kind", "static-default"),
                    ("reason", "error"),
                ])
            #expect(fallbacks.totalValue == 1)
            let openFallbacks = try metrics.expectCounter(
                "fusebox_fallbacks_total",
                [
                    ("dependency", "pricing"), ("fallback", "static-default"), ("kind", "static-default"),
                    ("reason", "breaker-open"),
                ])
            #expect(openFallbacks.totalValue == 2)
            let code = try metrics.expectGauge("fusebox_breaker_state_code", [("dependency", "pricing")])
            #expect(code.lastValue == 1, "1 = open")
            // One series per state: 1 for the current state, 0 for the one it left.
            let open = try metrics.expectGauge("fusebox_breaker_state", [("dependency", "pricing"), ("state", "open")])
            let closed = try metrics.expectGauge(
                "fusebox_breaker_state", [("dependency", "pricing"), ("state", "closed")])
            #expect(open.lastValue == 1 && closed.lastValue == 0)
            let timer = try metrics.expectTimer("fusebox_attempt_duration_seconds", [("dependency", "pricing")])
            #expect(timer.values.count == 2)
        }
    }
}
