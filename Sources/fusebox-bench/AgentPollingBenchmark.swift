import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// `fusebox-bench agent-poll`: what polling a Fusebox agent over HTTP costs the console, beside
/// polling the embedded simulator, in the same run. Needs tmux; about 45 s.
///
/// A release `fusebox demo-service` (50 dependencies, traffic at 0.2 requests/s) runs in one tmux
/// session; two consoles run at a 1 s interval in two more: one on `http://127.0.0.1:PORT`, one on
/// `sim` with the same 50 dependencies and traffic. After a warm-up, utime+stime of each console
/// process are read from /proc. The simulator console also pays for its own snapshots and
/// traffic, so the difference is what the HTTP path adds: the request, the JSON, the decoding.
enum AgentPollingBenchmark {
    static func run(seconds: Int) -> [Result] {
        guard let tmux = IdleBenchmark.which("tmux") else {
            return [Result(name: "console.agent_poll", value: 0, unit: "%", note: "skipped: needs tmux installed")]
        }
        let binary = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
            .appendingPathComponent("fusebox").path
        guard FileManager.default.isExecutableFile(atPath: binary) else {
            return [
                Result(
                    name: "console.agent_poll", value: 0, unit: "%", note: "skipped: no fusebox beside fusebox-bench")
            ]
        }
        let socket = "fusebox-poll-\(getpid())"
        defer { _ = IdleBenchmark.shell(tmux, ["-L", socket, "kill-server"]) }
        let port = 19_000 + Int(getpid() % 1000)
        let load = "--dependencies 38 --rate 0.2"
        func session(_ name: String, _ command: String) {
            _ = IdleBenchmark.shell(
                tmux, ["-L", socket, "new-session", "-d", "-s", name, "-x", "160", "-y", "50", command])
        }
        session("a", "exec \(binary) demo-service --port \(port) \(load)")
        sleep(2)
        session("http", "exec env TERM=tmux-256color \(binary) --source http://127.0.0.1:\(port) --interval 1")
        session("sim", "exec env TERM=tmux-256color \(binary) --source sim \(load) --interval 1")
        sleep(10)
        guard let httpPID = IdleBenchmark.panePID(tmux, socket, "http"),
            let simPID = IdleBenchmark.panePID(tmux, socket, "sim")
        else {
            return [Result(name: "console.agent_poll", value: 0, unit: "%", note: "skipped: a session did not start")]
        }
        let screen = IdleBenchmark.shell(tmux, ["-L", socket, "capture-pane", "-p", "-t", "http"], capture: true)
        guard screen.contains("dependency-") || screen.contains("payments") else {
            return [Result(name: "console.agent_poll", value: 0, unit: "%", note: "skipped: the console shows no data")]
        }
        let start = (now(), IdleBenchmark.ticks(httpPID), IdleBenchmark.ticks(simPID))
        sleep(UInt32(seconds))
        let end = (now(), IdleBenchmark.ticks(httpPID), IdleBenchmark.ticks(simPID))
        let wall = Double(end.0 - start.0) / 1e9
        let hertz = Double(sysconf(Int32(_SC_CLK_TCK)))
        func percent(_ a: Int, _ b: Int) -> Double { Double(b - a) / hertz / wall * 100 }
        let http = percent(start.1, end.1)
        let sim = percent(start.2, end.2)
        return [
            Result(
                name: "console.agent_poll.process_50_dependencies", value: http, unit: "% of a core",
                baseline: "the same console on sim, same run", baselineValue: sim,
                target: "<= baseline + 0.5", meetsTarget: http <= sim + 0.5,
                note: "difference \(String(format: "%.2f", http - sim)) points over \(seconds) s at a 1 s interval")
        ]
    }
}
