import Foundation
import FuseboxBackend
import FuseboxProtocol
import FuseboxRecording
import Testing

@testable import FuseboxConsole

/// What the console writes about a session, into the real session memory and a real recording
/// file: polls, each source's error once and its recovery once, commands with their results, and
/// a recording that stops, said to the console exactly once.
@Suite struct SessionSinksTests {
    static let snapshot = Snapshot(
        service: "checkout", instance: "checkout-1", takenAtMilliseconds: 1_000, lastEventSequence: 0,
        degradationLevel: .normal, dependencies: [], flags: [], events: [])

    @Test func errorsAreWrittenOnceAndRecoveriesToo() throws {
        let history = SessionHistory()
        let sinks = SessionSinks(
            recorders: [], history: history, source: "http://agent:9901", inbox: Inbox(), isRecording: false)
        let refused = BackendError(.unreachable, "connection refused")
        sinks.record(.data([Self.snapshot], atMilliseconds: 1_000), sources: [])
        for at in [2_000, 3_000, 4_000] as [Int64] {
            sinks.record(.pollFailed(refused, atMilliseconds: at), sources: [])
        }
        sinks.record(.data([Self.snapshot], atMilliseconds: 5_000), sources: [])
        sinks.record(.data([Self.snapshot], atMilliseconds: 6_000), sources: [])
        let notes = history.notes()
        #expect(notes.map(\.kind) == [.error, .recovery], "one error for three failed polls, one recovery")
        #expect(notes.map(\.atMilliseconds) == [2_000, 5_000])
        #expect(history.frameTimes() == [1_000, 5_000, 6_000])
    }

    @Test func commandsAreWrittenWithEachInstancesResult() throws {
        let history = SessionHistory()
        let sinks = SessionSinks(recorders: [], history: history, source: "sim", inbox: Inbox(), isRecording: false)
        sinks.record(.data([Self.snapshot], atMilliseconds: 1_000), sources: [])
        let command = Command(id: "c-1", actor: "alice", reason: "drill", action: .close(dependency: "payments"))
        let results = ["checkout-1", "checkout-2"].map {
            CommandResult(
                commandId: "c-1", instance: $0, status: $0 == "checkout-1" ? .applied : .failed, target: "payments",
                before: nil, after: nil, refusal: nil, message: $0 == "checkout-1" ? "closed" : "cannot reach",
                atMilliseconds: 1_500)
        }
        sinks.record(command, results: results, atMilliseconds: 1_500)
        sinks.record(.data([Self.snapshot], atMilliseconds: 2_000), sources: [])
        let notes = history.notes()
        #expect(notes.map(\.instance) == ["checkout-1", "checkout-2"])
        #expect(notes.map(\.text) == ["close payments: applied (closed)", "close payments: failed (cannot reach)"])
        #expect(notes.allSatisfy { $0.actor == "alice" && $0.reason == "drill" })
    }

    @Test func aRecordingThatStopsIsToldToTheConsoleOnce() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("fusebox-sinks-\(UUID())")
        defer { try? FileManager.default.removeItem(at: directory) }
        let full = try FileRecorder(
            path: directory.appendingPathComponent("full.fuserec").path,
            header: RecordingHeader(
                sources: ["sim"], startedAtMilliseconds: 0, fuseboxVersion: "t", host: "t", intervalMilliseconds: 1_000),
            maximumPages: 30, onStop: { _ in })
        let inbox = Inbox()
        let sinks = SessionSinks(recorders: [full], history: nil, source: "sim", inbox: inbox, isRecording: true)
        var big = Self.snapshot
        big.flags = (0..<200).map {
            FlagSnapshot(
                name: "flag-\($0)", value: .boolean(true), description: String(repeating: "x", count: 200), owner: nil,
                lastChange: nil)
        }
        for at in 0..<20 { sinks.record(.data([big], atMilliseconds: Int64(at) * 1_000), sources: []) }
        full.finish()  // waits for the queued writes, the failed one among them
        for at in 20..<23 { sinks.record(.data([big], atMilliseconds: Int64(at) * 1_000), sources: []) }
        let told = inbox.drain().compactMap { message -> String? in
            if case .recordingStopped(let line) = message { return line }
            return nil
        }
        #expect(told.count == 1)
        #expect(told.first?.hasPrefix("recording stopped: the disk is full") == true)
    }
}
