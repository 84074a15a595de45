import Foundation

#if canImport(Glibc)
    import Glibc
#endif

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
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
    posix_spawn_file_actions_addopen(&actions, 1, base + ".out", O_WRONLY | O_CREAT | O_TRUNC, 0o600)
    posix_spawn_file_actions_addopen(&actions, 2, base + ".err", O_WRONLY | O_CREAT | O_TRUNC, 0o600)
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
    var status: Int32 = 0
    while true {
        let reaped = waitpid(pid, &status, WNOHANG)
        if reaped == pid { break }
        if reaped == -1 && errno != EINTR { break }
        try? await Task.sleep(nanoseconds: 5_000_000)
    }
    let exited = (status & 0x7f) == 0
    let code = exited ? (status >> 8) & 0xff : 128 + (status & 0x7f)
    let output = (try? String(contentsOfFile: base + ".out", encoding: .utf8)) ?? ""
    let errors = (try? String(contentsOfFile: base + ".err", encoding: .utf8)) ?? ""
    return (code, output, errors)
}
