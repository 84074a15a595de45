import MallocInterposerSwift

/// `swift run -c release fusebox-bench [--quick] [FILTER...]`
///
/// Prints one JSON object per result on stdout. Each figure stands beside a baseline measured in
/// the same run, and names the target it is held to. `--quick` runs fewer iterations (for a smoke
/// check, not for figures).
@main
enum FuseboxBench {
    static func main() async throws {
        let arguments = Array(CommandLine.arguments.dropFirst())
        // The mode is the first word that is not an option: `--quick agent` as `agent --quick`.
        let mode = arguments.first { !$0.hasPrefix("--") }
        if arguments.contains("--help") || arguments.contains("-h") {
            let usage = [
                "usage: fusebox-bench [--quick] [FILTER...]   (filters match benchmark name prefixes)",
                "       fusebox-bench idle [--quick]   (the console idling beside htop; needs tmux and htop, ~70 s)",
                "       fusebox-bench agent [--quick]  (the snapshot endpoint under wrk; needs wrk and curl, ~70 s)",
                "       fusebox-bench agent-poll [--quick]  (a console polling an agent vs the simulator;"
                    + " needs tmux, ~45 s)",
                "       fusebox-bench fleet [--quick]  (fleet merging; a console polling 50 agents, ~40 s)",
                "       fusebox-bench prometheus [--quick]  (200 instances x 20 dependencies through prometheus, ~40 s)",
                "       fusebox-bench recording [--quick]  (a day of 200 busy dependencies: size, open, seek, cost)",
                "       fusebox-bench pipeline-metrics [--quick]  (the pipeline with and without swift-prometheus,"
                    + " ~30 s)",
            ]
            print(usage.joined(separator: "\n"))
            return
        }
        if mode == "idle" {
            for r in IdleBenchmark.run(seconds: arguments.contains("--quick") ? 10 : 60) { print(r.line) }
            return
        }
        if mode == "agent-poll" {
            for r in AgentPollingBenchmark.run(seconds: arguments.contains("--quick") ? 10 : 30) { print(r.line) }
            return
        }
        if mode == "fleet" {
            for r in try await FleetBenchmarks.run(quick: arguments.contains("--quick")) { print(r.line) }
            return
        }
        if arguments.first == "serve-agents", arguments.count == 3, let count = Int(arguments[1]),
            let dependencies = Int(arguments[2])
        {
            try await FleetBenchmarks.serveAgents(count: count, dependencies: dependencies)
            return
        }
        if mode == "prometheus" {
            for r in try await PrometheusBenchmark.run(refreshes: arguments.contains("--quick") ? 5 : 30) {
                print(r.line)
            }
            return
        }
        if mode == "recording" {
            for r in try RecordingBenchmarks.run(quick: arguments.contains("--quick")) { print(r.line) }
            return
        }
        if arguments.first == "recording-replay", arguments.count == 3, let seeks = Int(arguments[2]) {
            try RecordingBenchmarks.replay(path: arguments[1], seeks: seeks)
            return
        }
        if mode == "pipeline-metrics" {
            for r in await PipelineMetricsBenchmark.run(scale: arguments.contains("--quick") ? 0.05 : 1) {
                print(r.line)
            }
            return
        }
        if mode == "agent" {
            for r in try await AgentBenchmarks.run(seconds: arguments.contains("--quick") ? 2 : 8) { print(r.line) }
            return
        }
        let quick = arguments.contains("--quick")
        let filters = arguments.filter { !$0.hasPrefix("--") }
        let selected: @Sendable (String) -> Bool = { name in
            filters.isEmpty || filters.contains { name.hasPrefix($0) || $0.hasPrefix(name) }
        }
        MallocInterposerSwift.initialize()
        let scale = quick ? 0.05 : 1.0
        var results: [Result] = []
        func emit(_ r: Result) {
            print(r.line)
            results.append(r)
        }
        if selected("breaker") { for r in BreakerBenchmarks.run(scale: scale) { emit(r) } }
        if selected("pipeline") { for r in await PipelineBenchmarks.run(scale: scale, filter: selected) { emit(r) } }
        if selected("console") { for r in ConsoleBenchmarks.run(scale: scale, filter: selected) { emit(r) } }
        if selected("simulator") {
            for r in try await SimulatorBenchmarks.run(scale: scale, filter: selected) { emit(r) }
        }
        if selected("snapshot") || selected("memory") {
            for r in try await RegistryBenchmarks.run(scale: scale, filter: selected) { emit(r) }
        }
        let missed = results.filter { $0.meetsTarget == false }.map(\.name)
        if !missed.isEmpty {
            print("# missed targets: \(missed.joined(separator: ", "))")
        }
    }
}
