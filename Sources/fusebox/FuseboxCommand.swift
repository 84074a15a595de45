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
            ConsoleCommand.self, StatusCommand.self, ScenariosCommand.self, SimulateCommand.self,
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
        } catch let usage as UsageError {
            FileHandle.standardError.write(Data("fusebox: \(usage.message)\n".utf8))
            exit(2)
        } catch {
            let code = FuseboxCommand.exitCode(for: error)
            let message = FuseboxCommand.fullMessage(for: error)
            if code == .success {
                if !message.isEmpty { print(message) }
                exit(0)
            }
            if !message.isEmpty { FileHandle.standardError.write(Data((message + "\n").utf8)) }
            exit(code == .validationFailure ? 2 : 1)
        }
    }
}

/// Bad usage found after parsing (a source this build cannot read): one line on stderr, exit 2.
struct UsageError: Error {
    let message: String

    init(_ message: String) {
        self.message = message
    }
}
