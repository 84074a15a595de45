import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// A session recorded in a real terminal (with an annotation typed during it), then replayed in
/// another: pause, play, step, jump to a marker, quit; and its report names the annotation.
extension TerminalEndToEndTests {
    @Test func aRecordedSessionReplaysWithItsMarkersAndControls() async throws {
        guard Self.tmuxInstalled else { return }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("fusebox-replay-e2e-\(getpid())")
        try? FileManager.default.removeItem(at: directory)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("incident.fuserec").path
        let state = "XDG_STATE_HOME=\(Self.shellQuoted(directory.path))"

        try await Self.withSession(
            "record", arguments: "console --interval 0.5 --record \(Self.shellQuoted(file))", environment: state
        ) { session in
            try await session.waitFor("●REC")
            // payments trips a few seconds into partial-outage.
            try await session.waitFor("payments open", seconds: 30) { $0.contains("OPEN 1") }
            try await session.keys("a")
            try await session.waitFor("annotate: _")
            try await session.type("paged the payments team")
            try await session.keys("Enter")
            try await session.waitFor("(recorded)")
            try await Task.sleep(nanoseconds: 1_500_000_000)
            // Ctrl-C, the usual way out: the recording is still closed whole.
            try await session.keys("C-c")
            let ended = try await session.ended()
            #expect(ended.status == "130")
            #expect(ended.settingsRestored)
        }
        #expect(!FileManager.default.fileExists(atPath: file + "-wal"), "the write-ahead log was folded in")
        // The local audit log got the annotation too.
        let audit = try String(
            contentsOfFile: directory.appendingPathComponent("fusebox/audit.log").path, encoding: .utf8)
        #expect(audit.contains("\"message\":\"paged the payments team\""))

        try await Self.withSession("replay", arguments: "replay \(Self.shellQuoted(file))") { session in
            let opened = try await session.waitFor("the replay's first frame") { $0.contains("REPLAY ❚❚ 1x") }
            #expect(opened.contains("[RO]"))
            let startLine = try #require(opened.split(separator: "\n").first)
            // Step forward one sample: the recorded time moves on by the interval.
            try await session.keys("Right")
            try await session.waitFor("a step") { screen in
                screen.split(separator: "\n").first.map { $0 != startLine } ?? false
            }
            // Markers: the transition first, then the annotation.
            try await session.keys("]")
            try await session.waitFor("transition 1/")
            // Each `]` is waited for before the next: a press sent before the last one was drawn
            // would step past the annotation on a loaded machine.
            for next in 2...10 {
                try await session.keys("]")
                let screen = try await session.waitFor("marker \(next)") { screen in
                    ["transition", "command", "annotation"].contains { screen.contains("\($0) \(next)/") }
                        || screen.contains("no marker after this")
                }
                if screen.contains("annotation \(next)/") || screen.contains("no marker after this") { break }
            }
            try await session.waitFor("annotation ")
            try await session.waitFor("paged the payments team")
            // Play, then pause again.
            try await session.keys("Space")
            try await session.waitFor("REPLAY ▶ 1x")
            try await session.keys("+")
            try await session.waitFor("REPLAY ▶ 2x")
            try await session.keys("Space")
            try await session.waitFor("REPLAY ❚❚ 2x")
            // The end, then the event log shows the annotation.
            try await session.keys("G")
            try await session.keys("e")
            try await session.waitFor("alice: paged the payments team") { $0.contains("paged the payments team") }
            try await session.keys("q")
            let ended = try await session.ended()
            #expect(ended.status == "0")
            #expect(ended.settingsRestored)
        }

        let report = try await spawnAndWait([Self.binary, "report", file])
        #expect(report.status == 0)
        #expect(report.output.contains("note: paged the payments team"))
        #expect(report.output.contains("breaker closed → open"))
    }
}
