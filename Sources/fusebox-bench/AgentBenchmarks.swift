import Foundation
import Fusebox
import FuseboxAgent
import FuseboxProtocol
import Logging
import NIOCore

/// `fusebox-bench agent`: the snapshot endpoint under `wrk` on the same machine, with 50 and with
/// 1,000 dependencies, and the JSON size per dependency. Needs wrk (apt-get install wrk).
///
/// Each case asks as the console does (`?events_after=` the newest event) and runs for a few
/// seconds with 8 connections: full snapshots at the default sharing (a snapshot is reused for
/// 100 ms, so a burst of pollers costs one), full snapshots with a maximum age of 0 (every request
/// that finds no refresh running takes, tags and encodes a new one; those that arrive during it
/// get the previous one), and conditional requests answered 304.
enum AgentBenchmarks {
    static func run(seconds: Int) async throws -> [Result] {
        guard let wrk = which("wrk") else {
            return [Result(name: "agent.snapshot", value: 0, unit: "req/s", note: "skipped: needs wrk installed")]
        }
        var results: [Result] = []
        for count in [50, 1_000] {
            let registry = try await busyRegistry(dependencies: count)
            let bytes = try JSONEncoder().encode(registry.snapshot(eventLimit: 0)).count
            results.append(
                Result(
                    name: "agent.snapshot_json.\(count)_dependencies", value: Double(bytes) / Double(count) / 1024,
                    unit: "KiB per dependency", target: "<= 1.5 KB", meetsTarget: Double(bytes) / Double(count) <= 1500,
                    note: "\(bytes) bytes in all, no events"))
            for (label, maxAge) in [("shared_100ms", Duration.milliseconds(100)), ("max_age_0", Duration.zero)] {
                let agent = try FuseboxAgent(
                    registry: registry, configuration: AgentConfiguration(snapshotMaxAge: maxAge),
                    logger: Logger(label: "bench", factory: { _ in SwiftLogNoOpLogHandler() }))
                try await serving(agent) { base in
                    // As the console asks: only the events after the last it has.
                    let url = base + FuseboxAgent.Path.snapshot + "?events_after=\(registry.events.lastSequence)"
                    let full = try runWrk(wrk, url: url, seconds: seconds)
                    let target: (String, Bool)? =
                        count == 50
                        ? (">= 2000 req/s", full.requestsPerSecond >= 2000)
                        : ("p99 <= 50 ms", full.p99Milliseconds <= 50)
                    results.append(
                        Result(
                            name: "agent.snapshot_full.\(count)_dependencies.\(label)", value: full.requestsPerSecond,
                            unit: "req/s", target: label == "shared_100ms" ? target?.0 : nil,
                            meetsTarget: label == "shared_100ms" ? target?.1 : nil,
                            note:
                                "p50 \(ms(full.p50Milliseconds)), p99 \(ms(full.p99Milliseconds)); wrk -c8 \(seconds)s")
                    )
                    guard label == "shared_100ms" else { return }
                    let tag = try await etag(url)
                    let cached = try runWrk(wrk, url: url, seconds: seconds, headers: ["If-None-Match: \(tag)"])
                    results.append(
                        Result(
                            name: "agent.snapshot_304.\(count)_dependencies", value: cached.requestsPerSecond,
                            unit: "req/s", baseline: "agent.snapshot_full same size",
                            baselineValue: full.requestsPerSecond,
                            target: count == 50 ? ">= 10000 req/s" : nil,
                            meetsTarget: count == 50 ? cached.requestsPerSecond >= 10_000 : nil,
                            note: "p99 \(ms(cached.p99Milliseconds)); \(cached.non2xx3xx) non-2xx/3xx"))
                }
            }
        }
        return results
    }

    /// A registry of `dependencies` that have each served calls, so histograms and counters are filled.
    static func busyRegistry(dependencies: Int) async throws -> FuseboxRegistry {
        let registry = FuseboxRegistry(
            service: "bench", instance: "bench-1",
            logger: Logger(label: "bench", factory: { _ in SwiftLogNoOpLogHandler() }))
        for i in 0..<dependencies {
            var configuration = DependencyConfiguration(name: "dependency-\(i)")
            configuration.slo = ServiceLevelObjective(successRatio: 0.999)
            configuration.bulkhead = BulkheadConfiguration(maxConcurrent: 20)
            let dependency = try registry.register(configuration)
            for k in 0..<50 {
                _ = try? await dependency.execute(fallbacks: [.staticDefault(0)]) { () async throws -> Int in
                    if (i + k) % 17 == 0 { throw BenchError() }
                    return k
                }
            }
        }
        return registry
    }

    static func serving(_ agent: FuseboxAgent, _ body: (String) async throws -> Void) async throws {
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        let server = AgentServer(
            agent: agent, port: 0, logger: Logger(label: "bench", factory: { _ in SwiftLogNoOpLogHandler() }),
            onListening: { continuation.yield($0.port ?? 0) })
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await server.run() }
            var iterator = ports.makeAsyncIterator()
            guard let port = await iterator.next() else { return }
            try await body("http://127.0.0.1:\(port)")
            group.cancelAll()
        }
    }

    /// The snapshot's current entity tag, read with curl.
    static func etag(_ url: String) async throws -> String {
        guard let curl = which("curl") else { return "\"none\"" }
        let output = try capture(curl, ["-s", "-D", "-", "-o", "/dev/null", url])
        let line = output.split(separator: "\r\n").first { $0.lowercased().hasPrefix("etag:") } ?? ""
        return line.dropFirst(5).trimmingCharacters(in: .whitespaces)
    }

    struct WrkFigures {
        var requestsPerSecond: Double
        var p50Milliseconds: Double
        var p99Milliseconds: Double
        var non2xx3xx: Int
    }

    static func runWrk(_ wrk: String, url: String, seconds: Int, headers: [String] = []) throws -> WrkFigures {
        var arguments = ["-t1", "-c8", "-d\(seconds)s", "--latency"]
        for header in headers { arguments += ["-H", header] }
        let output = try capture(wrk, arguments + [url])
        func number(after prefix: String) -> Double? {
            output.split(separator: "\n").first { $0.trimmingCharacters(in: .whitespaces).hasPrefix(prefix) }
                .flatMap { $0.trimmingCharacters(in: .whitespaces).dropFirst(prefix.count).split(separator: " ").first }
                .flatMap(milliseconds)
        }
        let rate =
            output.split(separator: "\n").first { $0.hasPrefix("Requests/sec:") }
            .flatMap { Double($0.dropFirst("Requests/sec:".count).trimmingCharacters(in: .whitespaces)) } ?? 0
        let non =
            output.split(separator: "\n").first { $0.contains("Non-2xx or 3xx responses:") }
            .flatMap { Int($0.split(separator: ":").last?.trimmingCharacters(in: .whitespaces) ?? "") } ?? 0
        return WrkFigures(
            requestsPerSecond: rate, p50Milliseconds: number(after: "50%") ?? -1,
            p99Milliseconds: number(after: "99%") ?? -1, non2xx3xx: non)
    }

    /// `1.23ms`, `456.00us`, `1.5s` as milliseconds.
    static func milliseconds(_ text: Substring) -> Double? {
        if text.hasSuffix("us") { return Double(text.dropLast(2)).map { $0 / 1000 } }
        if text.hasSuffix("ms") { return Double(text.dropLast(2)) }
        if text.hasSuffix("s") { return Double(text.dropLast(1)).map { $0 * 1000 } }
        return nil
    }

    static func ms(_ value: Double) -> String { String(format: "%.2f ms", value) }

    static func capture(_ executable: String, _ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }

    static func which(_ program: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return path.split(separator: ":").map { "\($0)/\(program)" }.first {
            FileManager.default.isExecutableFile(atPath: $0)
        }
    }
}
