import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Starts `arguments` through `/usr/bin/env` with stdin from /dev/null, stdout to the file
/// `output` and stderr to `errors` (or to the same file); returns its pid.
func spawn(_ arguments: [String], environment: [String: String]?, output: String, errors: String?) throws -> pid_t {
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
    posix_spawn_file_actions_addopen(&actions, 1, output, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
    if let errors {
        posix_spawn_file_actions_addopen(&actions, 2, errors, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
    } else {
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
    }
    let argv: [UnsafeMutablePointer<CChar>?] = (["/usr/bin/env"] + arguments).map { strdup($0) } + [nil]
    defer { argv.forEach { free($0) } }
    let env = (environment ?? ProcessInfo.processInfo.environment).map { strdup("\($0.key)=\($0.value)") } + [nil]
    defer { env.forEach { free($0) } }
    var pid: pid_t = 0
    let spawned = posix_spawn(&pid, "/usr/bin/env", &actions, nil, argv, env)
    guard spawned == 0 else {
        throw NSError(
            domain: "spawn", code: Int(spawned), userInfo: [NSLocalizedDescriptionKey: "cannot run \(arguments)"])
    }
    return pid
}

/// The exit code a shell would report for a `waitpid` status: the code, or 128 + the signal.
func exitCode(_ status: Int32) -> Int32 {
    (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
}

/// Runs a program to completion with posix_spawn and waitpid, its output going to files (not
/// pipes: a daemon it starts, like the tmux server, would hold a pipe open forever). Waits by
/// polling, so the calling task does not hold a thread of the concurrency pool.
func spawnAndWait(_ arguments: [String], environment: [String: String]? = nil) async throws -> (
    status: Int32, output: String, errors: String
) {
    let base = FileManager.default.temporaryDirectory.appendingPathComponent("fusebox-spawn-\(UUID().uuidString)").path
    defer {
        unlink(base + ".out")
        unlink(base + ".err")
    }
    let pid = try spawn(arguments, environment: environment, output: base + ".out", errors: base + ".err")
    var status: Int32 = 0
    while true {
        let reaped = waitpid(pid, &status, WNOHANG)
        if reaped == pid { break }
        if reaped == -1 && errno != EINTR { break }
        try? await Task.sleep(nanoseconds: 5_000_000)
    }
    let code = exitCode(status)
    let output = (try? String(contentsOfFile: base + ".out", encoding: .utf8)) ?? ""
    let errors = (try? String(contentsOfFile: base + ".err", encoding: .utf8)) ?? ""
    return (code, output, errors)
}

/// Runs `arguments` every 200 ms on a thread of its own until `condition` holds for the output or
/// `seconds` pass (it runs once more at the deadline); returns whether it held and the last output.
/// A dedicated thread keeps the pace whatever holds the concurrency pool's threads.
func pollOnThread(
    _ arguments: [String], seconds: Double, until condition: @escaping @Sendable (String) -> Bool
) async -> (met: Bool, output: String) {
    await withCheckedContinuation { continuation in
        let thread = Thread {
            let deadline = Date().addingTimeInterval(seconds)
            while true {
                let output = runBlocking(arguments)
                if condition(output) { return continuation.resume(returning: (true, output)) }
                if Date() >= deadline { return continuation.resume(returning: (false, output)) }
                usleep(200_000)
            }
        }
        thread.start()
    }
}

/// Runs a program to completion on the calling thread, blocked in `waitpid`; returns its standard
/// output, or "" when it cannot start.
private func runBlocking(_ arguments: [String]) -> String {
    let base = FileManager.default.temporaryDirectory.appendingPathComponent("fusebox-poll-\(UUID().uuidString)").path
    defer {
        unlink(base + ".out")
        unlink(base + ".err")
    }
    guard let pid = try? spawn(arguments, environment: nil, output: base + ".out", errors: base + ".err") else {
        return ""
    }
    var status: Int32 = 0
    while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
    return (try? String(contentsOfFile: base + ".out", encoding: .utf8)) ?? ""
}

/// A program left running in the background (a demo service), its output going to a file.
final class BackgroundProcess: @unchecked Sendable {
    let pid: pid_t
    let outputPath: String

    /// Starts `arguments` with stdout and stderr to one file.
    init(_ arguments: [String], environment: [String: String]? = nil) throws {
        outputPath =
            FileManager.default.temporaryDirectory.appendingPathComponent("fusebox-bg-\(UUID().uuidString)")
            .path
        let pid = try spawn(arguments, environment: environment, output: outputPath, errors: nil)
        self.pid = pid
    }

    var output: String { (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? "" }

    /// Waits until the output has a line containing `text`; returns that line.
    func waitForLine(containing text: String, seconds: Double = 30) async throws -> String {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if let line = output.split(separator: "\n").first(where: { $0.contains(text) }) { return String(line) }
            try await Task.sleep(nanoseconds: 50_000_000)
        }
        throw NSError(
            domain: "spawn", code: 1,
            userInfo: [NSLocalizedDescriptionKey: "no line with '\(text)' in \(seconds)s; output was: \(output)"])
    }

    /// Sends `signal` and waits for the exit; returns the exit status (128 + signal if killed by it).
    @discardableResult
    func stop(_ signal: Int32 = SIGTERM, seconds: Double = 10) async -> Int32? {
        kill(pid, signal)
        let deadline = Date().addingTimeInterval(seconds)
        var status: Int32 = 0
        while Date() < deadline {
            let reaped = waitpid(pid, &status, WNOHANG)
            if reaped == pid { return exitCode(status) }
            if reaped == -1 && errno != EINTR { return nil }
            try? await Task.sleep(nanoseconds: 20_000_000)
        }
        kill(pid, SIGKILL)
        _ = waitpid(pid, &status, 0)
        return nil
    }

    deinit {
        unlink(outputPath)
    }
}
