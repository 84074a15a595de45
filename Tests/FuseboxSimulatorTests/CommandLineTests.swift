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

    func fusebox(_ arguments: String...) throws -> Run {
        let binary = Self.binary
        try #require(
            FileManager.default.isExecutableFile(atPath: binary.path),
            "no fusebox binary at \(binary.path); run 'swift build --build-tests' first")
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let out = output.fileHandleForReading.readDataToEndOfFile()
        let err = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Run(
            status: process.terminationStatus, output: String(decoding: out, as: UTF8.self),
            errors: String(decoding: err, as: UTF8.self))
    }

    @Test func scenariosListsEachWithADescription() throws {
        let run = try fusebox("scenarios")
        #expect(run.status == 0)
        let lines = run.output.split(separator: "\n")
        #expect(lines.count == 7)
        #expect(lines[0].hasPrefix("partial-outage") && lines[0].hasSuffix("(default)"))
        for name in ["slow-downstream", "flapping", "regional-failover", "retry-storm", "cache-stale", "recovery"] {
            #expect(lines.contains { $0.hasPrefix(name + " ") }, "\(name) missing")
        }
    }

    @Test func simulatePrintsTheIncidentAsItUnfolds() throws {
        let run = try fusebox("simulate", "--scenario", "recovery", "--duration", "90", "--seed", "3")
        #expect(run.status == 0, "\(run.errors)")
        #expect(run.output.contains("scenario  payments primary region down"))
        #expect(run.output.contains("payments: CLOSED -> OPEN"))
        #expect(run.output.contains("payments: HALF-OPEN -> RECOVERING"))
        #expect(run.output.contains("payments: RECOVERING -> CLOSED"))
        #expect(run.output.contains("checkout-1: "))
        #expect(
            try fusebox("simulate", "--scenario", "recovery", "--duration", "90", "--seed", "3").output == run.output)
    }

    @Test func badUsageExitsWithTwoAndSaysWhatToDo() throws {
        let unknown = try fusebox("simulate", "--scenario", "nope")
        #expect(unknown.status == 2)
        #expect(unknown.errors.contains("unknown scenario 'nope'; choose one of: partial-outage"))
        let tooMany = try fusebox("simulate", "--dependencies", "20000")
        #expect(tooMany.status == 2)
        #expect(tooMany.errors.contains("synthetic dependencies must be 0...10000"))
        #expect(try fusebox("no-such-command").status == 2)
    }
}
