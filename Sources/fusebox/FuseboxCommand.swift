import ArgumentParser
import Foundation

/// `fusebox`: the resilience operations console and its tools.
struct FuseboxCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fusebox",
        abstract: "Resilience operations for Swift services: breakers, retries, fallbacks and flags.",
        discussion: """
            Without a subcommand, fusebox opens the console on the built-in outage simulator.
            """,
        subcommands: [
            ConsoleCommand.self, StatusCommand.self, RecordCommand.self, ReplayCommand.self, ReportCommand.self,
            ScenariosCommand.self, SimulateCommand.self, DemoServiceCommand.self,
        ],
        defaultSubcommand: ConsoleCommand.self
    )
}

/// Runs the command line with the project's exit codes: 0 ok, 1 runtime failure, 2 bad usage.
@main
enum FuseboxMain {
    static func main() async {
        do {
            var command = try FuseboxCommand.parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            exit(report(error))
        }
    }

    /// Says what ended the run and returns the exit code. Help goes to stdout (0); an error is one line on
    /// stderr, `fusebox: ...` without the usage block, so that it is the one thing a person reads: 2 for bad
    /// usage, else the command's own code (1 for a runtime failure).
    static func report(_ error: any Error) -> Int32 {
        if let usage = error as? UsageError {
            printError(usage.message)
            return 2
        }
        let code = FuseboxCommand.exitCode(for: error)
        if code == .success {
            let message = FuseboxCommand.fullMessage(for: error)
            if !message.isEmpty { print(message) }
            return 0
        }
        let message = FuseboxCommand.message(for: error)
        if !message.isEmpty { printError(message) }
        return code == .validationFailure ? 2 : code.rawValue
    }

    /// Writes `fusebox: MESSAGE` on stderr as one line: line breaks (ArgumentParser lists values on lines of
    /// their own) become spaces, other control characters (from a value typed on the command line) are escaped.
    static func printError(_ message: String) {
        var line = ""
        var pendingSpace = false
        for scalar in message.unicodeScalars {
            if scalar == "\n" || scalar == "\r" {
                pendingSpace = !line.isEmpty
                continue
            }
            if pendingSpace {
                if scalar == " " { continue }
                line += " "
                pendingSpace = false
            }
            if scalar.properties.generalCategory == .control {
                line += scalar.escaped(asASCII: true)
            } else {
                line.unicodeScalars.append(scalar)
            }
        }
        // ArgumentParser's messages are sentences ("Unknown option"); this line continues after "fusebox: ".
        if let first = line.first, first.isUppercase, line.dropFirst().first?.isLowercase == true {
            line = first.lowercased() + line.dropFirst()
        }
        FileHandle.standardError.write(Data("fusebox: \(line)\n".utf8))
    }
}

/// Bad usage found after parsing (a source this build cannot read, a bad theme or key file): one line on
/// stderr, exit 2.
struct UsageError: Error, CustomStringConvertible {
    let message: String

    init(_ message: String) {
        self.message = message
    }

    var description: String { message }
}
