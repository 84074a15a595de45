import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// `fusebox-bench idle`: the console's CPU while it idles in a real terminal, beside htop in the
/// same run. Needs tmux and htop; run it alone on a quiet machine (it takes about 70 s).
///
/// Two tmux sessions start at once: the release `fusebox` over 488 simulated dependencies (500 in
/// all) at a 1 s interval, with the simulator's traffic at 0.2 requests/s so it costs next to
/// nothing, and `htop -d 10` (a 1 s refresh). After a 10 s warm-up, utime+stime of each process
/// are read from /proc over the measuring window. The console's own cost is its `fusebox-ui`
/// thread (folding polls, rendering, drawing, reading keys); the rest of the process is the
/// simulator and its snapshots, which a remote source would spend on its own machine.
enum IdleBenchmark {
    static func run(seconds: Int) -> [Result] {
        guard let tmux = which("tmux"), let htop = which("htop") else {
            return [Result(name: "console.idle", value: 0, unit: "%", note: "skipped: needs tmux and htop installed")]
        }
        let binary = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
            .appendingPathComponent("fusebox").path
        guard FileManager.default.isExecutableFile(atPath: binary) else {
            return [Result(name: "console.idle", value: 0, unit: "%", note: "skipped: no fusebox beside fusebox-bench")]
        }
        let socket = "fusebox-idle-\(getpid())"
        defer { _ = shell(tmux, ["-L", socket, "kill-server"]) }
        let console = "exec env TERM=tmux-256color \(binary) --dependencies 488 --rate 0.2 --interval 1"
        _ = shell(tmux, ["-L", socket, "new-session", "-d", "-s", "c", "-x", "160", "-y", "50", console])
        _ = shell(tmux, ["-L", socket, "new-session", "-d", "-s", "h", "-x", "160", "-y", "50", "exec \(htop) -d 10"])
        sleep(10)
        guard let consolePID = panePID(tmux, socket, "c"), let htopPID = panePID(tmux, socket, "h") else {
            return [Result(name: "console.idle", value: 0, unit: "%", note: "skipped: a session did not start")]
        }
        let start = (now(), ticks(consolePID), ticks(htopPID), threadTicks(consolePID, named: "fusebox-ui"))
        sleep(UInt32(seconds))
        let end = (now(), ticks(consolePID), ticks(htopPID), threadTicks(consolePID, named: "fusebox-ui"))
        let wall = Double(end.0 - start.0) / 1e9
        let hertz = Double(sysconf(Int32(_SC_CLK_TCK)))
        func percent(_ a: Int, _ b: Int) -> Double { Double(b - a) / hertz / wall * 100 }
        let process = percent(start.1, end.1)
        let htopPercent = percent(start.2, end.2)
        let ui = percent(start.3, end.3)
        let baseline = "htop -d 10 (1 s refresh), same run"
        return [
            Result(
                name: "console.idle.ui_thread_500_dependencies", value: ui, unit: "% of a core", baseline: baseline,
                baselineValue: htopPercent, target: "<= 1%", meetsTarget: ui <= 1,
                note: "the console's own cost over \(seconds) s"),
            Result(
                name: "console.idle.process_500_dependencies", value: process, unit: "% of a core",
                baseline: baseline, baselineValue: htopPercent,
                note: "console plus the embedded simulator and its snapshots"),
        ]
    }

    static func which(_ program: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return path.split(separator: ":").map { "\($0)/\(program)" }.first {
            FileManager.default.isExecutableFile(atPath: $0)
        }
    }

    /// Runs a program to its end with posix_spawn; with `capture`, returns its output (read from a
    /// file, not a pipe: a tmux server the command starts would hold a pipe open for good).
    @discardableResult
    static func shell(_ executable: String, _ arguments: [String], capture: Bool = false) -> String {
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("fusebox-idle-\(UUID()).out").path
        defer { unlink(output) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(
            &actions, 1, capture ? output : "/dev/null", O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        let argv: [UnsafeMutablePointer<CChar>?] = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        guard posix_spawn(&pid, executable, &actions, nil, argv, environ) == 0 else { return "" }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        return capture ? ((try? String(contentsOfFile: output, encoding: .utf8)) ?? "") : ""
    }

    static func panePID(_ tmux: String, _ socket: String, _ session: String) -> Int32? {
        let output = shell(tmux, ["-L", socket, "list-panes", "-t", session, "-F", "#{pane_pid}"], capture: true)
        return Int32(output.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    /// utime + stime of a process or thread, in clock ticks, from a `stat` file.
    static func ticks(statFile path: String) -> Int {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8),
            let close = text.lastIndex(of: ")")
        else { return 0 }
        // Fields after the command name; utime and stime are the 14th and 15th of the whole line.
        let fields = text[text.index(after: close)...].split(separator: " ")
        guard fields.count > 13, let user = Int(fields[11]), let system = Int(fields[12]) else { return 0 }
        return user + system
    }

    static func ticks(_ pid: Int32) -> Int { ticks(statFile: "/proc/\(pid)/stat") }

    static func threadTicks(_ pid: Int32, named name: String) -> Int {
        let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task")) ?? []
        return tasks.filter { task in
            let comm = (try? String(contentsOfFile: "/proc/\(pid)/task/\(task)/comm", encoding: .utf8)) ?? ""
            return comm.trimmingCharacters(in: .whitespacesAndNewlines) == name
        }.reduce(0) { $0 + ticks(statFile: "/proc/\(pid)/task/\($1)/stat") }
    }
}
