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
        try await fusebox(arguments, environment: extra)
    }

    /// Runs `fusebox`; with a `timeLimit`, `timeout` stops it after that many seconds (exit 124).
    func fusebox(
        _ arguments: [String], environment extra: [String: String] = [:], timeLimit: Int? = nil
    ) async throws -> Run {
        let binary = Self.binary
        try #require(
            FileManager.default.isExecutableFile(atPath: binary.path),
            "no fusebox binary at \(binary.path); run 'swift build --build-tests' first")
        let environment = ProcessInfo.processInfo.environment.merging(extra) { $1 }
        let limit = timeLimit.map { ["timeout", "--kill-after=2", String($0)] } ?? []
        let result = try await spawnAndWait(limit + [binary.path] + arguments, environment: environment)
        return Run(status: result.status, output: result.output, errors: result.errors)
    }

    /// A failed run: `status`, and on stderr exactly one line, `fusebox: ...` containing `text` (never `line 0`).
    func expectOneLine(
        _ run: Run, status: Int32 = 2, containing text: String, sourceLocation: SourceLocation = #_sourceLocation
    ) {
        #expect(run.status == status, "exit \(run.status): \(run.errors)", sourceLocation: sourceLocation)
        #expect(
            run.errors.hasPrefix("fusebox: ") && run.errors.hasSuffix("\n")
                && run.errors.filter { $0 == "\n" }.count == 1,
            "not one line: \(run.errors)", sourceLocation: sourceLocation)
        #expect(run.errors.contains(text), "\(run.errors)", sourceLocation: sourceLocation)
        #expect(!run.errors.contains("line 0"), "\(run.errors)", sourceLocation: sourceLocation)
    }

    /// A fresh `XDG_CONFIG_HOME` with `fusebox/themes/` in it, removed after `body`.
    func withConfigDirectory(_ body: (URL) async throws -> Void) async throws {
        let config = FileManager.default.temporaryDirectory.appendingPathComponent("fusebox-xdg-\(UUID().uuidString)")
        try FileManager.default.createDirectory(
            at: config.appendingPathComponent("fusebox/themes"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: config) }
        try await body(config)
    }

    /// `fusebox` with `TERM=dumb` (it never takes a terminal) and `config` as `XDG_CONFIG_HOME`.
    func console(_ arguments: String..., config: URL, asUnprivileged: Bool = false) async throws -> Run {
        let environment = ["XDG_CONFIG_HOME": config.path, "TERM": "dumb"]
        guard asUnprivileged, geteuid() == 0 else { return try await fusebox(arguments, environment: environment) }
        // root reads any file: drop to nobody so that a file's mode counts.
        let binary = Self.binary
        let merged = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let result = try await spawnAndWait(
            ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", binary.path] + arguments,
            environment: merged)
        return Run(status: result.status, output: result.output, errors: result.errors)
    }

    /// The console got past its configuration and stopped only for want of a terminal.
    func expectReachedTheTerminal(_ run: Run, sourceLocation: SourceLocation = #_sourceLocation) {
        expectOneLine(run, status: 1, containing: "no usable terminal", sourceLocation: sourceLocation)
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
        // One line naming every source this build reads.
        expectOneLine(
            unsupported,
            containing: "fusebox: cannot read source 'ftp://127.0.0.1:9901'; this build reads: sim[:SCENARIO]")
        for scheme in [
            "http[s]://host:port", "resilience4j+http[s]://host:port/actuator[#service]",
            "prometheus+http[s]://host:9090",
        ] {
            #expect(unsupported.errors.contains(scheme), "\(unsupported.errors)")
        }
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
        expectOneLine(badTheme, containing: "mine.theme: line 3, key 'state.open': unknown colour 'reddish'")

        let missing = try await fusebox("--theme", "neon", environment: ["XDG_CONFIG_HOME": config.path])
        expectOneLine(missing, containing: "fusebox: theme neon: no such theme; available:")
        #expect(missing.errors.contains("mine"), "themes in the config directory are offered")

        try "key.force-open = F1\n".write(
            to: config.appendingPathComponent("fusebox/config"), atomically: true, encoding: .utf8)
        let badKeys = try await fusebox(environment: ["XDG_CONFIG_HOME": config.path])
        expectOneLine(badKeys, containing: "line 1, key 'key.force-open': unknown key 'F1'")
    }

    @Test func aKeyMapThatIsThereButUnreadableStopsTheConsole() async throws {
        try await withConfigDirectory { config in
            let file = config.appendingPathComponent("fusebox/config")
            expectReachedTheTerminal(try await console(config: config))  // no file: the standard keys

            try FileManager.default.createDirectory(at: file, withIntermediateDirectories: false)
            expectOneLine(try await console(config: config), containing: "config \(file.path): a folder, not a file")
            try FileManager.default.removeItem(at: file)

            try FileManager.default.createSymbolicLink(atPath: file.path, withDestinationPath: file.path + ".loop")
            try FileManager.default.createSymbolicLink(atPath: file.path + ".loop", withDestinationPath: file.path)
            expectOneLine(try await console(config: config), containing: "config \(file.path): too many levels")
            try FileManager.default.removeItem(at: file)
            try FileManager.default.removeItem(atPath: file.path + ".loop")

            try FileManager.default.createSymbolicLink(atPath: file.path, withDestinationPath: file.path + ".gone")
            expectOneLine(
                try await console(config: config), containing: "config \(file.path): a symbolic link to nothing")
            try FileManager.default.removeItem(at: file)

            try Data([0x6b, 0x65, 0x79, 0xff, 0xfe]).write(to: file)
            expectOneLine(try await console(config: config), containing: "config \(file.path): not UTF-8 text")

            try "key.force-open = O\n".write(to: file, atomically: true, encoding: .utf8)
            chmod(file.path, 0o000)
            let unreadable = try await console(config: config, asUnprivileged: true)
            expectOneLine(unreadable, containing: "config \(file.path): permission denied")
            chmod(file.path, 0o644)
            expectReachedTheTerminal(try await console(config: config, asUnprivileged: true))
        }
    }

    @Test func aKeyThatAnotherActionKeepsIsAnErrorNamingBoth() async throws {
        try await withConfigDirectory { config in
            let file = config.appendingPathComponent("fusebox/config")
            try "key.force-open = q\n".write(to: file, atomically: true, encoding: .utf8)
            expectOneLine(
                try await console(config: config),
                containing: "line 1, key 'key.force-open': 'q' already does quit; choose another key for force-open,"
                    + " or move quit too")

            try "key.force-open = q\nkey.quit = Q\n".write(to: file, atomically: true, encoding: .utf8)
            expectReachedTheTerminal(try await console(config: config))

            try "key.force-open = O\nkey.close = O\n".write(to: file, atomically: true, encoding: .utf8)
            expectOneLine(
                try await console(config: config),
                containing: "line 2, key 'key.close': 'O' is already bound to force-open on line 1")

            try "key.force-open = O\nkey.force-open = P\n".write(to: file, atomically: true, encoding: .utf8)
            expectOneLine(
                try await console(config: config), containing: "line 2, key 'key.force-open': already set on line 1")
        }
    }

    @Test func aThemeStylesEveryRoleOrInheritsTheRest() async throws {
        try await withConfigDirectory { config in
            let themes = config.appendingPathComponent("fusebox/themes")
            try "".write(to: themes.appendingPathComponent("empty.theme"), atomically: true, encoding: .utf8)
            expectOneLine(
                try await console("--theme", "empty", config: config),
                containing:
                    "theme \(themes.path)/empty.theme: styles no role; style every role, or add 'inherit = dark'")

            try "name = partial\nselected = reverse\n".write(
                to: themes.appendingPathComponent("partial.theme"), atomically: true, encoding: .utf8)
            let partial = try await console("--theme", "partial", config: config)
            expectOneLine(
                partial, containing: "partial.theme: has no style for text, dim, title, header, border, keyName")
            #expect(!partial.errors.contains("selected,"), "styled roles are not listed")

            try "name = mine\ninherit = light\nselected = bold underline\n".write(
                to: themes.appendingPathComponent("mine.theme"), atomically: true, encoding: .utf8)
            expectReachedTheTerminal(try await console("--theme", "mine", config: config))

            try "inherit = neon\n".write(
                to: themes.appendingPathComponent("orphan.theme"), atomically: true, encoding: .utf8)
            expectOneLine(
                try await console("--theme", "orphan", config: config),
                containing: "orphan.theme: line 1, key 'inherit': no such theme; available:")

            for shipped in ["dark", "light", "high-contrast", "colorblind", "monochrome"] {
                expectReachedTheTerminal(try await console("--theme", shipped, config: config))
            }
            expectOneLine(
                try await console("--theme", "/", config: config), containing: "theme /: a folder, not a file")
        }
    }

    @Test func numbersAndNamesAreCheckedAtTheCommandLineInOneLine() async throws {
        let cases: [([String], String)] = [
            (["status", "--at", "99999999999"], "'--at <seconds>': must be a whole number of seconds, 1...3600"),
            (["status", "--at", "9223372036"], "must be a whole number of seconds, 1...3600"),
            (["status", "--at", "0"], "must be a whole number of seconds, 1...3600"),
            (["status", "--at", "-5"], "must be a whole number of seconds, 1...3600"),
            (["status", "--at"], "missing value for '--at <seconds>'"),
            (
                ["simulate", "--duration", "99999999999"],
                "'--duration <seconds>': must be a whole number of seconds, 1...604800"
            ),
            (["simulate", "--duration", "604801"], "1...604800"),
            (["status", "--interval", "-1"], "'--interval <seconds>': must be a number of seconds, 0.1...60"),
            (["status", "--interval", "nan"], "must be a number of seconds, 0.1...60"),
            (["--interval", "-1"], "'--interval <seconds>': must be a number of seconds, 0.1...3600"),
            (["console", "--interval", "3601"], "0.1...3600"),
            (["status", "--width", "59"], "'--width <columns>': must be a whole number of columns, 60...1000"),
            (["status", "--rate", "0"], "'--rate <rate>': must be a number of requests per second, above 0"),
            (["status", "--rate", "inf"], "at most 100000"),
            (["status", "--instances", "1001"], "'--instances <count>': must be a whole number, 1...1000"),
            (["status", "--dependencies", "-1"], "'--dependencies <count>': must be a whole number, 0...10000"),
            (
                ["status", "--instances", "1000", "--dependencies", "20"],
                "--instances × --dependencies must be at most"
            ),
            (["status", "--instances", "1000", "--rate", "200"], "--rate × --instances must be at most 100000"),
            (["status", "--seed", "-1"], "'--seed <seed>': must be a whole number, 0...18446744073709551615"),
            (["status", "--seed", "18446744073709551616"], "0...18446744073709551615"),
            (["--actor", ""], "'--actor <name>': must be 1...64 printable characters, not all spaces"),
            (["--actor", "   "], "not all spaces"),
            (["--actor", "ops\u{7}bell"], "printable"),
            (["--actor", String(repeating: "a", count: 65)], "1...64"),
            (["status", "--no-such-option"], "unknown option '--no-such-option'"),
        ]
        for (arguments, expected) in cases {
            // Today's limits make each of these fail at once; without them some crashed, hung or ran for days.
            let run = try await fusebox(arguments, environment: ["TERM": "dumb"], timeLimit: 20)
            expectOneLine(run, containing: expected)
        }
        let seed = try await fusebox("status", "--seed", "18446744073709551615", "--at", "2")
        #expect(seed.status == 0, "any UInt64 is a seed: \(seed.errors)")
        expectReachedTheTerminal(try await fusebox("--actor", "Zoë Ops", environment: ["TERM": "dumb"]))
        expectReachedTheTerminal(try await fusebox(environment: ["TERM": "dumb", "USER": "\t"]))
    }

    @Test func badUsageExitsWithTwoAndSaysWhatToDo() async throws {
        let unknown = try await fusebox("simulate", "--scenario", "nope")
        #expect(unknown.status == 2)
        #expect(unknown.errors.contains("unknown scenario 'nope'; choose one of: partial-outage"))
        let tooMany = try await fusebox("simulate", "--dependencies", "20000")
        expectOneLine(tooMany, containing: "'--dependencies <count>': must be a whole number, 0...10000")
        let unknownCommand = try await fusebox("no-such-command")
        expectOneLine(unknownCommand, containing: "unexpected argument 'no-such-command'")
    }
}
