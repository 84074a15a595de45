import Fusebox
import FuseboxSimulator
import Logging

enum SimulatorBenchmarks {
    static func run(scale: Double, filter: @Sendable (String) -> Bool) async throws -> [Result] {
        let logger = Logger(label: "bench", factory: { _ in SwiftLogNoOpLogHandler() })
        var results: [Result] = []
        if filter("simulator.virtual_time") {
            // The default scenario, one whole pass, on the virtual clock.
            let seconds = Int(Scenario.defaultScenario.durationSeconds)
            let clock = ManualClock()
            let simulation = try Simulation(configuration: SimulationConfiguration(), clock: clock, logger: logger)
            let start = now()
            try await VirtualTime.run(clock: clock) { await simulation.run(for: .seconds(seconds)) }
            let elapsed = Double(now() - start) / 1e9
            let requests = simulation.services[0].requestCounts.requests
            results.append(
                Result(
                    name: "simulator.virtual_time.partial_outage_full_pass", value: elapsed * 1000, unit: "ms",
                    baseline: "simulated time", baselineValue: Double(seconds) * 1000,
                    note: "\(requests) requests, \(Int(Double(seconds) / elapsed))x faster than real time"))
        }
        if filter("simulator.realtime") {
            // The default scenario at the default rate on the wall clock: CPU time over wall time.
            let seconds = max(3, Int(20 * scale))
            // Let timers left by earlier benchmarks (cancelled timeouts still fire, as no-ops) drain.
            try await Task.sleep(nanoseconds: 2_000_000_000)
            let idleCPU = processCPUNanoseconds()
            let idleStart = now()
            try await Task.sleep(nanoseconds: UInt64(seconds) * 1_000_000_000)
            let idleShare = Double(processCPUNanoseconds() - idleCPU) / Double(now() - idleStart) * 100
            let simulation = try Simulation(
                configuration: SimulationConfiguration(), clock: SystemClock(), logger: logger)
            let cpu = processCPUNanoseconds()
            let start = now()
            await simulation.run(for: .seconds(seconds))
            let share = Double(processCPUNanoseconds() - cpu) / Double(now() - start) * 100
            results.append(
                Result(
                    name: "simulator.realtime.default_scenario_cpu", value: share, unit: "% of one core",
                    baseline: "same process idle", baselineValue: idleShare, target: "<= 5%", meetsTarget: share <= 5,
                    note: "\(seconds) s at 20 requests/s, \(simulation.services[0].requestCounts.requests) requests"))
        }
        return results
    }
}
