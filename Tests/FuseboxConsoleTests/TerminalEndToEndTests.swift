import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The real `fusebox` binary in a real terminal: tmux sessions driven with send-keys and read
/// with capture-pane. Needs tmux (`.ci/run` installs it); without it the suite records one issue
/// that says so and the terminal tests do nothing.
@Suite(.serialized, .endsTmuxServer) struct TerminalEndToEndTests {
    static let socket = "fusebox-e2e-\(getpid())"

    /// Whether a `tmux` executable is on the PATH; looked up once.
    static let tmuxInstalled: Bool = {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return path.split(separator: ":").contains { directory in
            FileManager.default.isExecutableFile(atPath: "\(directory)/tmux")
        }
    }()

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

    /// `text` as one word for `sh`.
    static func shellQuoted(_ text: String) -> String {
        "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }

    /// A failure a session reports by throwing, so the test stops there and its session is cleaned up.
    struct SessionError: Error, CustomStringConvertible {
        var description: String
    }

    /// Runs `body` with a console in a new tmux session, then always ends it: the console by its
    /// pid if it is still running, the tmux session, and the session's temporary directory, also
    /// when `body` throws. Without tmux, does nothing (the suite has recorded why).
    static func withSession(
        _ name: String, width: Int = 120, height: Int = 40, arguments: String = "", environment: String = "",
        jobControl: Bool = false, resume: String = "fg", _ body: (Session) async throws -> Void
    ) async throws {
        guard tmuxInstalled else { return }
        let session = try await Session(
            name, width: width, height: height, arguments: arguments, environment: environment,
            jobControl: jobControl, resume: resume)
        do {
            try await body(session)
        } catch {
            await session.close()
            throw error
        }
        await session.close()
    }

    /// A console in a detached tmux session; `stty -g` is saved before and after it runs, and the
    /// console's pid is recorded (a shell writes its own pid, then execs the console). The test
    /// runner's own NO_COLOR is dropped, so each session sets exactly the environment it names.
    /// `environment` and `arguments` are shell words, spliced in as written.
    ///
    /// With `jobControl` the shell runs the console as a job of its own, as an interactive shell
    /// does, so that Ctrl-Z stops it: the shell then saves the job's status (148) in `stopped` and
    /// the terminal settings in `suspended`, waits for a line (Enter), and continues it with `resume`
    /// (`fg` unless a test says otherwise).
    struct Session {
        let name: String
        let directory: URL

        init(
            _ name: String, width: Int = 120, height: Int = 40, arguments: String = "", environment: String = "",
            jobControl: Bool = false, resume: String = "fg"
        ) async throws {
            self.name = name
            directory = FileManager.default.temporaryDirectory.appendingPathComponent("fusebox-e2e-\(name)-\(getpid())")
            try? FileManager.default.removeItem(at: directory)
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            let quoted = TerminalEndToEndTests.shellQuoted
            let d = directory.path
            let console =
                "echo $$ > \(quoted(d + "/pid")); exec env -u NO_COLOR TERM=tmux-256color \(environment)"
                + " \(quoted(TerminalEndToEndTests.binary)) \(arguments)"
            let suspend =
                jobControl
                ? " echo $? > \(quoted(d + "/stopped")); stty -g > \(quoted(d + "/suspended")); read line; \(resume);"
                : ""
            let script =
                (jobControl ? "set -m; " : "") + "stty -g > \(quoted(d + "/before")); sh -c \(quoted(console));"
                + suspend + " echo $? > \(quoted(d + "/exit")); stty -g > \(quoted(d + "/after")); sleep 120"
            let arguments = [
                "-L", TerminalEndToEndTests.socket, "new-session", "-d", "-s", name, "-x", "\(width)", "-y",
                "\(height)", script,
            ]
            var created = try await TerminalEndToEndTests.run("tmux", arguments)
            // Sessions of other tests end concurrently: the server they leave empty exits, and a session
            // started at that moment fails with "server exited unexpectedly". A new server takes it.
            for _ in 0..<3 where created.status != 0 && created.errors.contains("server exited unexpectedly") {
                try await Task.sleep(nanoseconds: 200_000_000)
                created = try await TerminalEndToEndTests.run("tmux", arguments)
            }
            guard created.status == 0 else {
                try? FileManager.default.removeItem(at: directory)
                throw SessionError(description: "tmux new-session '\(name)' failed: \(created.errors)")
            }
        }

        func screen() async throws -> String { try await TerminalEndToEndTests.tmux("capture-pane", "-p", "-t", name) }

        func keys(_ keys: String...) async throws {
            _ = try await TerminalEndToEndTests.tmux(["send-keys", "-t", name] + keys)
        }

        func type(_ text: String) async throws {
            _ = try await TerminalEndToEndTests.tmux("send-keys", "-t", name, "-l", text)
        }

        /// Waits until the screen satisfies `condition`; returns the screen.
        ///
        /// The pane is read from a thread of its own, not from a task: other suites can keep Swift's
        /// cooperative threads busy for many seconds (CI has two cores), and a task-based loop once
        /// slept through a status line shown for eight. The screen is read once more at the deadline.
        /// - Throws: ``SessionError`` with the last screen when `seconds` pass first.
        @discardableResult
        func waitFor(
            _ what: String, seconds: Double = 20, _ condition: @escaping @Sendable (String) -> Bool
        ) async throws -> String {
            let capture = ["tmux", "-L", TerminalEndToEndTests.socket, "capture-pane", "-p", "-t", name]
            let (met, last) = await pollOnThread(capture, seconds: seconds, until: condition)
            guard met else { throw SessionError(description: "timed out waiting for \(what); screen was:\n\(last)") }
            return last
        }

        func waitFor(_ text: String, seconds: Double = 20) async throws {
            try await waitFor("'\(text)'", seconds: seconds) { $0.contains(text) }
        }

        /// Whether the console has ended (its exit status is written).
        var hasEnded: Bool {
            FileManager.default.fileExists(atPath: directory.appendingPathComponent("exit").path)
        }

        /// The console's process id, as its shell recorded it before exec'ing it.
        func pid(seconds: Double = 10) async throws -> pid_t {
            let deadline = Date().addingTimeInterval(seconds)
            let file = directory.appendingPathComponent("pid")
            while true {
                if let text = try? String(contentsOf: file, encoding: .utf8),
                    let pid = pid_t(text.trimmingCharacters(in: .whitespacesAndNewlines)), pid > 0
                {
                    return pid
                }
                guard Date() < deadline else {
                    throw SessionError(description: "session '\(name)' recorded no console pid in \(seconds)s")
                }
                try await Task.sleep(nanoseconds: 100_000_000)
            }
        }

        /// Sends `signal` to the console (by its pid, never by a name pattern).
        /// - Throws: ``SessionError`` when the console has already ended or `kill` fails.
        func signal(_ signal: Int32) async throws {
            let pid = try await pid()
            guard !hasEnded else { throw SessionError(description: "session '\(name)': the console has already ended") }
            guard kill(pid, signal) == 0 else {
                throw SessionError(description: "kill(\(pid), \(signal)) failed: \(String(cString: strerror(errno)))")
            }
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

        /// The text of a file the session's shell wrote (`stopped`, `suspended`...), if it is there.
        func file(_ name: String) -> String? {
            try? String(contentsOf: directory.appendingPathComponent(name), encoding: .utf8)
        }

        /// Waits until the session's shell has written the file `name`; returns its text.
        func waitForFile(_ name: String, seconds: Double = 10) async throws -> String {
            let deadline = Date().addingTimeInterval(seconds)
            while Date() < deadline {
                // Written by a shell redirection: give it a moment to be complete.
                if file(name) != nil {
                    try await Task.sleep(nanoseconds: 200_000_000)
                    return file(name) ?? ""
                }
                try await Task.sleep(nanoseconds: 100_000_000)
            }
            throw SessionError(description: "session '\(self.name)': no '\(name)' after \(seconds)s")
        }

        /// Whether the pane shows the alternate screen, the cursor, and keypad (application cursor
        /// keys) mode, as tmux tracks them from what the program wrote.
        func modes() async throws -> (alternateScreen: Bool, cursorVisible: Bool, keypad: Bool) {
            let flags = try await TerminalEndToEndTests.tmux(
                "display", "-p", "-t", name, "#{alternate_on} #{cursor_flag} #{keypad_flag}"
            ).split(separator: " ").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
            guard flags.count == 3 else { throw SessionError(description: "tmux display gave \(flags)") }
            return (flags[0] == "1", flags[1] == "1", flags[2] == "1")
        }

        /// Writes `text` to the pane's terminal behind the console's back, as another program
        /// writing to the same terminal would.
        func writeBehindTheConsole(_ text: String) async throws {
            let tty = try await TerminalEndToEndTests.tmux("display", "-p", "-t", name, "#{pane_tty}")
                .trimmingCharacters(in: .whitespacesAndNewlines)
            guard let handle = FileHandle(forWritingAtPath: tty) else {
                throw SessionError(description: "cannot open the pane's terminal '\(tty)'")
            }
            defer { try? handle.close() }
            try handle.write(contentsOf: Data(text.utf8))
        }

        /// Pastes `text` as tmux does when the program asked for bracketed paste (`paste-buffer -p`);
        /// tmux turns line feeds into carriage returns, as a terminal sends them.
        func paste(_ text: String) async throws {
            _ = try await TerminalEndToEndTests.tmux("set-buffer", "-b", "e2e-\(name)", "--", text)
            _ = try await TerminalEndToEndTests.tmux("paste-buffer", "-p", "-d", "-b", "e2e-\(name)", "-t", name)
        }

        /// Ends everything the session started: the console (SIGKILL by pid, if it is still
        /// running), the tmux session, and the temporary directory.
        func close() async {
            if !hasEnded, let pid = try? await pid(seconds: 0), kill(pid, 0) == 0 {
                kill(pid, SIGKILL)
            }
            _ = try? await TerminalEndToEndTests.tmux("kill-session", "-t", name)
            try? FileManager.default.removeItem(at: directory)
        }
    }

    /// The overview's table rows: the lines after the column titles, up to the first empty line.
    static func tableRows(_ screen: String) -> [Substring] {
        let lines = screen.split(separator: "\n", omittingEmptySubsequences: false)
        guard let header = lines.firstIndex(where: { $0.hasPrefix("DEPENDENCY") }) else { return [] }
        return Array(lines[(header + 1)...].prefix { !$0.trimmingCharacters(in: .whitespaces).isEmpty })
    }

    @Test func anOperatorSessionFromOpenBreakerToForcedOpen() async throws {
        try await Self.withSession("main") { session in
            // The default scenario trips a breaker within seconds.
            try await session.waitFor("a breaker reaching OPEN", seconds: 40) { screen in
                Self.tableRows(screen).contains { $0.contains(" OPEN ") }
            }
            try await session.keys("?")
            try await session.waitFor("HELP: overview")
            try await session.keys("Escape")
            try await session.waitFor("DEPENDENCY")

            try await Self.filterToPayments(session)
            try await Self.forceOpenPayments(session, reason: "e2e drill", change: "Change: OPEN → FORCED-OPEN")

            _ = try await Self.tmux("resize-window", "-t", session.name, "-x", "60", "-y", "15")
            let small = try await session.waitFor("a 60x15 layout") { screen in
                // tmux crops the old frame at once; the console's own 60x15 frame ends with its key hints.
                let lines = screen.split(separator: "\n", omittingEmptySubsequences: false)
                let last = lines.last { !$0.trimmingCharacters(in: .whitespaces).isEmpty } ?? ""
                return screen.contains("Fusebox") && lines.count <= 16 && lines.allSatisfy { $0.count <= 60 }
                    && last.hasPrefix("enter details")
            }
            #expect(small.contains("FORCED-OPEN"))

            try await session.keys("q")
            let (status, restored) = try await session.ended()
            #expect(status == "0")
            #expect(restored, "stty settings restored after q")
        }
    }

    /// Filters the overview down to the payments rows (payments and payments-eu).
    static func filterToPayments(_ session: Session) async throws {
        try await session.keys("/")
        try await session.type("payments")
        try await session.keys("Enter")
        try await session.waitFor("only payments rows") { screen in
            let rows = Self.tableRows(screen)
            return !rows.isEmpty && rows.allSatisfy { $0.contains("payments") }
        }
    }

    /// Presses an action key and waits for its dialog. If the cursor moved by itself a moment
    /// before (the data, a filter), the console asks first, as an operator would see: the key
    /// again opens it.
    static func openDialog(_ session: Session, key: String, title: String) async throws {
        try await session.keys(key)
        let answer: String
        do {
            answer = try await session.waitFor("'\(title)', or a question") { screen in
                screen.contains(title) || screen.contains("the cursor just moved to")
            }
        } catch {
            // The question fades after 8 s: a test starved that long before it looked has missed it.
            // Unless the dialog is there after all, the key again opens it.
            if try await session.screen().contains(title) { return }
            try await session.keys(key)
            try await session.waitFor(title)
            return
        }
        if answer.contains(title) { return }
        // The question stays on the status line for 8 s, so only the dialog tells that a press
        // worked; the cursor may move once more meanwhile (then the press asks again).
        for attempt in 1...2 {
            try await session.keys(key)
            do {
                try await session.waitFor(title, seconds: attempt == 1 ? 3 : 20)
                return
            } catch  where attempt == 1 {
                // Drawn late rather than not opened: a third key would land in the dialog.
                if try await session.screen().contains(title) { return }
            }
        }
    }

    /// Forces payments (the selected row) open through the dialog, as an operator does: the
    /// reason, the typed name, Confirm; waits for the result and for the row to say FORCED-OPEN.
    static func forceOpenPayments(_ session: Session, reason: String, change: String? = nil) async throws {
        try await openDialog(session, key: "o", title: "Force open payments")
        // The reason has the focus: typing at once is never lost.
        try await session.type(reason)
        try await session.waitFor("Reason: \(reason)_")
        if let change { try await session.waitFor(change) }
        try await session.keys("Tab")
        try await session.type("payments")
        try await session.keys("Tab", "Tab")
        try await session.waitFor("[ Confirm ]")
        try await session.keys("Enter")
        try await session.waitFor("applied: 'payments'", seconds: 10)
        // The row itself, from the next poll (the status line says FORCED-OPEN sooner).
        try await session.waitFor("payments FORCED-OPEN in its row", seconds: 10) { screen in
            Self.tableRows(screen).contains { $0.hasPrefix("  payments ") && $0.contains("FORCED-OPEN") }
        }
    }

    /// Checks what an ended console leaves behind: the exit status, the `stty` settings of before, the
    /// normal screen with the cursor shown and keypad mode off, and bracketed paste off (a paste
    /// reaches the shell's `sleep` as plain text, echoed without `ESC [ 200 ~`). Returns the screen.
    @discardableResult
    static func expectRestored(
        _ session: Session, status expected: String, after what: String, seconds: Double = 10,
        sourceLocation: SourceLocation = #_sourceLocation
    ) async throws -> String {
        let (status, restored) = try await session.ended(seconds: seconds)
        #expect(status == expected, "exit status after \(what)", sourceLocation: sourceLocation)
        #expect(restored, "stty settings restored after \(what)", sourceLocation: sourceLocation)
        let modes = try await session.modes()
        #expect(!modes.alternateScreen, "normal screen after \(what)", sourceLocation: sourceLocation)
        #expect(modes.cursorVisible, "cursor shown after \(what)", sourceLocation: sourceLocation)
        #expect(!modes.keypad, "keypad mode off after \(what)", sourceLocation: sourceLocation)
        try await session.paste("pasted-after-exit")
        let screen = try await session.waitFor("the shell's terminal echoing a paste") {
            $0.contains("pasted-after-exit")
        }
        #expect(!screen.contains("[200~"), "bracketed paste off after \(what)", sourceLocation: sourceLocation)
        return screen
    }

    /// Text written over the column titles (which never change by themselves) behind the console's
    /// back; the cursor goes back where it was.
    static let garbage = "\u{1B}7\u{1B}[2;1HGARBAGE-GARBAGE-GARBAGE\u{1B}8"

    /// Whether the screen is the console's, whole: the header, then the column titles.
    static func isWhole(_ screen: String) -> Bool {
        let lines = screen.split(separator: "\n", omittingEmptySubsequences: false)
        return !screen.contains("GARBAGE") && lines.count > 1 && lines[0].hasPrefix("Fusebox")
            && lines[1].hasPrefix("DEPENDENCY")
    }

    @Test func stopSignalsRestoreTheTerminalAndExitWith128PlusTheSignal() async throws {
        let signals: [(name: String, signal: Int32, status: String)] = [
            ("sighup", SIGHUP, "129"), ("sigint", SIGINT, "130"), ("sigquit", SIGQUIT, "131"),
            ("sigpipe", SIGPIPE, "141"), ("sigterm", SIGTERM, "143"), ("sigusr1", SIGUSR1, "138"),
            ("sigalrm", SIGALRM, "142"),
        ]
        for (index, (name, signal, status)) in signals.enumerated() {
            // With the Swift runtime's backtracer on, which would take SIGQUIT as a crash.
            try await Self.withSession(
                name, arguments: "--seed \(4250 + index)", environment: "SWIFT_BACKTRACE=enable=yes"
            ) { session in
                try await session.waitFor("DEPENDENCY")
                try await session.signal(signal)
                let screen = try await Self.expectRestored(session, status: status, after: name)
                #expect(
                    screen.components(separatedBy: "fusebox: stopped by signal \(signal)\n").count == 2,
                    "one line on stderr after \(name):\n\(screen)")
                #expect(!screen.contains("Program crashed"), "no crash report after \(name)")
            }
        }
    }

    @Test func ctrlCAndCtrlBackslashAreSignalsToo() async throws {
        for (name, key, status) in [("ctrlc", "C-c", "130"), ("ctrlbackslash", "C-\\", "131")] {
            try await Self.withSession(name, arguments: "--seed 4241", environment: "SWIFT_BACKTRACE=enable=yes") {
                session in
                try await session.waitFor("DEPENDENCY")
                try await session.keys(key)
                let screen = try await Self.expectRestored(session, status: status, after: key)
                #expect(!screen.contains("Program crashed"), "no crash report after \(key)")
            }
        }
    }

    @Test func aCrashRestoresTheTerminalBeforeTheCrashReport() async throws {
        try await Self.withSession(
            "crash", arguments: "--seed 4245", environment: "SWIFT_BACKTRACE=enable=yes,interactive=no"
        ) { session in
            try await session.waitFor("DEPENDENCY")
            try await session.signal(SIGSEGV)
            // The backtracer runs after the terminal is restored, so its report is on the normal screen.
            try await Self.expectRestored(session, status: "139", after: "SIGSEGV", seconds: 60)
            let history = try await Self.tmux("capture-pane", "-p", "-S", "-1000", "-t", session.name)
            #expect(history.contains("Program crashed"), "the crash went on to the backtracer:\n\(history)")
        }
    }

    @Test func ctrlLRepaintsWhatSomethingElseWroteOver() async throws {
        try await Self.withSession("redraw", arguments: "--seed 4246") { session in
            try await session.waitFor("DEPENDENCY")
            try await session.writeBehindTheConsole(Self.garbage)
            try await session.waitFor("GARBAGE")
            try await session.keys("C-l")
            try await session.waitFor("the whole screen repainted", seconds: 10) { Self.isWhole($0) }
            try await session.keys("q")
            try await Self.expectRestored(session, status: "0", after: "q")
        }
    }

    @Test func theCursorStaysOnItsDependencyWhileTheRowsReSort() async throws {
        try await Self.withSession("cursor", arguments: "--seed 4251") { session in
            try await session.waitFor("a breaker reaching OPEN", seconds: 40) { screen in
                Self.tableRows(screen).contains { $0.contains(" OPEN ") }
            }
            try await session.keys("j", "j", "j", "Enter")
            let detail = try await session.waitFor("the detail screen") { $0.contains("BREAKER") }
            let heading = detail.split(separator: "\n").dropFirst().first.map(String.init) ?? ""
            let name = String(heading.prefix { $0 != " " })
            #expect(!name.isEmpty)
            // Several polls: the worst-first order changes as the outage unfolds.
            try await Task.sleep(nanoseconds: 6_000_000_000)
            let later = try await session.screen()
            #expect(
                later.split(separator: "\n").dropFirst().first?.hasPrefix(name + " ") == true,
                "the detail still shows \(name):\n\(later)")
            try await session.keys("o")
            try await session.waitFor("Force open \(name)?")
            try await session.keys("Escape", "q")
            try await Self.expectRestored(session, status: "0", after: "q")
        }
    }

    @Test func aPasteIsTextNeverKeys() async throws {
        try await Self.withSession("paste", arguments: "--seed 4247") { session in
            try await session.waitFor("DEPENDENCY")
            try await session.keys("/")
            try await session.waitFor("esc cancel")
            // As keys, this would close the filter (the escape that starts a paste), pause (`p`),
            // apply the filter (the line break) and open the disable dialog (`x`).
            try await session.paste("payments\nx")
            try await Task.sleep(nanoseconds: 1_500_000_000)
            let filtering = try await session.screen()
            #expect(!filtering.contains("Disable breaker") && !filtering.contains("[ Cancel ]"), "\(filtering)")
            #expect(filtering.contains("esc cancel"), "still typing the filter")
            #expect(filtering.contains("LIVE") && !filtering.contains("PAUSED"))
            let line = filtering.split(separator: "\n").first { $0.hasPrefix("/") }.map(String.init) ?? ""
            #expect(line.hasPrefix("/payments x_"), "the paste is the filter's text, its line break a space: \(line)")

            // On the overview, where `x` disables a breaker.
            try await session.keys("Escape")
            try await session.waitFor("the filter closed") { !$0.contains("esc cancel") }
            try await session.paste("payments\nx")
            try await Task.sleep(nanoseconds: 1_500_000_000)
            let overview = try await session.screen()
            #expect(!overview.contains("Disable breaker") && !overview.contains("[ Cancel ]"), "\(overview)")
            #expect(overview.contains("DEPENDENCY") && overview.contains("LIVE") && !overview.contains("PAUSED"))
            // A pasted text that holds an end marker itself: what follows it is still the paste.
            try await session.paste("abc\u{1b}[201~px")
            try await Task.sleep(nanoseconds: 1_500_000_000)
            let marker = try await session.screen()
            #expect(!marker.contains("Disable breaker") && !marker.contains("PAUSED"), "\(marker)")
            try await session.keys("q")
            try await Self.expectRestored(session, status: "0", after: "q")
        }
    }

    @Test func ctrlZSuspendsWithTheTerminalRestoredAndFgBringsItBack() async throws {
        try await Self.withSession("suspend", arguments: "--seed 4248", jobControl: true) { session in
            try await session.waitFor("DEPENDENCY")
            try await session.keys("C-z")
            let suspended = try await session.waitForFile("suspended")
            let stopped = session.file("stopped")?.trimmingCharacters(in: .whitespacesAndNewlines)
            #expect(stopped == "148", "stopped by SIGTSTP")
            #expect(suspended == session.file("before"), "stty settings restored while suspended")
            let modes = try await session.modes()
            #expect(!modes.alternateScreen && modes.cursorVisible && !modes.keypad, "the terminal restored: \(modes)")
            // Bracketed paste is off while the shell has the terminal (ncurses' own SIGTSTP handling
            // would leave it on): the shell's `read` gets plain text.
            try await session.paste("pasted-while-suspended")
            let shell = try await session.waitFor("the paste echoed") { $0.contains("pasted-while-suspended") }
            #expect(!shell.contains("[200~"), "bracketed paste off while suspended")
            // The shell's `read` ends, then it runs `fg`.
            try await session.keys("Enter")
            try await session.waitFor("the console back after fg", seconds: 10) { Self.isWhole($0) }
            #expect(try await session.modes().alternateScreen)
            try await session.keys("q")
            try await Self.expectRestored(session, status: "0", after: "q after fg")
        }
    }

    /// `bg` after Ctrl-Z: a console running in the background would paint over the shell while the
    /// shell has the keys, so it stops again until `fg`.
    @Test func bgLeavesTheConsoleStoppedUntilFg() async throws {
        try await Self.withSession(
            "background", arguments: "--seed 4249", jobControl: true, resume: "bg; read again; fg"
        ) { session in
            try await session.waitFor("DEPENDENCY")
            try await session.keys("C-z")
            _ = try await session.waitForFile("suspended")
            try await session.keys("Enter")  // the shell runs `bg`
            let pid = try await session.pid()
            let deadline = Date().addingTimeInterval(10)
            var state = ""
            while Date() < deadline {
                let stat = (try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)) ?? ""
                state = stat.split(separator: ")").last?.split(separator: " ").first.map(String.init) ?? ""
                if state == "T" { break }
                try await Task.sleep(nanoseconds: 100_000_000)
            }
            #expect(state == "T", "stopped again after bg")
            try await Task.sleep(nanoseconds: 1_500_000_000)
            #expect(!Self.isWhole(try await session.screen()), "no console drawn over the shell")
            #expect(!(try await session.modes().alternateScreen))
            try await session.keys("Enter")  // the shell runs `fg`
            try await session.waitFor("the console back after fg", seconds: 10) { Self.isWhole($0) }
            try await session.keys("q")
            try await Self.expectRestored(session, status: "0", after: "q after bg and fg")
        }
    }

    /// An interactive shell puts the terminal back in line mode when a job stops (as bash does after
    /// `kill -STOP`); after `fg` the console must take its own modes back, or keys wait for Enter.
    @Test func aStopFromOutsideThenFgGivesTheKeysBack() async throws {
        guard Self.tmuxInstalled else { return }
        let name = "sigstop"
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("fusebox-e2e-sigstop-\(getpid())")
        try? FileManager.default.removeItem(at: directory)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let exitFile = directory.appendingPathComponent("exit").path
        let pidFile = directory.appendingPathComponent("pid").path
        _ = try await Self.tmux([
            "new-session", "-d", "-s", name, "-x", "120", "-y", "40",
            "env -u NO_COLOR TERM=tmux-256color bash --norc --noprofile -i",
        ])
        var pid: pid_t = 0
        do {
            try await Task.sleep(nanoseconds: 500_000_000)
            let command =
                "sh -c 'echo $$ > \(pidFile); exec \(Self.binary) --seed 4252'; echo $? > \(exitFile)"
            _ = try await Self.tmux(["send-keys", "-t", name, "-l", command])
            _ = try await Self.tmux(["send-keys", "-t", name, "Enter"])
            let deadline = Date().addingTimeInterval(20)
            while Date() < deadline {
                let screen = try await Self.tmux(["capture-pane", "-p", "-t", name])
                if screen.contains("DEPENDENCY") { break }
                try await Task.sleep(nanoseconds: 200_000_000)
            }
            pid =
                pid_t(
                    (try? String(contentsOfFile: pidFile, encoding: .utf8))?.trimmingCharacters(
                        in: .whitespacesAndNewlines) ?? "") ?? 0
            #expect(pid > 0)
            kill(pid, SIGSTOP)
            try await Task.sleep(nanoseconds: 800_000_000)
            _ = try await Self.tmux(["send-keys", "-t", name, "-l", "fg"])
            _ = try await Self.tmux(["send-keys", "-t", name, "Enter"])
            try await Task.sleep(nanoseconds: 1_500_000_000)
            _ = try await Self.tmux(["send-keys", "-t", name, "q"])
            // (The shell wrote 147 to the exit file when the job stopped; what counts is that q ends it.)
            let end = Date().addingTimeInterval(10)
            while Date() < end && kill(pid, 0) == 0 {
                try await Task.sleep(nanoseconds: 200_000_000)
            }
            #expect(kill(pid, 0) != 0, "q after a SIGSTOP and fg quits at once, with no Enter")
            let modes = try await Self.tmux(["display", "-p", "-t", name, "#{alternate_on}"])
            #expect(modes.trimmingCharacters(in: .whitespacesAndNewlines) == "0", "the terminal restored")
        } catch {
            Issue.record("\(error)")
        }
        if pid > 0 && kill(pid, 0) == 0 { kill(pid, SIGKILL) }
        _ = try? await Self.tmux(["kill-session", "-t", name])
        try? FileManager.default.removeItem(at: directory)
    }

    @Test func sigcontRepaintsAfterAStopTheConsoleDidNotSeeComing() async throws {
        try await Self.withSession("sigcont", arguments: "--seed 4249") { session in
            try await session.waitFor("DEPENDENCY")
            try await session.signal(SIGSTOP)
            try await session.writeBehindTheConsole(Self.garbage)
            try await session.waitFor("GARBAGE")
            try await session.signal(SIGCONT)
            try await session.waitFor("the whole screen repainted after SIGCONT", seconds: 10) { Self.isWhole($0) }

            // SIGTSTP when nothing can continue the console (an orphaned process group, as here): the
            // kernel drops the stop, and the console takes the terminal back at once.
            try await session.writeBehindTheConsole(Self.garbage)
            try await session.waitFor("GARBAGE")
            try await session.signal(SIGTSTP)
            try await session.signal(SIGCONT)
            try await session.waitFor("the whole screen repainted after SIGTSTP", seconds: 10) { Self.isWhole($0) }
            #expect(try await session.modes().alternateScreen)
            try await session.keys("q")
            try await Self.expectRestored(session, status: "0", after: "q")
        }
    }

    @Test func aNonUTF8LocaleDrawsASCII() async throws {
        try await Self.withSession("ascii", arguments: "--seed 4243", environment: "LC_ALL=C LANG=C") { session in
            let screen = try await session.waitFor("an ASCII header") { $0.contains("Fusebox | sim:partial-outage |") }
            #expect(!screen.contains("│"))
            try await session.keys("q")
            let (status, restored) = try await session.ended()
            #expect(status == "0" && restored)
        }
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
        try await Self.withSession("nocolor", arguments: "--seed 4244", environment: "NO_COLOR=1") { session in
            try await session.waitFor("DEPENDENCY")
            let styled = try await Self.tmux("capture-pane", "-p", "-e", "-t", session.name)
            // Attributes (bold, reverse) remain; no foreground or background colour is ever set.
            #expect(styled.contains("\u{1B}["), "the capture carries attributes")
            #expect(!Self.setsColour(styled), "no colour under NO_COLOR")
            try await session.keys("q")
            let (status, restored) = try await session.ended()
            #expect(status == "0" && restored)
        }

        try await Self.withSession("colour", arguments: "--seed 4245") { coloured in
            try await coloured.waitFor("DEPENDENCY")
            let withColour = try await Self.tmux("capture-pane", "-p", "-e", "-t", coloured.name)
            #expect(Self.setsColour(withColour), "colour without NO_COLOR")
            try await coloured.keys("q")
            _ = try await coloured.ended()
        }
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

/// Checks once for tmux before the suite runs (one issue, naming the package, when it is missing)
/// and kills the suite's tmux server after it, with anything a failed test left running in it.
struct EndsTmuxServer: SuiteTrait, TestScoping {
    func provideScope(
        for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void
    ) async throws {
        guard TerminalEndToEndTests.tmuxInstalled else {
            Issue.record(
                "tmux is not installed: install it (apt-get install tmux) to run the terminal end-to-end tests")
            try await function()
            return
        }
        do {
            try await function()
        } catch {
            await Self.killServer()
            throw error
        }
        await Self.killServer()
    }

    /// Kills the server and removes the socket file it leaves behind.
    static func killServer() async {
        _ = try? await TerminalEndToEndTests.tmux("kill-server")
        let directory = ProcessInfo.processInfo.environment["TMUX_TMPDIR"] ?? "/tmp"
        unlink("\(directory)/tmux-\(getuid())/\(TerminalEndToEndTests.socket)")
    }
}

extension SuiteTrait where Self == EndsTmuxServer {
    /// Checks for tmux once and kills the suite's tmux server when the suite ends.
    static var endsTmuxServer: Self { Self() }
}
