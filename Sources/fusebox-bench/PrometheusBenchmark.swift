import Foundation
import FuseboxPrometheusBackend
import FuseboxProtocol
import Hummingbird
import Logging
import Synchronization

/// `fusebox-bench prometheus`: one refresh of the Prometheus backend over a fleet of 200 instances
/// with 20 dependencies each, against a real `prometheus` (needs it on the PATH; about 40 s).
///
/// One Hummingbird scrape target serves every instance's `fusebox_*` series (explicit `job` and
/// `instance` labels, kept by `honor_labels: true`), counters growing at every scrape; Prometheus
/// scrapes it every 10 s (fleets are scraped every 10–60 s in practice; at 2 s, ingesting these
/// 100,000 series took most of this 2-core machine, and a 1-minute latency window held 30 samples
/// a series, which is not what a refresh meets in production). Once a refresh shows the whole
/// fleet with latency in its window, `N` refreshes are timed one after another: median and max,
/// held to 500 ms.
enum PrometheusBenchmark {
    static let instances = 200
    static let dependencies = 20

    static func run(refreshes: Int) async throws -> [Result] {
        func skipped(_ why: String) -> [Result] {
            [Result(name: "prometheus.refresh_200x20", value: 0, unit: "ms", note: "skipped: \(why)")]
        }
        guard let prometheus = AgentBenchmarks.which("prometheus") else { return skipped("needs prometheus installed") }
        let scrapes = Atomic<Int>(0)
        let router = Router()
        router.get("/metrics") { _, _ -> Response in
            let round = scrapes.add(1, ordering: .relaxed).newValue
            return Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4"],
                body: ResponseBody(byteBuffer: ByteBuffer(string: exposition(round: round))))
        }
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        let application = Application(
            router: router, configuration: ApplicationConfiguration(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { continuation.yield($0.localAddress?.port ?? 0) },
            logger: Logger(label: "bench", factory: { _ in SwiftLogNoOpLogHandler() }))
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await application.run() }
            defer { group.cancelAll() }
            var iterator = ports.makeAsyncIterator()
            guard let targetPort = await iterator.next() else { return skipped("the scrape target did not start") }
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
                "fusebox-bench-prom-\(getpid())")
            try? FileManager.default.removeItem(at: directory)
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: directory) }
            let config = directory.appendingPathComponent("prometheus.yml").path
            try """
            global:
              scrape_interval: 10s
            scrape_configs:
              - job_name: fleet
                honor_labels: true
                scrape_timeout: 8s
                static_configs:
                  - targets: ['127.0.0.1:\(targetPort)']

            """.write(toFile: config, atomically: true, encoding: .utf8)
            let port = 19_500 + Int(getpid() % 400)
            let server = Process()
            server.executableURL = URL(fileURLWithPath: prometheus)
            server.arguments = [
                "--config.file=\(config)", "--storage.tsdb.path=\(directory.appendingPathComponent("tsdb").path)",
                "--web.listen-address=127.0.0.1:\(port)", "--log.level=error",
            ]
            server.standardOutput = FileHandle.nullDevice
            server.standardError = FileHandle.nullDevice
            try server.run()
            defer {
                server.terminate()
                server.waitUntilExit()
            }
            let backend = try PrometheusBackend(
                specification: "prometheus+http://127.0.0.1:\(port)", requestTimeout: .seconds(10))
            // Ready: the whole fleet, with at least two scrapes in the latency window.
            let deadline = ContinuousClock.now + .seconds(90)
            var ready = false
            var last = "no refresh"
            while ContinuousClock.now < deadline {
                let fleet: [Snapshot]
                do {
                    fleet = try await backend.poll()
                } catch {
                    last = "\(error)"
                    try await Task.sleep(for: .milliseconds(500))
                    continue
                }
                last = "\(fleet.count) instances, \(fleet.first?.dependencies.count ?? 0) dependencies on the first"
                if fleet.count == instances,
                    fleet.allSatisfy({ $0.dependencies.count == dependencies }),
                    (fleet.first?.dependencies.first?.latency.count ?? 0) > 0
                {
                    ready = true
                    break
                }
                try await Task.sleep(for: .milliseconds(500))
            }
            guard ready else { return skipped("Prometheus did not show the whole fleet within 90 s; last: \(last)") }
            // What Prometheus itself takes: each query once with curl, the answer discarded.
            var served: [String] = []
            for query in PrometheusBackend.queries {
                let answer =
                    (try? AgentBenchmarks.capture(
                        "/usr/bin/curl",
                        [
                            "-s", "-o", "/dev/null", "-w", "%{time_total} %{size_download}", "-G",
                            "http://127.0.0.1:\(port)/api/v1/query", "--data-urlencode", "query=\(query)",
                        ])) ?? ""
                let parts = answer.split(separator: " ")
                if parts.count == 2, let seconds = Double(parts[0]), let bytes = Double(parts[1]) {
                    served.append("\(Int(seconds * 1000)) ms/\(Int(bytes / 1024)) KiB")
                }
            }
            // A whole refresh: a new backend each time, so nothing is known of the last scrape.
            var full: [Double] = []
            for _ in 0..<refreshes {
                let fresh = try PrometheusBackend(
                    specification: "prometheus+http://127.0.0.1:\(port)", requestTimeout: .seconds(10))
                let start = now()
                blackHole(try await fresh.poll())
                full.append(Double(now() - start) / 1e6)
            }
            // A console's refreshes, one a second: whole after a scrape, one small query between scrapes.
            var console: [Double] = []
            let started = now()
            for _ in 0..<refreshes {
                let start = now()
                blackHole(try await backend.poll())
                let spent = now() - start
                console.append(Double(spent) / 1e6)
                if spent < 1_000_000_000 { try await Task.sleep(for: .nanoseconds(1_000_000_000 - spent)) }
            }
            let seconds = Double(now() - started) / 1e9
            full.sort()
            console.sort()
            let median = full[full.count / 2]
            let worst = full.last ?? 0
            let cpuNote = "curl alone per query: \(served.joined(separator: ", "))"
            return [
                Result(
                    name: "prometheus.refresh_200x20", value: median, unit: "ms (median)", target: "<= 500 ms",
                    meetsTarget: worst <= 500,
                    note:
                        "a whole refresh (5 queries, the last 4 at once): max \(String(format: "%.1f", worst)) ms over "
                        + "\(refreshes); \(instances * dependencies) dependencies; \(cpuNote)"),
                Result(
                    name: "prometheus.console_refresh_200x20", value: console[console.count / 2],
                    unit: "ms (median)", baseline: "a whole refresh", baselineValue: median,
                    note:
                        "one a second for \(String(format: "%.0f", seconds)) s with scrapes every 10 s: max "
                        + "\(String(format: "%.1f", console.last ?? 0)) ms (the refresh after a scrape)"),
            ]
        }
    }

    /// Every instance's series, counters grown by `round`.
    static func exposition(round: Int) -> String {
        var text = ""
        text.reserveCapacity(instances * dependencies * 40 * 110)
        let states = ["closed", "open", "half-open", "forced-open", "disabled", "recovering"]
        let bounds = ["0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1.0", "2.5", "5.0", "10.0", "+Inf"]
        for i in 0..<instances {
            for d in 0..<dependencies {
                let labels = "job=\"fleet\",instance=\"host-\(i):9901\",dependency=\"dependency-\(d)\""
                let calls = 1000 + round * (10 + d)
                let failures = round * (d % 4)
                let current = (i + d) % 37 == 0 ? "open" : "closed"
                for state in states {
                    text += "fusebox_breaker_state{\(labels),state=\"\(state)\"} \(state == current ? 1 : 0)\n"
                }
                text += "fusebox_breaker_state_code{\(labels)} \(current == "open" ? 1 : 0)\n"
                text += "fusebox_calls_total{\(labels),outcome=\"success\"} \(calls)\n"
                text += "fusebox_calls_total{\(labels),outcome=\"failure\"} \(failures)\n"
                text += "fusebox_calls_total{\(labels),outcome=\"bypassed\"} 0\n"
                for reason in [
                    "rate-limited", "bulkhead-full", "breaker-open", "forced-open", "half-open-full", "back-in",
                ] {
                    text +=
                        "fusebox_rejections_total{\(labels),reason=\"\(reason)\"} \(reason == "breaker-open" && current == "open" ? round : 0)\n"
                }
                text += "fusebox_attempts_total{\(labels)} \(calls + failures)\n"
                text += "fusebox_retries_total{\(labels)} \(failures)\n"
                text += "fusebox_retry_budget_denied_total{\(labels)} 0\n"
                text += "fusebox_bulkhead_in_flight{\(labels)} \(d % 3)\n"
                text += "fusebox_bulkhead_waiting{\(labels)} 0\n"
                text += "fusebox_bulkhead_max_concurrent{\(labels)} 16\n"
                text += "fusebox_rate_limiter_available_tokens{\(labels)} 0\n"
                text += "fusebox_slo_burn_rate{\(labels)} 0.5\n"
                text += "fusebox_slo_success_ratio{\(labels)} 0.999\n"
                var cumulative = 0
                for (index, bound) in bounds.enumerated() {
                    cumulative = index == bounds.count - 1 ? calls + failures : min(calls, cumulative + calls / 8)
                    text += "fusebox_attempt_duration_seconds_bucket{\(labels),le=\"\(bound)\"} \(cumulative)\n"
                }
                text += "fusebox_attempt_duration_seconds_sum{\(labels)} \(Double(calls) * 0.08)\n"
                text += "fusebox_attempt_duration_seconds_count{\(labels)} \(calls + failures)\n"
            }
        }
        return text
    }
}
