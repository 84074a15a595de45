import ArgumentParser
import Foundation
import FuseboxBackend
import FuseboxConsole
import FuseboxRecording

/// `fusebox replay FILE`: the console over a recording, read-only, with time controls.
struct ReplayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Watch a recording again in the console: pause, step, jump to markers, change speed.",
        discussion: """
            space plays and pauses; + and - change speed (0.25x...64x); left and right step one sample; \
            0-9 jump to that tenth; [ and ] go to the previous and next marker (transitions, operator \
            actions, annotations); g and G go to the start and end; j jumps to a time (10:42:05 UTC, -5m, +30s).
            """
    )

    @Argument(help: ArgumentHelp("The recording (FILE.fuserec).", valueName: "file"))
    var file: String

    @Option(
        name: .long,
        help:
            "Theme name (dark, light, high-contrast, colorblind, monochrome) or path to a .theme file (default: dark).")
    var theme: String?

    @Option(
        name: .long, parsing: .unconditional,
        help: ArgumentHelp("Starting speed: 0.25, 0.5, 1, 2, 4, 8, 16, 32 or 64.", valueName: "factor"))
    var speed: Double = 1

    @Option(
        name: .long, parsing: .unconditional,
        help: ArgumentHelp(
            "Play quiet stretches longer than this as this long (0.5...3600 seconds).",
            valueName: "seconds"),
        transform: OptionValue.decimal(0.5...3600, "seconds"))
    var idleLimit: Double = 5

    func validate() throws {
        guard ReplayState.speeds.contains(speed) else {
            throw ValidationError("--speed must be one of 0.25, 0.5, 1, 2, 4, 8, 16, 32, 64")
        }
    }

    func run() async throws {
        let backend: RecordingBackend
        do throws(BackendError) {
            backend = try RecordingBackend(path: file)
        } catch {
            FuseboxMain.printError(error.message)
            throw ExitCode(1)
        }
        if let problem = backend.reader.nothingReadable(file: file) {
            // Say so, rather than open a console waiting for data.
            FuseboxMain.printError(problem)
            throw ExitCode(1)
        }
        let loader = ThemeLoader.standard(executablePath: CommandLine.arguments[0])
        let chosenTheme: Theme
        let configuration: ConsoleConfiguration
        do {
            chosenTheme = try loader.load(theme ?? "dark")
            configuration = try KeymapConfiguration.load()
        } catch {
            throw UsageError("\(error)")
        }
        var replay = ReplayState(
            origin: .recording((file as NSString).lastPathComponent), frameTimes: [], markers: [], damage: nil)
        replay.speed = speed
        replay.idleLimitMilliseconds = Int64(idleLimit * 1000)
        let setup = ConsoleSetup(
            backend: backend, environment: nil, theme: chosenTheme, loader: loader, keymap: configuration.keymap,
            readOnly: true, requireReason: false,
            interval: Double(backend.reader.header.intervalMilliseconds) / 1000,
            actor: OptionValue.resolvedActor(nil, environment: ProcessInfo.processInfo.environment), replay: replay)
        try await setup.runAndExit()
    }
}

/// `fusebox report FILE`: the incident timeline as Markdown or JSON.
struct ReportCommand: AsyncParsableCommand {
    enum Format: String, ExpressibleByArgument, CaseIterable {
        case markdown, json
    }

    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Print a recording's incident timeline for the post-mortem, as Markdown (default) or JSON."
    )

    @Argument(help: ArgumentHelp("The recording (FILE.fuserec).", valueName: "file"))
    var file: String

    @Option(name: .long, help: "markdown or json (default: markdown).")
    var format: Format = .markdown

    func run() async throws {
        let reader: RecordingReader
        do {
            reader = try RecordingReader(path: file)
        } catch {
            FuseboxMain.printError(error.message)
            throw ExitCode(1)
        }
        if let problem = reader.nothingReadable(file: file) {
            // No report, rather than one saying nothing happened.
            FuseboxMain.printError(problem)
            throw ExitCode(1)
        }
        let report = IncidentReport(reading: reader, file: (file as NSString).lastPathComponent)
        if let damage = report.damage { FuseboxMain.printError("\(file) is damaged: \(damage)") }
        switch format {
        case .markdown:
            print(report.markdown, terminator: "")
        case .json:
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            print(String(decoding: try encoder.encode(report), as: UTF8.self))
        }
    }
}
