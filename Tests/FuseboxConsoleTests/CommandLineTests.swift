import Foundation
import Testing

/// The real `fusebox` binary, run as a user would.
@Suite struct CommandLineTests {
    struct Run {
        var status: Int32
        var output: String
        var errors: String
    }

    /// The `fusebox` executable next to this test bundle (`swift build --build-tests` builds both).
    static var binary: URL {
        let beside = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
            .appendingPathComponent("fusebox")
        if FileManager.default.isExecutableFile(atPath: beside.path) { return beside }
        return URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent(".build/debug/fusebox")
    }

    func fusebox(_ arguments: String..., environment extra: [String: String] = [:]) async throws -> Run {
        let binary = Self.binary
        try #require(
            FileManager.default.isExecutableFile(atPath: binary.path),
            "no fusebox binary at \(binary.path); run 'swift build --build-tests' first")
        let environment = ProcessInfo.processInfo.environment.merging(extra) { $1 }
        let result = try await spawnAndWait([binary.path] + arguments, environment: environment)
        return Run(status: result.status, output: result.output, errors: result.errors)
    }

    @Test func scenariosListsEachWithADescription() async throws {
        let run = try await fusebox("scenarios")
        #expect(run.status == 0)
        let lines = run.output.split(separator: "\n")
        #expect(lines.count == 7)
        #expect(lines[0].hasPrefix("partial-outage") && lines[0].hasSuffix("(default)"))
        for name in ["slow-downstream", "flapping", "regional-failover", "retry-storm", "cache-stale", "recovery"] {
            #expect(lines.contains { $0.hasPrefix(name + " ") }, "\(name) missing")
        }
    }

    @Test func simulatePrintsTheIncidentAsItUnfolds() async throws {
        let run = try await fusebox("simulate", "--scenario", "recovery", "--duration", "90", "--seed", "3")
        #expect(run.status == 0, "\(run.errors)")
        #expect(run.output.contains("scenario  payments primary region down"))
        #expect(run.output.contains("payments: CLOSED -> OPEN"))
        #expect(run.output.contains("payments: HALF-OPEN -> RECOVERING"))
        #expect(run.output.contains("payments: RECOVERING -> CLOSED"))
        #expect(run.output.contains("checkout-1: "))
        #expect(
            try await fusebox("simulate", "--scenario", "recovery", "--duration", "90", "--seed", "3").output
                == run.output)
    }

    @Test func statusPrintsTheOverviewAsTextOrJSON() async throws {
        let text = try await fusebox("status", "--at", "20", "--seed", "2")
        #expect(text.status == 0, "\(text.errors)")
        let lines = text.output.split(separator: "\n")
        #expect(lines.first?.hasPrefix("Fusebox | sim:partial-outage | LIVE [RO]") == true, "\(lines.first ?? "")")
        #expect(lines.count == 2 + 12, "a header, the column titles, one row per dependency")
        #expect(lines.contains { $0.contains("payments") && $0.contains("OPEN") })

        let json = try await fusebox("status", "--json", "--at", "5", "--instances", "2")
        #expect(json.status == 0)
        let snapshots = try JSONSerialization.jsonObject(with: Data(json.output.utf8)) as? [[String: Any]]
        #expect(snapshots?.count == 2)
        #expect(snapshots?.first?["service"] as? String == "checkout")

        let unsupported = try await fusebox("status", "--source", "ftp://127.0.0.1:9901")
        #expect(unsupported.status == 2)
        #expect(
            unsupported.errors
                == "fusebox: cannot read source 'ftp://127.0.0.1:9901'; this build reads: sim[:SCENARIO]\n",
            "one line naming the sources that exist")
        let scenario = try await fusebox("status", "--source", "sim:meltdown")
        #expect(scenario.status == 2 && scenario.errors.hasPrefix("fusebox: unknown scenario 'meltdown'"))
    }

    @Test func themesAndKeysComeFromTheConfigDirectoryAndBadOnesAreNamed() async throws {
        let config = FileManager.default.temporaryDirectory.appendingPathComponent("fusebox-xdg-\(getpid())")
        try? FileManager.default.removeItem(at: config)
        let themes = config.appendingPathComponent("fusebox/themes")
        try FileManager.default.createDirectory(at: themes, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: config) }
        try "name = mine\ntext = default\nstate.open = reddish bold\n".write(
            to: themes.appendingPathComponent("mine.theme"), atomically: true, encoding: .utf8)
        let badTheme = try await fusebox(
            "--theme", "mine", environment: ["XDG_CONFIG_HOME": config.path, "TERM": "xterm"])
        #expect(badTheme.status == 2)
        #expect(
            badTheme.errors.contains("mine.theme: line 3, key 'state.open': unknown colour 'reddish'"),
            "\(badTheme.errors)")

        let missing = try await fusebox("--theme", "neon", environment: ["XDG_CONFIG_HOME": config.path])
        #expect(missing.status == 2 && missing.errors.contains("no such theme; available:"))
        #expect(missing.errors.contains("mine"), "themes in the config directory are offered")

        try "key.force-open = F1\n".write(
            to: config.appendingPathComponent("fusebox/config"), atomically: true, encoding: .utf8)
        let badKeys = try await fusebox(environment: ["XDG_CONFIG_HOME": config.path])
        #expect(badKeys.status == 2)
        #expect(badKeys.errors.contains("line 1, key 'key.force-open': unknown key 'F1'"), "\(badKeys.errors)")
    }

    @Test func badUsageExitsWithTwoAndSaysWhatToDo() async throws {
        let unknown = try await fusebox("simulate", "--scenario", "nope")
        #expect(unknown.status == 2)
        #expect(unknown.errors.contains("unknown scenario 'nope'; choose one of: partial-outage"))
        let tooMany = try await fusebox("simulate", "--dependencies", "20000")
        #expect(tooMany.status == 2)
        #expect(tooMany.errors.contains("synthetic dependencies must be 0...10000"))
        let unknownCommand = try await fusebox("no-such-command")
        #expect(unknownCommand.status == 2)
    }
}
