import Foundation
import FuseboxBackend
import FuseboxPrometheusBackend
import FuseboxProtocol
import FuseboxTestSupport
import Hummingbird
import Logging
import ServiceLifecycle
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The Prometheus backend against a real `prometheus` (Debian's 2.42; `.ci/run` installs it) that
/// scrapes real `fusebox demo-service` processes, and a scrape target serving Resilience4j's metrics.
/// Without a `prometheus` on the PATH the suite records one issue that says so.
@Suite(.serialized) struct PrometheusEndToEndTests {
    static let token = "prom-e2e-token-0123456789abcdef"

    static var prometheus: String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return path.split(separator: ":").map { "\($0)/prometheus" }.first {
            FileManager.default.isExecutableFile(atPath: $0)
        }
    }

    @Test func twoDemoServicesThroughPrometheusAndABreakerForcedOpenOnOneOfThem() async throws {
        guard let prometheus = Self.prometheus else {
            Issue.record("prometheus is not installed (apt-get install prometheus): the end-to-end test did not run")
            return
        }
        let directory = try Self.temporaryDirectory("demo")
        defer { try? FileManager.default.removeItem(at: directory) }
        let tokenFile = directory.appendingPathComponent("token").path
        try (Self.token + "\n").write(toFile: tokenFile, atomically: true, encoding: .utf8)
        var processes: [BackgroundProcess] = []
        do {
            var ports: [Int] = []
            for index in 0..<2 {
                let (service, port) = try await TerminalEndToEndTests.startDemoService(
                    tokenFile: tokenFile, auditLog: directory.appendingPathComponent("audit-\(index).jsonl").path)
                processes.append(service)
                ports.append(port)
            }
            let targets = ports.map { "'127.0.0.1:\($0)'" }.joined(separator: ", ")
            let (server, spec) = try await Self.startPrometheus(
                prometheus, in: directory,
                scrapeConfigs: """
                      - job_name: checkout
                        static_configs:
                          - targets: [\(targets)]
                    """)
            processes.append(server)
            let backend = try PrometheusBackend(specification: spec)
            let instances = ports.map { "127.0.0.1:\($0)" }

            // Both instances, grouped under the job, with traffic counted and the states the agents report.
            let fleet = try await Self.pollUntil("both instances with traffic", backend) { fleet in
                Set(fleet.map(\.instance)) == Set(instances)
                    && fleet.allSatisfy {
                        // Latency needs two scrapes in its window.
                        $0.dependencies.count >= 10 && ($0.dependency(named: "auth")?.calls.calls ?? 0) > 0
                            && ($0.dependency(named: "auth")?.latency.count ?? 0) > 0
                    }
            }
            #expect(fleet.allSatisfy { $0.service == "checkout" })
            for instance in fleet {
                let auth = try #require(instance.dependency(named: "auth"))
                #expect(auth.breaker.state == .closed)
                #expect(auth.calls.successes > 0 && auth.retry.attempts ?? 0 > 0)
                #expect(
                    (auth.latency.count ?? 0) > 0 && auth.latency.p99 != nil && auth.latency.buckets?.isEmpty == false)
                #expect(auth.breaker.windowSize == nil && auth.breaker.halfOpenProbes == nil)
            }
            try await Self.pollUntil("the states the agents report", backend) { fleet in
                var matches = true
                for (instance, port) in zip(instances, ports) {
                    guard let agent = try? await Self.agentSnapshot(port: port),
                        let seen = fleet.first(where: { $0.instance == instance })
                    else { return false }
                    let served = Dictionary(
                        uniqueKeysWithValues: agent.dependencies.map { ($0.name, $0.breaker.state) })
                    let scraped = Dictionary(
                        uniqueKeysWithValues: seen.dependencies.map { ($0.name, $0.breaker.state) })
                    matches = matches && served == scraped
                }
                return matches
            }

            // Forced open on the first instance only, over the agent's own API.
            let command = """
                {"id":"prom-e2e-1","actor":"e2e","reason":"prometheus drill",\
                "action":{"type":"force-open","dependency":"auth"}}
                """
            let sent = try await TerminalEndToEndTests.run(
                "curl",
                [
                    "-s", "--max-time", "10", "http://127.0.0.1:\(ports[0])/fusebox/v1/commands",
                    "-H", "Authorization: Bearer \(Self.token)", "-H", "Content-Type: application/json", "-d", command,
                ])
            #expect(sent.output.contains("\"status\":\"applied\""), "\(sent.output) \(sent.errors)")
            let after = try await Self.pollUntil("auth forced open on the first instance", backend) { fleet in
                fleet.first { $0.instance == instances[0] }?.dependency(named: "auth")?.breaker.state == .forcedOpen
            }
            #expect(after.first { $0.instance == instances[1] }?.dependency(named: "auth")?.breaker.state == .closed)
        } catch {
            for process in processes.reversed() { await process.stop() }
            throw error
        }
        for process in processes.reversed() { await process.stop() }
    }

    @Test func resilience4jMetricsOfTwoInstancesThroughARealPrometheus() async throws {
        guard let prometheus = Self.prometheus else {
            Issue.record("prometheus is not installed (apt-get install prometheus): the end-to-end test did not run")
            return
        }
        let directory = try Self.temporaryDirectory("r4j")
        defer { try? FileManager.default.removeItem(at: directory) }
        try await Self.withScrapeTarget(Self.resilience4jExposition) { port in
            let (server, spec) = try await Self.startPrometheus(
                prometheus, in: directory,
                scrapeConfigs: """
                      - job_name: r4j-exporter
                        honor_labels: true
                        static_configs:
                          - targets: ['127.0.0.1:\(port)']
                    """)
            do {
                let fleet = try await Self.pollUntil(
                    "two Resilience4j instances", try PrometheusBackend(specification: spec)
                ) {
                    $0.count == 2
                }
                #expect(fleet.map(\.instance) == ["orders-1:8080", "orders-2:8080"])
                #expect(fleet.allSatisfy { $0.service == "orders" })
                let healthy = try #require(fleet[0].dependency(named: "inventory"))
                #expect(healthy.breaker.state == .closed && healthy.breaker.failureRate == nil, "-1: too few calls")
                #expect(healthy.calls.successes == 42 && healthy.calls.failures == 3 && healthy.calls.rejected == 0)
                #expect(healthy.retry.successesAfterRetry == 5 && healthy.bulkhead?.inFlight == 2)
                let tripped = try #require(fleet[1].dependency(named: "inventory"))
                #expect(tripped.breaker.state == .open && tripped.breaker.failureRate == 62.5)
                #expect(tripped.calls.rejected == 17)
                #expect(fleet[1].dependency(named: "pricing")?.breaker.state == .forcedOpen)
            } catch {
                await server.stop()
                throw error
            }
            await server.stop()
        }
    }

    // MARK: - Helpers

    static func resilience4jExposition() -> String {
        var lines = ["# TYPE resilience4j_circuitbreaker_state gauge"]
        let breakers = [
            ("orders-1:8080", "inventory", "closed"), ("orders-2:8080", "inventory", "open"),
            ("orders-1:8080", "pricing", "closed"), ("orders-2:8080", "pricing", "forced_open"),
        ]
        for (instance, name, current) in breakers {
            for state in ["closed", "open", "half_open", "forced_open", "disabled", "metrics_only"] {
                lines.append(
                    #"resilience4j_circuitbreaker_state{job="orders",instance="\#(instance)",name="\#(name)",state="\#(state)"} \#(state == current ? "1.0" : "0.0")"#
                )
            }
        }
        func line(_ metric: String, _ instance: String, _ extra: String, _ value: String) -> String {
            #"\#(metric){job="orders",instance="\#(instance)",name="inventory"\#(extra)} \#(value)"#
        }
        lines += [
            line("resilience4j_circuitbreaker_failure_rate", "orders-1:8080", "", "-1.0"),
            line("resilience4j_circuitbreaker_failure_rate", "orders-2:8080", "", "62.5"),
            line("resilience4j_circuitbreaker_calls_seconds_count", "orders-1:8080", #",kind="successful""#, "42"),
            line("resilience4j_circuitbreaker_calls_seconds_count", "orders-1:8080", #",kind="failed""#, "3"),
            line("resilience4j_circuitbreaker_calls_seconds_count", "orders-2:8080", #",kind="failed""#, "50"),
            line(
                "resilience4j_circuitbreaker_not_permitted_calls_total", "orders-2:8080", #",kind="not_permitted""#,
                "17"),
            line("resilience4j_retry_calls_total", "orders-1:8080", #",kind="successful_with_retry""#, "5"),
            line("resilience4j_bulkhead_max_allowed_concurrent_calls", "orders-1:8080", "", "10"),
            line("resilience4j_bulkhead_available_concurrent_calls", "orders-1:8080", "", "8"),
        ]
        return lines.joined(separator: "\n") + "\n"
    }

    static func temporaryDirectory(_ name: String) throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "fusebox-prom-\(name)-\(getpid())-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory
    }

    /// Starts Prometheus with a 1 s scrape interval over `scrapeConfigs`; returns it once it is ready.
    static func startPrometheus(_ executable: String, in directory: URL, scrapeConfigs: String) async throws -> (
        BackgroundProcess, String
    ) {
        let config = directory.appendingPathComponent("prometheus.yml").path
        try """
        global:
          scrape_interval: 1s
          evaluation_interval: 1s
        scrape_configs:
        \(scrapeConfigs)

        """.write(toFile: config, atomically: true, encoding: .utf8)
        let port = try closedPort()
        let server = try BackgroundProcess([
            executable, "--config.file=\(config)",
            "--storage.tsdb.path=\(directory.appendingPathComponent("tsdb").path)",
            "--web.listen-address=127.0.0.1:\(port)", "--log.level=warn",
        ])
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline {
            let ready = try await TerminalEndToEndTests.run(
                "curl",
                ["-s", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "2", "http://127.0.0.1:\(port)/-/ready"])
            if ready.output == "200" { return (server, "prometheus+http://127.0.0.1:\(port)") }
            try await Task.sleep(for: .milliseconds(200))
        }
        let output = server.output
        await server.stop(SIGKILL)
        throw TerminalEndToEndTests.SessionError(description: "prometheus was not ready in 30 s: \(output.suffix(500))")
    }

    /// Polls every half second until `condition` holds (30 s at most); returns that fleet.
    @discardableResult
    static func pollUntil(
        _ what: String, _ backend: PrometheusBackend, seconds: Int = 30, _ condition: ([Snapshot]) async -> Bool
    ) async throws -> [Snapshot] {
        let deadline = ContinuousClock.now + .seconds(seconds)
        var last = "no poll yet"
        while ContinuousClock.now < deadline {
            do {
                let fleet = try await backend.poll()
                if await condition(fleet) { return fleet }
                last = fleet.map { "\($0.service)/\($0.instance): \($0.dependencies.count) dependencies" }
                    .joined(separator: ", ")
            } catch {
                last = error.message
            }
            try await Task.sleep(for: .milliseconds(500))
        }
        throw TerminalEndToEndTests.SessionError(description: "no \(what) within \(seconds) s; last: \(last)")
    }

    static func agentSnapshot(port: Int) async throws -> Snapshot {
        let answer = try await TerminalEndToEndTests.run(
            "curl", ["-s", "--max-time", "5", "http://127.0.0.1:\(port)/fusebox/v1/snapshot?events_after=999999999"])
        return try JSONDecoder().decode(Snapshot.self, from: Data(answer.output.utf8))
    }

    /// A Hummingbird server on loopback serving `exposition()` at /metrics in the text format.
    static func withScrapeTarget(
        _ exposition: @escaping @Sendable () -> String, _ body: (Int) async throws -> Void
    ) async throws {
        let router = Router()
        router.get("/metrics") { _, _ -> Response in
            Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4"],
                body: ResponseBody(byteBuffer: ByteBuffer(string: exposition())))
        }
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        let application = Application(
            router: router, configuration: ApplicationConfiguration(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { continuation.yield($0.localAddress?.port ?? 0) },
            logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
        // Stopped gracefully, never cancelled: Prometheus keeps scraping it, and cancelling a server
        // while a connection opens traps in NIO (apple/swift-nio#3481).
        let services = ServiceGroup(
            services: [application], logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await services.run() }
            var iterator = ports.makeAsyncIterator()
            guard let port = await iterator.next() else { throw CancellationError() }
            var failure: (any Error)?
            do { try await body(port) } catch { failure = error }
            await services.triggerGracefulShutdown()
            try await group.waitForAll()
            if let failure { throw failure }
        }
    }
}
