import ArgumentParser

/// `fusebox`: the resilience operations console and its tools.
@main
struct FuseboxCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fusebox",
        abstract: "Resilience operations for Swift services: breakers, retries, fallbacks and flags.",
        discussion: """
            The live console arrives with the console issue; today fusebox runs the outage simulator
            headless (simulate) and lists its scenarios (scenarios).
            """,
        subcommands: [ScenariosCommand.self, SimulateCommand.self]
    )
}
