import ArgumentParser
import Foundation
import FuseboxBackend
import FuseboxConsole
import FuseboxRecording
import FuseboxTerminal

/// `fusebox console` (and plain `fusebox`): the live operations console.
struct ConsoleCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "console",
        abstract: "The live console (the default command): breakers, retries, latency, fallbacks, flags and actions."
    )

    @OptionGroup var sourceOptions: SourceOptions

    @Option(
        name: .long,
        help:
            "Theme name (dark, light, high-contrast, colorblind, monochrome) or path to a .theme file (default: dark).")
    var theme: String?

    @Flag(name: .long, help: "Disable every action: look, do not touch.")
    var readOnly = false

    @Flag(
        name: .long,
        help: ArgumentHelp(
            "Refuse to send any command without a reason (for production environments; also"
                + " 'require-reason = true' in the config file)."))
    var requireReason = false

    @Option(
        name: .long, parsing: .unconditional,
        help: ArgumentHelp("Seconds between polls (0.1...3600; default: 1).", valueName: "seconds"),
        transform: OptionValue.decimal(0.1...3600, "seconds"))
    var interval: Double?

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Who commands are sent as, in the audit trail: 1...\(OptionValue.actorLength) printable characters"
                + " (default: $USER, else operator).", valueName: "name"),
        transform: OptionValue.actor)
    var actor: String?

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Record the session to this file (FILE.fuserec, never overwritten): replay it with 'fusebox replay'.",
            valueName: "file"))
    var record: String?

    func validate() throws {
        try StateDirectory.validateRecordingName(record)
    }

    func run() async throws {
        // Flags first, then the environment's settings, then the defaults; read-only if either says so.
        let environment = try sourceOptions.environment()
        let loader = ThemeLoader.standard(executablePath: CommandLine.arguments[0])
        let chosenTheme: Theme
        do {
            chosenTheme = try loader.load(theme ?? environment?.theme ?? "dark")
        } catch {
            throw UsageError("\(error)")
        }
        let configuration: ConsoleConfiguration
        do {
            configuration = try KeymapConfiguration.load()
        } catch {
            throw UsageError("\(error)")
        }
        let backend = try sourceOptions.makeBackend(environment: environment)
        let interval = interval ?? environment?.interval ?? 1
        var recorders: [any SessionRecorder] = []
        var recording: FileRecorder?
        if let record {
            do {
                // Stops are reported through the console's status line (SessionSinks reads stopReason).
                recording = try FileRecorder(
                    path: record, header: recordingHeader(backend, environment: environment, interval: interval),
                    onStop: { _ in })
            } catch {
                FuseboxMain.printError(error.message)
                throw ExitCode(1)
            }
            recorders.append(recording!)
        }
        var audit: AuditLog?
        var notices: [String] = []
        do {
            audit = try AuditLog(path: StateDirectory.auditLogPath)
            recorders.append(audit!)
        } catch {
            // The source keeps its own audit trail; the local copy is a convenience, so its trouble
            // is said in the console rather than stopping it.
            notices.append("\(error.message); commands are not logged locally")
        }
        // A recording given as the source is replayed, not polled.
        let replay = backend.timeline.map { _ in
            ReplayState(
                origin: .recording((backend.description as NSString).lastPathComponent), frameTimes: [], markers: [],
                damage: nil)
        }
        let setup = ConsoleSetup(
            backend: backend, environment: environment?.name, theme: chosenTheme, loader: loader,
            keymap: configuration.keymap, readOnly: readOnly || environment?.readOnly == true,
            requireReason: requireReason || configuration.requireReason || environment?.requireReason == true,
            interval: interval,
            actor: OptionValue.resolvedActor(actor, environment: ProcessInfo.processInfo.environment),
            recorders: recorders, recordingPath: record, replay: replay, notices: notices)
        // However the console ends (q, Ctrl-C, SIGTERM, SIGHUP), what is queued is written and the
        // recording closed whole before the process goes.
        try await setup.runAndExit { outcome in
            audit?.close()
            guard let recording else { return }
            let stopped = recording.finish()
            if case .noTerminal = outcome, recording.samplesWritten == 0 {
                // The console never ran: no empty file is left to block the name.
                recording.discard()
                return
            }
            FuseboxMain.printError(stopped ?? "recorded \(recording.samplesWritten) samples to \(recording.path)")
        }
    }
}

extension ConsoleSetup {
    /// Runs the console, then `cleanUp`, and ends the process the way a shell expects.
    func runAndExit(cleanUp: (Outcome) -> Void = { _ in }) async throws {
        let outcome = await runOnOwnThread()
        cleanUp(outcome)
        switch outcome {
        case .noTerminal(let error):
            FuseboxMain.printError("\(error)")
            throw ExitCode(1)
        case .ended(.quit):
            return
        case .ended(.signal(let signal)):
            // The terminal is restored by now. The throwing write: after SIGHUP the terminal is gone,
            // and the message is lost rather than the exit status.
            try? FileHandle.standardError.write(contentsOf: Data("fusebox: stopped by signal \(signal)\n".utf8))
            // The shell's convention for a process ended by a signal (SIGHUP 129, SIGINT 130, SIGTERM 143).
            Foundation.exit(128 + signal)
        }
    }
}

/// Everything the console needs, run on a thread of its own: the terminal loop blocks while it
/// waits for keys, and must not hold one of the concurrency pool's few threads.
struct ConsoleSetup: Sendable {
    enum Outcome: Sendable {
        case noTerminal(TerminalError)
        case ended(ConsoleProgram.Exit.Reason)
    }

    let backend: any ResilienceBackend
    /// The environment's name, shown before the source.
    let environment: String?
    let theme: Theme
    let loader: ThemeLoader
    let keymap: Keymap
    let readOnly: Bool
    let requireReason: Bool
    let interval: Double
    let actor: String
    /// Where the session is written as it happens.
    var recorders: [any SessionRecorder] = []
    /// The `--record` file, shown in the header.
    var recordingPath: String?
    /// Set for `fusebox replay`: the console starts as a replay.
    var replay: ReplayState?
    /// Problems to tell at once, in the status line and the event log.
    var notices: [String] = []

    func runOnOwnThread() async -> Outcome {
        // Named, so its CPU time is the console's own cost (fusebox-bench idle reads it).
        await onOwnThread(named: "fusebox-ui") { run() }
    }

    private func run() -> Outcome {
        let terminal: Terminal
        do {
            terminal = try Terminal(theme: theme)
        } catch {
            return .noTerminal(error)
        }
        defer { terminal.close() }
        let (width, height) = terminal.size
        var state = ConsoleState(
            source: environment.map { "\($0): \(backend.description)" } ?? backend.description, readOnly: readOnly,
            capabilities: backend.capabilities,
            intervalSeconds: interval, width: width, height: height, themeName: theme.name,
            glyphs: terminal.unicode ? .unicode : .ascii, keymap: keymap, actor: actor,
            availableThemes: loader.availableNames())
        state.requireReason = requireReason
        state.environment = environment
        state.recordingPath = recordingPath
        if let replay {
            state.replay = replay
            state.paused = true
        }
        state.nowMilliseconds = WallClock().nowMilliseconds()
        for notice in notices { state.notice(notice) }
        // A live console remembers the last hour, so pausing can look back.
        let history = replay == nil ? SessionHistory(retentionMilliseconds: ReplayState.liveRetentionMilliseconds) : nil
        let program = ConsoleProgram(
            backend: backend, terminal: terminal, themes: loader, clock: WallClock(), recorders: recorders,
            recordsToFile: recordingPath != nil, history: history)
        return .ended(program.run(state).reason)
    }
}
