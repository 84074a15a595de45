import ArgumentParser
import Foundation
import FuseboxBackends
import FuseboxConsole
import FuseboxTerminal

/// `fusebox console` (and plain `fusebox`): the live operations console.
struct ConsoleCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "console",
        abstract: "The live console (the default command): breakers, retries, latency, fallbacks, flags and actions."
    )

    @OptionGroup var sourceOptions: SourceOptions

    @Option(
        name: .long, help: "Theme name (dark, light, high-contrast, colorblind, monochrome) or path to a .theme file.")
    var theme = "dark"

    @Flag(name: .long, help: "Disable every action: look, do not touch.")
    var readOnly = false

    @Option(name: .long, help: "Seconds between polls.")
    var interval: Double = 1

    @Option(name: .long, help: "Who commands are sent as (default: $USER).")
    var actor: String?

    func validate() throws {
        guard interval >= 0.1 && interval <= 3600 else {
            throw ValidationError("--interval must be 0.1...3600 seconds")
        }
    }

    func run() async throws {
        let loader = ThemeLoader.standard(executablePath: CommandLine.arguments[0])
        let chosenTheme: Theme
        do {
            chosenTheme = try loader.load(theme)
        } catch {
            throw ValidationError("\(error)")
        }
        let keymap: Keymap
        do {
            keymap = try KeymapConfiguration.load()
        } catch {
            throw ValidationError("\(error)")
        }
        let backend = try sourceOptions.makeBackend()
        let terminal: Terminal
        do {
            terminal = try Terminal(theme: chosenTheme)
        } catch {
            FileHandle.standardError.write(Data("fusebox: \(error)\n".utf8))
            throw ExitCode(1)
        }
        let (width, height) = terminal.size
        var state = ConsoleState(
            source: backend.description, readOnly: readOnly || backend.capabilities.readOnly, intervalSeconds: interval,
            width: width, height: height, themeName: chosenTheme.name, glyphs: terminal.unicode ? .unicode : .ascii,
            keymap: keymap, actor: actor ?? ProcessInfo.processInfo.environment["USER"] ?? "operator",
            availableThemes: loader.availableNames())
        let app = ConsoleApp(backend: backend, terminal: terminal, loader: loader, interval: interval)
        app.run(&state)
        terminal.close()
        if let simulator = backend as? SimulatorBackend { simulator.stop() }
        if let signal = terminal.stopRequested, signal == SIGTERM || signal == SIGINT {
            FileHandle.standardError.write(Data("fusebox: stopped by signal \(signal)\n".utf8))
        }
    }
}
