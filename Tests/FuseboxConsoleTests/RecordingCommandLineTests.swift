import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// `fusebox record`, `report`, and recordings as a source, run as a person would run them.
@Suite struct RecordingCommandLineTests {
    static let binary = TerminalEndToEndTests.binary

    static func directory(_ name: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("fusebox-rec-\(name)-\(getpid())").path
        try? FileManager.default.removeItem(atPath: path)
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    static func reportJSON(_ file: String) async throws -> [String: Any] {
        let run = try await spawnAndWait([binary, "report", file, "--format", "json"])
        #expect(run.status == 0, "report: \(run.errors)")
        return try #require(try JSONSerialization.jsonObject(with: Data(run.output.utf8)) as? [String: Any])
    }

    @Test func aRecorderKilledWithSIGKILLLosesAtMostTheLastSecond() async throws {
        let directory = try Self.directory("kill")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let file = directory + "/killed.fuserec"
        let recorder = try BackgroundProcess([Self.binary, "record", "--source", "sim", "--interval", "0.2", file])
        _ = try await recorder.waitForLine(containing: "Ctrl-C stops")
        try await Task.sleep(nanoseconds: 3_000_000_000)
        let killedAt = Int64(Date().timeIntervalSince1970 * 1000)
        await recorder.stop(SIGKILL)
        // The write-ahead log is still beside the file: nothing folded it in.
        #expect(FileManager.default.fileExists(atPath: file + "-wal"))
        let report = try await Self.reportJSON(file)
        let samples = try #require(report["samples"] as? Int)
        let last = try #require(report["toMilliseconds"] as? Int64)
        #expect(samples >= 8, "three seconds at 0.2 s keep most of their samples; got \(samples)")
        #expect(killedAt - last <= 1_000 + 200 + 300, "the last sample kept is \(killedAt - last) ms before the kill")
        #expect(report["damage"] == nil)
        // And it replays: status reads its last moment as a source.
        let status = try await spawnAndWait([Self.binary, "status", "--source", file])
        #expect(status.status == 0, "status: \(status.errors)")
        #expect(status.output.contains("payments"))
        // Dated as recorded, not shown as live.
        let header = status.output.split(separator: "\n").first ?? ""
        #expect(header.contains("REPLAY") && !header.contains("LIVE"), "\(header)")
    }

    @Test func recordStopsOnSIGTERMAndClosesTheFileWhole() async throws {
        let directory = try Self.directory("term")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let file = directory + "/term.fuserec"
        let recorder = try BackgroundProcess([Self.binary, "record", "--source", "sim", "--interval", "0.2", file])
        _ = try await recorder.waitForLine(containing: "Ctrl-C stops")
        try await Task.sleep(nanoseconds: 1_500_000_000)
        let status = await recorder.stop(SIGTERM)
        #expect(status == 0)
        #expect(recorder.output.contains("fusebox: recorded "))
        // Closed properly: one self-contained file, no write-ahead log left beside it.
        #expect(!FileManager.default.fileExists(atPath: file + "-wal"))
        let report = try await Self.reportJSON(file)
        #expect((report["samples"] as? Int ?? 0) >= 4)
    }

    @Test func recordRefusesAnExistingFileAndAWrongNameAndDefaultsToTheStateDirectory() async throws {
        let directory = try Self.directory("names")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let existing = directory + "/there.fuserec"
        try Data("keep me".utf8).write(to: URL(fileURLWithPath: existing))
        let refused = try await spawnAndWait([Self.binary, "record", "--duration", "1", existing])
        #expect(refused.status == 1)
        #expect(refused.errors.contains("there.fuserec exists; choose another name"))
        #expect(try String(contentsOfFile: existing, encoding: .utf8) == "keep me")

        let misnamed = try await spawnAndWait([Self.binary, "record", directory + "/session.db"])
        #expect(misnamed.status == 2)
        #expect(misnamed.errors.contains("name the recording FILE.fuserec"))

        var environment = ProcessInfo.processInfo.environment
        environment["XDG_STATE_HOME"] = directory + "/state"
        let defaulted = try await spawnAndWait(
            [Self.binary, "record", "--duration", "1.2", "--interval", "0.5"], environment: environment)
        #expect(defaulted.status == 0, "\(defaulted.errors)")
        let made = try FileManager.default.contentsOfDirectory(atPath: directory + "/state/fusebox/recordings")
        #expect(made.count == 1 && made[0].hasSuffix(".fuserec"))
    }

    @Test func reportAndReplaySayInOneLineWhatIsWrongWithAFile() async throws {
        let directory = try Self.directory("bad")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let text = directory + "/notes.fuserec"
        try Data("this is not a recording\n".utf8).write(to: URL(fileURLWithPath: text))
        for arguments in [["report", text], ["replay", text], ["report", directory + "/missing.fuserec"]] {
            let run = try await spawnAndWait([Self.binary] + arguments)
            #expect(run.status == 1, "\(arguments)")
            #expect(run.errors.hasPrefix("fusebox: "))
            #expect(run.errors.split(separator: "\n").count == 1, "one line: \(run.errors)")
        }
        // Named right, but not readable: a runtime failure (1), like report and replay, not bad usage.
        let status = try await spawnAndWait([Self.binary, "status", "--source", text])
        #expect(status.status == 1)
        #expect(status.errors.contains("is not a Fusebox recording"))
        let empty = directory + "/empty.fuserec"
        _ = FileManager.default.createFile(atPath: empty, contents: nil)
        let emptyRun = try await spawnAndWait([Self.binary, "report", empty])
        #expect(
            emptyRun.errors
                == "fusebox: \(empty) is not a Fusebox recording (an empty file, or another SQLite database)\n")
        // A recording cut so short that no sample, note or transition can be read: no report that
        // says nothing happened, but one line and a failure.
        let whole = directory + "/whole.fuserec"
        let recorded = try await spawnAndWait([
            Self.binary, "record", "--source", "sim", "--duration", "3", "--interval", "0.5", whole,
        ])
        #expect(recorded.status == 0, "\(recorded.errors)")
        let cut = directory + "/cut.fuserec"
        try Data(try Data(contentsOf: URL(fileURLWithPath: whole)).prefix(16_384)).write(to: URL(fileURLWithPath: cut))
        let cutRun = try await spawnAndWait([Self.binary, "report", cut])
        #expect(cutRun.status == 1, "\(cutRun.output)")
        #expect(cutRun.errors.hasPrefix("fusebox: \(cut) is damaged and nothing in it can be read: "))
        #expect(cutRun.errors.split(separator: "\n").count == 1 && !cutRun.output.contains("Nothing happened"))
        // The same for replay: one line, not a console waiting for data that will never come.
        let cutReplay = try await spawnAndWait([Self.binary, "replay", cut])
        #expect(cutReplay.status == 1)
        #expect(cutReplay.errors.hasPrefix("fusebox: \(cut) is damaged and nothing in it can be read: "))
        #expect(cutReplay.errors.split(separator: "\n").count == 1, "one line: \(cutReplay.errors)")
        let folder = try await spawnAndWait([Self.binary, "replay", directory])
        #expect(folder.status == 1)
        #expect(folder.errors.contains("is a directory, not a recording"))
    }
}
