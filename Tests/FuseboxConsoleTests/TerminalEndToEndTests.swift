import Foundation
import Testing

/// The real `fusebox` binary in a real terminal: tmux sessions driven with send-keys and read
/// with capture-pane. Needs tmux (`.ci/run` installs it).
@Suite(.serialized) struct TerminalEndToEndTests {
    static let socket = "fusebox-e2e-\(getpid())"

    static var binary: String {
        let beside = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
            .appendingPathComponent("fusebox").path
        if FileManager.default.isExecutableFile(atPath: beside) { return beside }
        return URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent(".build/debug/fusebox").path
    }

    struct Run {
        var status: Int32
        var output: String
        var errors: String
    }

    @discardableResult
    static func run(_ executable: String, _ arguments: [String], environment: [String: String]? = nil) async throws
        -> Run
    {
        let result = try await spawnAndWait([executable] + arguments, environment: environment)
        return Run(status: result.status, output: result.output, errors: result.errors)
    }

    static func tmux(_ arguments: String...) async throws -> String {
        try await tmux(arguments)
    }

    static func tmux(_ arguments: [String]) async throws -> String {
        try await run("tmux", ["-L", socket] + arguments).output
    }

    /// A console in a detached tmux session; `stty -g` is saved before and after it runs. The test
    /// runner's own NO_COLOR is dropped, so each session sets exactly the environment it names.
    struct Session {
        let name: String
        let directory: URL

        init(
            _ name: String, width: Int = 120, height: Int = 40, arguments: String = "", environment: String = ""
        ) async throws {
            self.name = name
            directory = FileManager.default.temporaryDirectory.appendingPathComponent("fusebox-e2e-\(name)-\(getpid())")
            try? FileManager.default.removeItem(at: directory)
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            let d = directory.path
            let script =
                "stty -g > \(d)/before; env -u NO_COLOR TERM=tmux-256color \(environment)"
                + " \(TerminalEndToEndTests.binary) \(arguments); echo $? > \(d)/exit; stty -g > \(d)/after; sleep 120"
            _ = try await TerminalEndToEndTests.tmux(
                "new-session", "-d", "-s", name, "-x", "\(width)", "-y", "\(height)", script)
        }

        func screen() async throws -> String { try await TerminalEndToEndTests.tmux("capture-pane", "-p", "-t", name) }

        func keys(_ keys: String...) async throws {
            _ = try await TerminalEndToEndTests.tmux(["send-keys", "-t", name] + keys)
        }

        func type(_ text: String) async throws {
            _ = try await TerminalEndToEndTests.tmux("send-keys", "-t", name, "-l", text)
        }

        /// Waits until the screen satisfies `condition`; returns the screen.
        @discardableResult
        func waitFor(
            _ what: String, seconds: Double = 20, _ condition: (String) -> Bool
        ) async throws -> String {
            let deadline = Date().addingTimeInterval(seconds)
            var last = ""
            while Date() < deadline {
                last = try await screen()
                if condition(last) { return last }
                try await Task.sleep(nanoseconds: 200_000_000)
            }
            Issue.record("timed out waiting for \(what); screen was:\n\(last)")
            return last
        }

        func waitFor(_ text: String, seconds: Double = 20) async throws {
            try await waitFor("'\(text)'", seconds: seconds) { $0.contains(text) }
        }

        /// The exit status once the console has ended, and whether the terminal settings came back.
        func ended(seconds: Double = 10) async throws -> (status: String?, settingsRestored: Bool) {
            let deadline = Date().addingTimeInterval(seconds)
            let exit = directory.appendingPathComponent("exit")
            while Date() < deadline && !FileManager.default.fileExists(atPath: exit.path) {
                try await Task.sleep(nanoseconds: 100_000_000)
            }
            try await Task.sleep(nanoseconds: 200_000_000)
            let status = try? String(contentsOf: exit, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
            let before = try? String(contentsOf: directory.appendingPathComponent("before"), encoding: .utf8)
            let after = try? String(contentsOf: directory.appendingPathComponent("after"), encoding: .utf8)
            return (status, before != nil && before == after)
        }

        func close() async { _ = try? await TerminalEndToEndTests.tmux("kill-session", "-t", name) }
    }

    @Test func anOperatorSessionFromOpenBreakerToForcedOpen() async throws {
        let session = try await Session("main")
        // The default scenario trips a breaker within seconds.
        try await session.waitFor("a breaker reaching OPEN", seconds: 40) { screen in
            screen.split(separator: "\n").dropFirst(2).contains { $0.contains(" OPEN ") }
        }
        try await session.keys("?")
        try await session.waitFor("HELP: overview")
        try await session.keys("Escape")
        try await session.waitFor("DEPENDENCY")

        try await session.keys("/")
        try await session.type("payments")
        try await session.keys("Enter")
        try await session.waitFor("only payments rows") { screen in
            let rows = screen.split(separator: "\n").dropFirst(2).filter { $0.hasPrefix("  ") || $0.hasPrefix("▲") }
            return !rows.isEmpty && rows.allSatisfy { $0.contains("payments") }
        }

        try await session.keys("o")
        try await session.waitFor("Force open payments")
        try await session.waitFor("[ Cancel ]")
        try await session.keys("Tab", "Tab")
        try await session.type("e2e drill")
        try await session.keys("Tab")
        try await session.type("payments")
        try await session.keys("Tab", "Tab", "Enter")
        try await session.waitFor("FORCED-OPEN", seconds: 10)
        try await session.waitFor("applied: 'payments'", seconds: 10)

        _ = try await Self.tmux("resize-window", "-t", session.name, "-x", "60", "-y", "15")
        let small = try await session.waitFor("a 60x15 layout") { screen in
            let lines = screen.split(separator: "\n", omittingEmptySubsequences: false)
            return screen.contains("Fusebox") && lines.count <= 16 && lines.allSatisfy { $0.count <= 60 }
        }
        #expect(small.contains("FORCED-OPEN"))

        try await session.keys("q")
        let (status, restored) = try await session.ended()
        await session.close()
        #expect(status == "0")
        #expect(restored, "stty settings restored after q")
    }

    @Test func ctrlCAndSigtermRestoreTheTerminal() async throws {
        let interrupted = try await Session("ctrlc", arguments: "--seed 4241")
        try await interrupted.waitFor("DEPENDENCY")
        try await interrupted.keys("C-c")
        let (status, restored) = try await interrupted.ended()
        await interrupted.close()
        #expect(status != nil, "the console ended on Ctrl-C")
        #expect(restored, "stty settings restored after Ctrl-C")

        let terminated = try await Session("sigterm", arguments: "--seed 4242")
        try await terminated.waitFor("DEPENDENCY")
        try await Self.run("pkill", ["-TERM", "-f", "fusebox --seed 4242"])
        let (termStatus, termRestored) = try await terminated.ended()
        await terminated.close()
        #expect(termStatus == "0", "a clean exit after SIGTERM")
        #expect(termRestored, "stty settings restored after SIGTERM")
    }

    @Test func aNonUTF8LocaleDrawsASCII() async throws {
        let session = try await Session("ascii", arguments: "--seed 4243", environment: "LC_ALL=C LANG=C")
        let screen = try await session.waitFor("an ASCII header") { $0.contains("Fusebox | sim:partial-outage |") }
        #expect(!screen.contains("│"))
        try await session.keys("q")
        let (status, restored) = try await session.ended()
        await session.close()
        #expect(status == "0" && restored)
    }

    /// Whether any SGR escape in `capture` sets a foreground or background colour.
    static func setsColour(_ capture: String) -> Bool {
        capture.components(separatedBy: "\u{1B}[").dropFirst().contains { sequence in
            guard let end = sequence.firstIndex(of: "m") else { return false }
            return sequence[..<end].split(separator: ";").compactMap { Int($0) }.contains {
                (30...38).contains($0) || (40...48).contains($0) || (90...97).contains($0) || (100...107).contains($0)
            }
        }
    }

    @Test func noColorDrawsWithoutColour() async throws {
        let session = try await Session("nocolor", arguments: "--seed 4244", environment: "NO_COLOR=1")
        try await session.waitFor("DEPENDENCY")
        let styled = try await Self.tmux("capture-pane", "-p", "-e", "-t", session.name)
        // Attributes (bold, reverse) remain; no foreground or background colour is ever set.
        #expect(styled.contains("\u{1B}["), "the capture carries attributes")
        #expect(!Self.setsColour(styled), "no colour under NO_COLOR")
        try await session.keys("q")
        let (status, restored) = try await session.ended()
        await session.close()
        #expect(status == "0" && restored)

        let coloured = try await Session("colour", arguments: "--seed 4245")
        try await coloured.waitFor("DEPENDENCY")
        let withColour = try await Self.tmux("capture-pane", "-p", "-e", "-t", coloured.name)
        #expect(Self.setsColour(withColour), "colour without NO_COLOR")
        try await coloured.keys("q")
        _ = try await coloured.ended()
        await coloured.close()
    }

    @Test func noUsableTerminalSaysWhatToUseInstead() async throws {
        for term in ["dumb", ""] {
            var environment = ProcessInfo.processInfo.environment
            environment["TERM"] = term
            let run = try await Self.run(Self.binary, [], environment: environment)
            #expect(run.status == 1)
            #expect(
                run.errors.hasSuffix("plain output\n") && run.errors.filter { $0 == "\n" }.count == 1,
                "one line: \(run.errors)")
            #expect(run.errors.contains("fusebox status --source SPEC"))
        }
    }
}
