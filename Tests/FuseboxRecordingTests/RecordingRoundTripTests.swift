import Foundation
import FuseboxBackend
import FuseboxProtocol
import FuseboxTestSupport
import Synchronization
import Testing

@testable import FuseboxRecording

@Suite struct RecordingRoundTripTests {
    @Test func everyFrameComesBackExactlyAsRecorded() async throws {
        let polls = await RecordedScenario.polls
        let path = try RecordedScenario.record(polls)
        let reader = try RecordingReader(path: path)
        #expect(reader.header.sources == ["sim:partial-outage"])
        #expect(reader.header.formatVersion == RecordingHeader.currentFormat)
        #expect(reader.frameTimes() == polls.map(\.atMilliseconds))
        var count = 0
        // Field by field, and bit for bit as JSON (== cannot tell -0.0 from 0.0).
        let json = JSONEncoder()
        json.outputFormatting = .sortedKeys
        try reader.forEachFrame { frame in
            let poll = polls[count]
            #expect(frame.atMilliseconds == poll.atMilliseconds)
            if frame.snapshots != poll.snapshots {
                Issue.record("frame \(count) differs: \(firstDifference(frame.snapshots, poll.snapshots))")
            } else if try json.encode(frame.snapshots) != json.encode(poll.snapshots) {
                Issue.record("frame \(count) differs in its bits")
            }
            count += 1
        }
        #expect(count == polls.count)
        #expect(reader.damage == nil)
        // The scenario has transitions; each became a marker.
        let transitions = reader.markers().filter { $0.kind == .transition }
        #expect(!transitions.isEmpty)
    }

    @Test func seekingAnywhereGivesThatMomentExactly() async throws {
        let polls = await RecordedScenario.polls
        let path = try RecordedScenario.record(polls, keyframeIntervalMilliseconds: 20_000)
        let reader = try RecordingReader(path: path)
        var random = SplitMix(state: 3)
        for _ in 0..<40 {
            let target = Int.random(in: 0..<polls.count, using: &random)
            // Anywhere between this poll and the next lands on this poll.
            let at = polls[target].atMilliseconds + Int64.random(in: 0..<1_000, using: &random)
            let frames = try reader.frames(endingAt: at, count: 3)
            #expect(frames.last?.atMilliseconds == polls[target].atMilliseconds)
            #expect(frames.last?.snapshots == polls[target].snapshots)
            #expect(frames.count == min(3, target + 1))
            if target >= 2 { #expect(frames.first?.snapshots == polls[target - 2].snapshots) }
        }
        // Before the first frame there is nothing; after the last, the last.
        #expect(try reader.frames(endingAt: polls[0].atMilliseconds - 1, count: 5).isEmpty)
        #expect(try reader.frames(endingAt: .max, count: 1).last?.snapshots == polls.last?.snapshots)
        let stretch = try reader.frames(after: polls[10].atMilliseconds, through: polls[14].atMilliseconds)
        #expect(stretch.map(\.atMilliseconds) == polls[11...14].map(\.atMilliseconds))
    }

    @Test func commandsAnnotationsAndErrorsLandOnTheirFrameAndTheTimeline() async throws {
        let polls = Array(await RecordedScenario.polls.prefix(20))
        let at = polls[5].atMilliseconds - 300
        let command = Command(
            id: "c-1", actor: "alice", reason: "payments timing out", action: .forceOpen(dependency: "payments"))
        let results = ["checkout-1", "checkout-2"].map { instance in
            CommandResult(
                commandId: "c-1", instance: instance, status: .applied, target: "payments", before: nil, after: nil,
                refusal: nil, message: "payments forced open", atMilliseconds: at)
        }
        let path = try RecordedScenario.record(polls) { recorder in
            recorder.record(command, results: results, atMilliseconds: at)
            recorder.annotate("paged the payments team", author: "alice", atMilliseconds: polls[8].atMilliseconds)
            recorder.record(
                BackendError(.unreachable, "connection refused"), source: "http://127.0.0.1:1",
                atMilliseconds: polls[9].atMilliseconds - 10)
        }
        let reader = try RecordingReader(path: path)
        let frames = try reader.frames(after: polls[0].atMilliseconds, through: polls[19].atMilliseconds)
        let noted = frames.filter { !$0.notes.isEmpty }
        #expect(noted.map(\.atMilliseconds) == [5, 8, 9].map { polls[$0].atMilliseconds })
        #expect(noted[0].notes.map(\.instance) == ["checkout-1", "checkout-2"])
        #expect(noted[0].notes[0].actor == "alice")
        #expect(noted[0].notes[0].reason == "payments timing out")
        #expect(noted[0].notes[0].text == "force-open payments: applied (payments forced open)")
        #expect(noted[1].notes.map(\.text) == ["paged the payments team"])
        #expect(noted[2].notes.map(\.kind) == [.error])
        let kinds = reader.markers().filter { $0.kind != .transition }.map(\.kind)
        #expect(kinds == [.command, .command, .annotation])
    }

    @Test func aNewerMajorVersionIsRefusedAndAnOlderMinorIsRead() async throws {
        let polls = Array(await RecordedScenario.polls.prefix(5))
        let path = try RecordedScenario.record(polls)
        try setMeta(path, "format_version", "2.7")
        #expect(try RecordingReader(path: path).frameTimes().count == 5)
        // 1.x is still read: the reader follows each stored shape, which says which slots exist.
        try setMeta(path, "format_version", "1.0")
        #expect(try RecordingReader(path: path).frameTimes().count == 5)
        try setMeta(path, "format_version", "3.0")
        let error = #expect(throws: RecordingError.self) { try RecordingReader(path: path) }
        #expect(error?.message.contains("newer than this fusebox reads (1.x to 2.x): upgrade fusebox") == true)
        try setMeta(path, "format", "something-else")
        let other = #expect(throws: RecordingError.self) { try RecordingReader(path: path) }
        #expect(other?.message.contains("is not a Fusebox recording") == true)
    }

    @Test func filesThatAreNotRecordingsAreRefusedInOneLine() throws {
        let path = RecordedScenario.temporaryPath()
        try FileManager.default.createDirectory(
            atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try Data("not a database, just text\n".utf8).write(to: URL(fileURLWithPath: path))
        let error = #expect(throws: RecordingError.self) { try RecordingReader(path: path) }
        #expect(error?.message.contains("is not a Fusebox recording") == true)
        #expect(error?.message.contains("\n") == false)
        let missing = #expect(throws: RecordingError.self) { try RecordingReader(path: path + ".nothing") }
        #expect(missing?.message.hasSuffix("does not exist") == true)
    }

    @Test func anExistingFileIsNeverOverwritten() async throws {
        let path = try RecordedScenario.record(Array(await RecordedScenario.polls.prefix(2)))
        let before = try Data(contentsOf: URL(fileURLWithPath: path))
        let error = #expect(throws: RecordingError.self) {
            try FileRecorder(path: path, header: RecordedScenario.header(), onStop: { _ in })
        }
        #expect(error?.message.contains("exists") == true)
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)
        // Nor is a file made through a symbolic link, even one that points nowhere yet.
        let link = (path as NSString).deletingLastPathComponent + "/link.fuserec"
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: link + ".target")
        #expect(throws: RecordingError.self) {
            try FileRecorder(path: link, header: RecordedScenario.header(), onStop: { _ in })
        }
        #expect(!FileManager.default.fileExists(atPath: link + ".target"))
    }

    @Test func aFullDiskStopsTheRecordingVisiblyAndKeepsWhatWasWritten() async throws {
        let polls = await RecordedScenario.polls
        let path = RecordedScenario.temporaryPath()
        let stops = StopLines()
        let recorder = try FileRecorder(
            path: path, header: RecordedScenario.header(), maximumPages: 60, onStop: { stops.add($0) })
        for poll in polls { recorder.record(poll.snapshots, atMilliseconds: poll.atMilliseconds) }
        let reason = recorder.finish()
        #expect(stops.lines.count == 1, "told once, not per failed write")
        let line = try #require(stops.lines.first)
        #expect(line.hasPrefix("recording stopped: the disk is full ("))
        #expect(line.contains("samples kept, up to "))
        #expect(reason == line)
        let kept = recorder.samplesWritten
        #expect(kept > 0 && kept < polls.count)
        let reader = try RecordingReader(path: path)
        var read = 0
        reader.forEachFrame { frame in
            #expect(frame.snapshots == polls[read].snapshots)
            read += 1
        }
        #expect(read == kept)
    }

    @Test func aSessionHistoryKeepsOnlyItsRetentionAndReplaysLikeAFile() async throws {
        let polls = Array(await RecordedScenario.polls.prefix(150))
        let history = SessionHistory(retentionMilliseconds: 60_000, keyframeIntervalMilliseconds: 10_000)
        for poll in polls { history.record(poll.snapshots, atMilliseconds: poll.atMilliseconds) }
        let times = history.frameTimes()
        #expect(times.last == polls.last?.atMilliseconds)
        let span = times.last! - times.first!
        #expect(span >= 60_000 && span <= 71_000, "kept \(span) ms")
        let frames = try history.frames(endingAt: polls[120].atMilliseconds, count: 2)
        #expect(frames.map(\.snapshots) == [polls[119].snapshots, polls[120].snapshots])
        // What was forgotten (old samples, and the events only they referred to) is not missed.
        let kept = try history.frames(after: 0, through: .max)
        #expect(kept.count == times.count)
        #expect(kept.last?.snapshots == polls.last?.snapshots)
        #expect(history.damage == nil)
    }
}

final class StopLines: Sendable {
    private let box = Synchronization.Mutex<[String]>([])
    var lines: [String] { box.withLock { $0 } }
    func add(_ line: String) { box.withLock { $0.append(line) } }
}

func setMeta(_ path: String, _ key: String, _ value: String) throws {
    let database = try SQLiteDatabase(path: path, mode: .readWriteCreate)
    try database.statement("UPDATE meta SET value = ? WHERE key = ?").bind(1, value).bind(2, key).run()
    database.close()
}

/// Where two snapshot lists first differ, for a readable failure.
func firstDifference(_ a: [Snapshot], _ b: [Snapshot]) -> String {
    guard a.count == b.count else { return "\(a.count) vs \(b.count) snapshots" }
    for (x, y) in zip(a, b) where x != y {
        if x.dependencies.count != y.dependencies.count { return "\(x.instance): dependency count" }
        for (d, e) in zip(x.dependencies, y.dependencies) where d != e {
            return "\(x.instance) \(d.name): \(d) vs \(e)"
        }
        if x.events != y.events { return "\(x.instance): events \(x.events.count) vs \(y.events.count)" }
        return "\(x.instance): instance fields"
    }
    return "none"
}

@Suite struct SlotCodingTests {
    /// Values that the decimal, ratio and raw forms must all give back with the same bits.
    @Test func measurementsComeBackBitForBit() throws {
        let awkward: [Double] = [
            -0.0, 0, 4.191, -4.191, 1.0 / 3, 100.0 / 3, 0.999, 1e-300, -1e300, .infinity, -.infinity,
            Double.leastNonzeroMagnitude, 123_456_789.125, 5e15, 0.1 + 0.2,
        ]
        var snapshot = DependencySnapshot(
            name: "d", criticality: .degradable, metadata: [:], breaker: BreakerSnapshot(state: .closed),
            calls: CallCounts(calls: 3, successes: 3), retry: .unknown,
            fallbacks: FallbackSnapshot(chain: [], activations: [], unserved: 0, maxStalenessMilliseconds: 0),
            bulkhead: nil, rateLimiter: nil, latency: LatencySnapshot(count: 3, mean: 0), slo: nil)
        var encoder = FrameEncoder()
        var decoder = FrameDecoder()
        var shapes: [Int64: DependencySnapshot] = [:]
        let registry = FrameEncoder.Registry(
            dependencyShape: { shape in
                let id = Int64(shapes.count + 1)
                shapes[id] = shape
                return id
            },
            instanceShape: { _ in 0 }, eventIDs: { _ in [] })
        let lookup = FrameDecoder.Lookup(
            dependencyShape: { id in (shapes[id]!, slotKinds(of: shapes[id]!)) },
            instanceShape: { _ in
                Snapshot(
                    service: "s", instance: "i", takenAtMilliseconds: 0, lastEventSequence: 0,
                    degradationLevel: .normal, dependencies: [], flags: [], events: [])
            },
            events: { _ in [] })
        for (step, value) in (awkward + awkward.reversed()).enumerated() {
            snapshot.latency.mean = value
            snapshot.fallbacks.maxStalenessMilliseconds = -value
            let instance = Snapshot(
                service: "s", instance: "i", takenAtMilliseconds: Int64(step), lastEventSequence: 0,
                degradationLevel: .normal, dependencies: [snapshot], flags: [], events: [])
            let bytes = try encoder.encode(
                [instance], atMilliseconds: Int64(step), keyframe: step == 0, registry: registry)
            let decoded = try decoder.decode(bytes, atMilliseconds: Int64(step), lookup: lookup)
            let back = try #require(decoded.first?.dependencies.first)
            #expect(back.latency.mean?.bitPattern == value.bitPattern, "\(value)")
            #expect(back.fallbacks.maxStalenessMilliseconds?.bitPattern == (-value).bitPattern, "\(-value)")
        }
    }
}
