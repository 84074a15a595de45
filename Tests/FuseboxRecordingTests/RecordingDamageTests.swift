import Foundation
import FuseboxBackend
import FuseboxProtocol
import FuseboxTestSupport
import Testing

@testable import FuseboxRecording

/// Torn and damaged files: the reader opens what it can, says what was lost in one line, and
/// never shows data that was not recorded.
@Suite struct RecordingDamageTests {
    /// The recording every case starts from, and the polls it holds by time.
    private static func original() async throws -> (bytes: Data, polls: [Int64: [Snapshot]], count: Int) {
        let polls = Array(await RecordedScenario.polls.prefix(90))
        let path = try RecordedScenario.record(polls, keyframeIntervalMilliseconds: 15_000)
        let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        return (bytes, Dictionary(uniqueKeysWithValues: polls.map { ($0.atMilliseconds, $0.snapshots) }), polls.count)
    }

    @Test func truncatedAtManyOffsetsShowsOnlyTrueFramesAndSaysWhatWasLost() async throws {
        let (bytes, polls, count) = try await Self.original()
        var outcomes = (opened: 0, refused: 0, partial: 0)
        for offset in offsets(in: bytes.count, count: 40) {
            let path = try write(bytes.prefix(offset))
            check(path, polls: polls, total: count, &outcomes)
        }
        #expect(outcomes.opened > 0, "most truncations still open")
        #expect(outcomes.partial > 0, "some lose samples and say so")
    }

    @Test func overwrittenAtManyOffsetsShowsOnlyTrueFramesAndSaysWhatWasLost() async throws {
        let (bytes, polls, count) = try await Self.original()
        var random = SplitMix(state: 17)
        var outcomes = (opened: 0, refused: 0, partial: 0)
        for offset in offsets(in: bytes.count, count: 60) {
            var damaged = bytes
            for index in offset..<min(bytes.count, offset + 24) {
                damaged[index] = UInt8(truncatingIfNeeded: random.next())
            }
            let path = try write(damaged)
            check(path, polls: polls, total: count, &outcomes)
        }
        #expect(outcomes.opened > 0)
        #expect(outcomes.partial > 0)
    }

    @Test func oneDamagedEventIsCountedInTheDamageLine() async throws {
        let (bytes, _, _) = try await Self.original()
        // An event's body is JSON stored as text; one letter changed fails its checksum and nothing
        // else (the `message` column holds the text alone, without the key).
        let key = Data("\"message\":\"".utf8)
        let found = try #require(bytes.range(of: key), "an event body in the file")
        var damaged = bytes
        damaged[found.upperBound] =
            damaged[found.upperBound] == UInt8(ascii: "X") ? UInt8(ascii: "Y") : UInt8(ascii: "X")
        let reader = try RecordingReader(path: try write(damaged))
        reader.forEachFrame { _ in }
        let damage = try #require(reader.damage)
        #expect(damage.hasPrefix("1 event unreadable"), "\(damage)")
    }

    @Test func aFileWithNoSampleToDecodeIsRefusedInOneLineThatCountsTheTransitionsLeft() async throws {
        let polls = Array(await RecordedScenario.polls.prefix(90))
        let path = try RecordedScenario.record(polls, keyframeIntervalMilliseconds: 15_000)
        // The intact file's reader is closed (released) before the file is changed.
        let transitions = try { () throws -> Int in
            let intact = try RecordingReader(path: path)
            #expect(intact.nothingReadable(file: "f.fuserec") == nil)
            return intact.markers().filter { $0.kind == .transition }.count
        }()
        #expect(transitions > 1, "the scenario trips breakers")
        // Every sample's checksum off by one: each is listed and none decodes; the transitions
        // table is intact. A check of the listing alone would let the file through.
        let database = try SQLiteDatabase(path: path, mode: .readWriteCreate)
        try database.execute("UPDATE samples SET crc = crc + 1")
        database.close()
        let reader = try RecordingReader(path: path)
        #expect(reader.frameTimes().count == 90)
        let line = try #require(reader.nothingReadable(file: "f.fuserec"))
        #expect(
            line.hasPrefix("f.fuserec is damaged and nothing in it can be read: 90 of 90 samples unreadable"), "\(line)"
        )
        #expect(
            line.hasSuffix(
                "; its transitions table still lists \(transitions) breaker transitions"
                    + " (sqlite3 f.fuserec 'SELECT * FROM transitions')"), "\(line)")
    }

    private func offsets(in size: Int, count: Int) -> [Int] {
        // The first pages (header, schema) and then evenly through the file.
        [0, 1, 16, 100, 512, 4_096, 4_200] + (1...count).map { size * $0 / (count + 1) }
    }

    private func write(_ bytes: Data) throws -> String {
        let path = RecordedScenario.temporaryPath()
        try FileManager.default.createDirectory(
            atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try bytes.write(to: URL(fileURLWithPath: path))
        return path
    }

    private func check(
        _ path: String, polls: [Int64: [Snapshot]], total: Int,
        _ outcomes: inout (opened: Int, refused: Int, partial: Int)
    ) {
        let reader: RecordingReader
        do {
            reader = try RecordingReader(path: path)
        } catch {
            #expect(!error.message.isEmpty && !error.message.contains("\n"), "one line: \(error.message)")
            outcomes.refused += 1
            return
        }
        outcomes.opened += 1
        var shown = 0
        var lostEvents = false
        var lastReadable: Int64?
        reader.forEachFrame { frame in
            shown += 1
            lastReadable = frame.atMilliseconds
            guard let recorded = polls[frame.atMilliseconds] else {
                Issue.record("a frame at \(frame.atMilliseconds) that was never recorded (\(path))")
                return
            }
            // The numbers exactly; events may be missing (a damaged event row), never wrong.
            let withoutEvents = { (snapshots: [Snapshot]) in
                snapshots.map { snapshot in
                    var copy = snapshot
                    copy.events = []
                    return copy
                }
            }
            if withoutEvents(frame.snapshots) != withoutEvents(recorded) {
                Issue.record("frame at \(frame.atMilliseconds) differs (\(path))")
            }
            for (shown, original) in zip(frame.snapshots, recorded) where shown.events != original.events {
                #expect(shown.events.allSatisfy(original.events.contains), "an event that was never recorded")
                lostEvents = true
            }
        }
        if lostEvents { #expect(reader.damage != nil, "events lost without a word (\(path))") }
        // The replay's `G`: the last readable sample, however many damaged ones come after it.
        let end = try? reader.frames(endingAt: .max, count: 1)
        #expect(end?.last?.atMilliseconds == lastReadable, "the end shows the last readable sample (\(path))")
        if shown < total {
            outcomes.partial += 1
            let damage = reader.damage
            #expect(damage != nil, "\(total - shown) frames lost without a word (\(path))")
            #expect(damage?.contains("\n") != true)
            if damage?.contains("ends early") == true {
                #expect(damage?.contains("can be read") == true, "a cut says from when on: \(damage ?? "")")
            }
        }
    }
}
