import Foundation
import Fusebox
import FuseboxAgent
import FuseboxAgentBackend
import FuseboxBackend
import FuseboxConsole
import FuseboxProtocol
import Logging

/// `fusebox-bench fleet`: what watching a fleet costs the console.
///
/// - Merging: 200 instances × 20 dependencies turned into fleet rows (worst state, summed rates,
///   histograms merged bucket by bucket), beside the same poll without fleets (200 services of one
///   instance each) in the same run.
/// - Polling: 50 real agents with 20 dependencies each, served by a child process (so their work is
///   not counted here) with traffic on every dependency, so every poll is a full snapshot; the
///   console's side polls them all at once every second, updates its state and draws a frame. Its
///   CPU time over wall time is the figure.
enum FleetBenchmarks {
    static func run(quick: Bool) async throws -> [Result] {
        var results = merging(repeats: quick ? 3 : 20)
        results.append(try await polling(agents: 50, dependencies: 20, seconds: quick ? 5 : 30))
        return results
    }

    /// 200 instances of one service (or of 200 services), 20 dependencies each, with histograms.
    static func snapshots(instances: Int, dependencies: Int, oneService: Bool, at: Int64, scale: UInt64) -> [Snapshot] {
        (0..<instances).map { instance in
            let deps = (0..<dependencies).map { index -> DependencySnapshot in
                let calls = scale * UInt64(100 + index + instance)
                let buckets =
                    [1.0, 2.5, 5, 10, 25, 50, 100, 250, 500, 1_000].enumerated().map { position, bound in
                        LatencyBucket(upperBoundMilliseconds: bound, count: calls / UInt64(2 + position))
                    } + [LatencyBucket(upperBoundMilliseconds: nil, count: calls / 50)]
                return DependencySnapshot(
                    name: "dependency-\(index)", criticality: .degradable, metadata: [:],
                    breaker: BreakerSnapshot(
                        state: (index + instance) % 37 == 0 ? .open : .closed, windowKind: .count, windowSize: 100,
                        windowCalls: 100, windowFailures: index % 7, windowSlowCalls: 0, failureRate: Double(index % 7),
                        slowCallRate: 0, failureRateThreshold: 50, slowCallRateThreshold: 100),
                    calls: CallCounts(calls: calls, successes: calls - calls / 20, failures: calls / 20, rejected: 0),
                    retry: RetrySnapshot(attempts: calls, retries: calls / 30),
                    fallbacks: FallbackSnapshot(chain: [], activations: [], unserved: 0, maxStalenessMilliseconds: nil),
                    bulkhead: nil, rateLimiter: nil,
                    latency: LatencySnapshot(count: calls, p50: 4, p90: 40, p99: 400, max: 1_200, buckets: buckets),
                    slo: nil)
            }
            return Snapshot(
                service: oneService ? "checkout" : "service-\(instance)", instance: "checkout-\(instance)",
                takenAtMilliseconds: at, lastEventSequence: 0, degradationLevel: .normal, dependencies: deps, flags: [],
                events: [])
        }
    }

    static func merging(repeats: Int) -> [Result] {
        func poll(oneService: Bool) -> Double {
            let first = Fleet().advanced(
                to: snapshots(instances: 200, dependencies: 20, oneService: oneService, at: 0, scale: 1),
                atMilliseconds: 0)
            let second = snapshots(instances: 200, dependencies: 20, oneService: oneService, at: 1_000, scale: 2)
            var best = Double.infinity
            for _ in 0..<repeats {
                let start = now()
                blackHole(first.advanced(to: second, atMilliseconds: 1_000))
                best = min(best, Double(now() - start) / 1e6)
            }
            return best
        }
        let plain = poll(oneService: false)
        let grouped = poll(oneService: true)
        // The merge alone: 20 fleet rows from 200 instances each.
        let latest = snapshots(instances: 200, dependencies: 20, oneService: true, at: 0, scale: 1)
        var mergeOnly = Double.infinity
        for _ in 0..<repeats {
            let start = now()
            for index in 0..<20 { blackHole(FleetMerge.merged(latest.map { $0.dependencies[index] })) }
            mergeOnly = min(mergeOnly, Double(now() - start) / 1e6)
        }
        return [
            Result(
                name: "fleet.merge_200_instances_x_20", value: mergeOnly, unit: "ms", target: "<= 10 ms",
                meetsTarget: mergeOnly <= 10, note: "20 fleet rows, each merging 200 histograms of 11 buckets"),
            Result(
                name: "fleet.poll_200_instances_x_20", value: grouped, unit: "ms",
                baseline: "the same poll as 200 services of one instance (no fleets)", baselineValue: plain,
                note: "Fleet.advanced: rates, histories and the 20 fleet rows; best of \(repeats)"),
        ]
    }

    /// The console's CPU while it polls `agents` agents every second.
    static func polling(agents: Int, dependencies: Int, seconds: Int) async throws -> Result {
        let child = Process()
        child.executableURL = URL(fileURLWithPath: CommandLine.arguments[0])
        child.arguments = ["serve-agents", "\(agents)", "\(dependencies)"]
        let output = Pipe()
        let input = Pipe()
        child.standardOutput = output
        child.standardInput = input
        try child.run()
        defer {
            child.terminate()
            child.waitUntilExit()
        }
        var line = Data()
        while !line.contains(UInt8(ascii: "\n")) {
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            line.append(chunk)
        }
        let ports =
            String(decoding: line, as: UTF8.self).split(separator: "\n").first?
            .split(separator: " ").dropFirst().compactMap { Int($0) } ?? []
        guard ports.count == agents else {
            return Result(
                name: "fleet.poll_cpu.\(agents)_agents", value: 0, unit: "% of a core",
                note: "skipped: agents did not start")
        }
        let backend = MultiSourceBackend(
            try ports.map { try AgentBackend(specification: "http://127.0.0.1:\($0)", authorization: nil) })
        var state = ConsoleState(
            source: backend.description, readOnly: true, intervalSeconds: 1, width: 200, height: 60)
        // Warm up: connections made, first snapshots read.
        for _ in 0..<2 {
            let snapshots = try await backend.poll()
            _ = update(&state, .data(snapshots, atMilliseconds: wallClockMilliseconds()))
        }
        let cpuStart = processCPUNanoseconds()
        let wallStart = now()
        var polls = 0
        var bytes = 0
        while now() - wallStart < UInt64(seconds) * 1_000_000_000 {
            let tick = now()
            let snapshots = try await backend.poll()
            bytes += snapshots.count
            _ = update(&state, .data(snapshots, atMilliseconds: wallClockMilliseconds()))
            _ = update(&state, .sources(backend.sources, atMilliseconds: wallClockMilliseconds()))
            blackHole(render(state))
            polls += 1
            let spent = now() - tick
            if spent < 1_000_000_000 { try await Task.sleep(for: .nanoseconds(1_000_000_000 - spent)) }
        }
        let share = Double(processCPUNanoseconds() - cpuStart) / Double(now() - wallStart) * 100
        return Result(
            name: "fleet.poll_cpu.\(agents)_agents", value: share, unit: "% of a core", target: "<= 5%",
            meetsTarget: share <= 5,
            note: "\(agents) agents x \(dependencies) dependencies, full snapshots, every 1 s for \(polls) polls; "
                + "poll, update and draw; agents in a child process")
    }

    /// The child: `count` agents of `dependencies` dependencies with traffic, one port each, printed
    /// as `PORTS p1 p2 ...`; runs until its input closes.
    static func serveAgents(count: Int, dependencies: Int) async throws {
        let quiet = Logger(label: "bench", factory: { _ in SwiftLogNoOpLogHandler() })
        var registries: [FuseboxRegistry] = []
        for index in 0..<count {
            let registry = FuseboxRegistry(service: "checkout", instance: "checkout-\(index + 1)", logger: quiet)
            for d in 0..<dependencies { try registry.register(DependencyConfiguration(name: "dependency-\(d)")) }
            registries.append(registry)
        }
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        let all = registries
        try await withThrowingTaskGroup(of: Void.self) { group in
            for registry in all {
                let agent = try FuseboxAgent(registry: registry, configuration: AgentConfiguration(), logger: quiet)
                let server = AgentServer(
                    agent: agent, port: 0, logger: quiet, onListening: { continuation.yield($0.port ?? 0) })
                group.addTask { try await server.run() }
            }
            var found: [Int] = []
            for await port in ports {
                found.append(port)
                if found.count == count { break }
            }
            FileHandle.standardOutput.write(
                Data(("PORTS " + found.map(String.init).joined(separator: " ") + "\n").utf8))
            // Traffic: one call per dependency per instance every second, so every poll sees change.
            group.addTask {
                var round = 0
                while !Task.isCancelled {
                    let current = round
                    for registry in all {
                        for d in 0..<dependencies {
                            let dependency = registry.dependency(named: "dependency-\(d)")!
                            _ = try? await dependency.execute { () async throws -> Int in
                                if (current + d) % 9 == 0 { throw BenchError() }
                                return d
                            }
                        }
                    }
                    round += 1
                    try await Task.sleep(for: .seconds(1))
                }
            }
            // Until the parent closes our input.
            group.addTask {
                while !FileHandle.standardInput.availableData.isEmpty {}
                throw CancellationError()
            }
            try await group.next()
            group.cancelAll()
        }
    }
}
