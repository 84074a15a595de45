import Foundation
import FuseboxTestSupport
import Testing

/// The real `fusebox` binary fed a few hundred argument lists made of its real option names and hostile values:
/// huge and negative numbers, empty strings, Unicode, options without values, unknown options, odd sources. First
/// each command with each of its options set to each hostile value (one bad value among defaults is the one that
/// gets past parsing to where it could overflow or hang), then random lists that mix good and bad values. Whatever
/// it is given, it must end by itself, never by a signal, and a failing run must say why in exactly one line on
/// stderr. `TERM=dumb`, so the console never takes a terminal: it says so in one line and exits 1. The seed is
/// fixed, so a failure names an argument list that fails again.
@Suite struct CommandLineFuzzTests {
    static let seed: UInt64 = 0x00F0_5EB0_C5F0_22ED
    static let randomRuns = 200
    /// Seconds a run may take before it counts as hung (`timeout` then stops it).
    static let timeoutSeconds = 10
    /// Runs at a time (the machine has two cores, shared).
    static let parallelRuns = 2

    static let commands = [
        "", "", "console", "status", "status", "simulate", "simulate", "scenarios", "help", "nosuch",
    ]
    /// Each option with values it takes that keep a run short, and values just outside its range.
    static let options: [(name: String, good: [String], edges: [String])] = [
        ("--source", ["sim", "sim:recovery", "sim:flapping"], []),
        ("--seed", ["0", "7", "18446744073709551615"], ["-1", "18446744073709551616"]),
        ("--rate", ["1", "20", "50"], ["0", "-0.5", "100001"]),
        ("--instances", ["1", "2", "3"], ["0", "1001"]),
        ("--dependencies", ["0", "3", "10"], ["-1", "10001"]),
        ("--theme", ["dark", "light", "monochrome"], []),
        ("--interval", ["0.5", "1", "2"], ["0.09", "60.5", "3601"]),
        ("--actor", ["alice", "Zoë Ops"], [String(repeating: "a", count: 65)]),
        ("--at", ["1", "5", "10"], ["0", "3601", "86401"]),
        ("--width", ["60", "80", "200"], ["59", "1001"]),
        ("--scenario", ["recovery", "partial-outage", "flapping"], []),
        ("--duration", ["1", "5", "10"], ["0", "604801"]),
        ("--token-file", ["/dev/null"], ["/nonexistent/token", "/", ""]),
    ]
    /// The options each command takes (`""`: the console, the default command).
    static let commandOptions: [String: [String]] = [
        "": ["--source", "--seed", "--rate", "--instances", "--dependencies", "--theme", "--interval", "--actor"],
        "status": [
            "--source", "--seed", "--rate", "--instances", "--dependencies", "--at", "--interval", "--width",
            "--token-file",
        ],
        "simulate": ["--scenario", "--duration", "--seed", "--rate", "--instances", "--dependencies"],
    ]
    static let numberOptions: Set = [
        "--seed", "--rate", "--instances", "--dependencies", "--interval", "--at", "--width", "--duration",
    ]
    static let flags = [
        "--read-only", "--json", "--timeline", "--realtime", "--help", "-h", "--nope", "-x", "--", "-", "---",
        "--json=yes", "--at=",
    ]
    /// Out of range or not a number for every number option, or (as a seed) in range and cheap: no list can ask
    /// for a long run.
    static let numbers = [
        "-1", "-0", "99999999999", "9223372036", "9223372036854775807", "9223372036854775808",
        "-9223372036854775808", "1e308", "1e400", "nan", "inf", "-inf", "0x10", "1_000", "١٢", "５", "", " ", "1 2",
        "--json",
    ]
    static let words = [
        "", " ", "\t", "a\nb", "é", "🔥🔥", "名前", "\u{202E}gnp.txt", String(repeating: "x", count: 300), "-", "--",
        "operator", "neon", "/", "/dev/null", "/nonexistent/x.theme", "..", "meltdown", "\u{7}", "a b",
    ]
    static let sources = [
        "sim:", "sim:meltdown", "SIM", "sim:recovery:extra", "sim:🔥", "sim:" + String(repeating: "z", count: 500),
        "http://127.0.0.1:1", "https://[::1", "ftp://x", "", " ", "/dev/null", "/nonexistent",
        "prometheus+http://h:9090", "resilience4j+http://h/actuator", "a\nb",
    ]
    static let users = ["alice", "", " ", "\t", "ops\u{1b}[31m", String(repeating: "u", count: 100), "Zoë"]

    /// The values an option is tried with when it is the bad one in a list.
    static func hostileValues(for option: String) -> [String] {
        if option == "--source" { return sources }
        let edges = options.first { $0.name == option }?.edges ?? []
        return edges + (numberOptions.contains(option) ? numbers : words)
    }

    /// Every command with one of its options set to each hostile value (or to none), the rest at their defaults.
    static func oneBadValueLists() -> [[String]] {
        var lists: [[String]] = []
        for (command, names) in commandOptions.sorted(by: { $0.key < $1.key }) {
            let prefix = command.isEmpty ? [] : [command]
            for name in names {
                for value in hostileValues(for: name) { lists.append(prefix + [name, value]) }
                lists.append(prefix + [name])
            }
        }
        return lists
    }

    /// One random command line.
    static func argumentList(_ random: inout SplitMix64) -> [String] {
        var arguments: [String] = []
        let command = commands[random.below(commands.count)]
        if !command.isEmpty { arguments.append(command) }
        if command == "help", random.below(2) == 0 { arguments.append(["status", "simulate", "x"][random.below(3)]) }
        // Keep simulations short unless the list says otherwise (a later --duration wins).
        if command == "simulate" { arguments += ["--duration", "5"] }
        for _ in 0..<random.below(5) {
            if random.below(5) == 0 {
                arguments.append(flags[random.below(flags.count)])
                continue
            }
            let (option, good, _) = options[random.below(options.count)]
            let bad = hostileValues(for: option)
            let value = random.below(2) == 0 ? good[random.below(good.count)] : bad[random.below(bad.count)]
            switch random.below(10) {
            case 0: arguments.append(option)  // no value
            case 1: arguments.append("\(option)=\(value)")
            default: arguments += [option, value]
            }
        }
        // Wall-clock simulations last as long as they say: keep them to a second.
        if arguments.contains("--realtime") { arguments += ["--duration", "1"] }
        return arguments
    }

    struct Outcome: Sendable {
        let arguments: [String]
        let user: String
        let status: Int32
        let output: String
        let errors: String
        let seconds: Double
    }

    @Test func hostileCommandLinesNeverCrashOrHangAndFailInOneLine() async throws {
        let binary = CommandLineTests.binary
        try #require(
            FileManager.default.isExecutableFile(atPath: binary.path),
            "no fusebox binary at \(binary.path); run 'swift build --build-tests' first")
        let config = FileManager.default.temporaryDirectory.appendingPathComponent("fusebox-fuzz-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: config, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: config) }

        var random = SplitMix64(seed: Self.seed)
        let lists =
            Self.oneBadValueLists().map { ($0, "alice") }
            + (0..<Self.randomRuns).map { _ in
                (Self.argumentList(&random), Self.users[random.below(Self.users.count)])
            }
        let base = ProcessInfo.processInfo.environment
        let started = Date()
        var outcomes: [Outcome] = []
        try await withThrowingTaskGroup(of: Outcome.self) { group in
            var next = 0
            func launch() {
                let (arguments, user) = lists[next]
                next += 1
                var environment = base
                environment["TERM"] = "dumb"
                environment["XDG_CONFIG_HOME"] = config.path
                environment["HOME"] = config.path
                environment["USER"] = user
                environment["NO_COLOR"] = nil
                group.addTask {
                    let start = Date()
                    let result = try await spawnAndWait(
                        ["timeout", "--kill-after=2", String(Self.timeoutSeconds), binary.path] + arguments,
                        environment: environment)
                    return Outcome(
                        arguments: arguments, user: user, status: result.status, output: result.output,
                        errors: result.errors, seconds: Date().timeIntervalSince(start))
                }
            }
            for _ in 0..<min(Self.parallelRuns, lists.count) { launch() }
            while let outcome = try await group.next() {
                outcomes.append(outcome)
                if next < lists.count { launch() }
            }
        }

        var problems: [String] = []
        for outcome in outcomes {
            if let problem = Self.problem(with: outcome) {
                let quoted = outcome.arguments.map { "'\($0.debugDescription.dropFirst().dropLast())'" }
                problems.append("USER='\(outcome.user)' fusebox \(quoted.joined(separator: " ")): \(problem)")
            }
        }
        for problem in problems.prefix(10) { Issue.record("\(problem)") }
        #expect(problems.isEmpty, "\(problems.count) of \(outcomes.count) runs went wrong")
        #expect(
            Set(outcomes.map(\.status)).isSuperset(of: [0, 1, 2]), "the lists reach success, no terminal and misuse")
        let slowest = outcomes.max { $0.seconds < $1.seconds }
        print(
            "fuzz: \(outcomes.count) runs in \(Int(Date().timeIntervalSince(started))) s; exits"
                + " \(Dictionary(grouping: outcomes, by: \.status).mapValues(\.count).sorted { $0.key < $1.key });"
                + " slowest \(String(format: "%.1f", slowest?.seconds ?? 0)) s: \(slowest?.arguments ?? [])")
    }

    /// What is wrong with a run, or `nil`.
    static func problem(with outcome: Outcome) -> String? {
        let errors = outcome.errors
        for crash in ["Illegal instruction", "Program crashed", "Fatal error", "Backtracing", "Segmentation fault"]
        where errors.contains(crash) {
            return "crashed (\(crash)): \(errors.prefix(300))"
        }
        if outcome.status == 124 { return "hung: still running after \(timeoutSeconds) s" }
        if outcome.status >= 128 { return "killed by signal \(outcome.status - 128)" }
        guard [0, 1, 2].contains(outcome.status) else { return "exit status \(outcome.status): \(errors)" }
        guard outcome.status != 0 else { return nil }
        let lines = errors.split(separator: "\n", omittingEmptySubsequences: false)
        guard lines.count == 2, lines[1].isEmpty, lines[0].hasPrefix("fusebox: "), lines[0].count > 9 else {
            return "exit \(outcome.status) without exactly one line on stderr: \(errors.debugDescription)"
        }
        // Exit 1 is a runtime failure: no terminal for the console, or a source that does not answer.
        if outcome.status == 1 && !errors.contains("no usable terminal") && !errors.contains("cannot reach") {
            return "exit 1 for something other than the missing terminal or a dead source: \(errors)"
        }
        if errors.contains("line 0") { return "says 'line 0': \(errors)" }
        return nil
    }
}

/// A small deterministic generator (SplitMix64), so the fuzzed lists are the same on every run.
struct SplitMix64 {
    private var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A number in `0..<bound`.
    mutating func below(_ bound: Int) -> Int { Int(next() % UInt64(bound)) }
}
