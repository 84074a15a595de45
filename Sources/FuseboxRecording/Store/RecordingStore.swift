import Foundation
import FuseboxBackend
import FuseboxProtocol

/// A recording's tables on one SQLite connection: appends samples, notes and markers, and reads
/// them back as frames. Not thread-safe: its owners (``FileRecorder``, ``RecordingReader``,
/// ``SessionHistory``) serialize calls.
final class RecordingStore {
    let database: SQLiteDatabase
    /// A keyframe at least this often, so a seek decodes at most this much recorded time.
    let keyframeIntervalMilliseconds: Int64

    // Writing.
    private var encoder = FrameEncoder()
    private var dependencyShapeIDs: [DependencySnapshot: Int64] = [:]
    private var instanceShapeIDs: [Snapshot: Int64] = [:]
    /// Per instance incarnation, the row id of each event of its current ring.
    private var eventIDs: [String: [UInt64: Int64]] = [:]
    private var lastKeyframeAt: Int64?
    private var lastStates: [String: BreakerState] = [:]
    private let json: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    // Reading.
    struct IndexEntry {
        let id: Int64
        let atMilliseconds: Int64
        let flags: SampleFlags
        var isKeyframe: Bool { flags.contains(.keyframe) }
    }
    private(set) var index: [IndexEntry] = []
    private(set) var notes: [TimelineNote] = []
    private(set) var markers: [TimelineMarker] = []
    private var lastNoteIDs = (command: Int64(0), annotation: Int64(0), error: Int64(0), transition: Int64(0))
    private var decoder = FrameDecoder()
    /// The index position the decoder's state belongs to.
    private var decodedPosition: Int?
    private var dependencyShapes: [Int64: (shape: DependencySnapshot, kinds: [SlotKind])] = [:]
    private var instanceShapes: [Int64: Snapshot] = [:]
    private var events: [Int64: Event] = [:]
    /// Samples that could not be read, by index position, with why.
    private(set) var damaged: [Int: String] = [:]
    /// Problems met outside any one sample (a damaged table, rows lost to a torn file).
    private(set) var structuralDamage: [String] = []
    /// Events that samples list but that cannot be read (left out of those samples).
    private var unreadableEvents: Set<Int64> = []
    private let decoderJSON = JSONDecoder()

    init(database: SQLiteDatabase, keyframeIntervalMilliseconds: Int64 = 60_000) {
        self.database = database
        self.keyframeIntervalMilliseconds = keyframeIntervalMilliseconds
    }

    // MARK: - Writing

    func createTables(header: RecordingHeader) throws(SQLiteError) {
        try database.execute(RecordingSchema.create)
        try database.transaction { () throws(SQLiteError) in
            for (key, value) in header.metaRows {
                try database.statement("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)")
                    .bind(1, key).bind(2, value).run()
            }
        }
    }

    /// Appends one poll's snapshots as a sample, in one transaction with the events, shapes and
    /// transitions it brings.
    func appendSample(_ snapshots: [Snapshot], atMilliseconds: Int64) throws(SQLiteError) {
        let keyframe = lastKeyframeAt.map { atMilliseconds - $0 >= keyframeIntervalMilliseconds } ?? true
        do {
            try database.transaction { () throws(SQLiteError) in
                var body = try encodeSample(snapshots, atMilliseconds: atMilliseconds, keyframe: keyframe)
                var flags: SampleFlags = keyframe ? .keyframe : []
                if let deflated = Deflate.compress(body), deflated.count < body.count {
                    body = deflated
                    flags.insert(.deflated)
                }
                let crc = sampleChecksum(body, atMilliseconds: atMilliseconds, flags: flags)
                try database.statement("INSERT INTO samples(at_ms, keyframe, crc, body) VALUES (?, ?, ?, ?)")
                    .bind(1, atMilliseconds).bind(2, Int64(flags.rawValue)).bind(3, Int64(crc)).bind(4, body).run()
                try recordTransitions(snapshots, atMilliseconds: atMilliseconds)
            }
        } catch {
            // The ids the encoder handed out were rolled back: start over from a keyframe.
            forgetWritingState()
            throw error
        }
        if keyframe { lastKeyframeAt = atMilliseconds }
    }

    private func forgetWritingState() {
        encoder = FrameEncoder()
        dependencyShapeIDs = [:]
        instanceShapeIDs = [:]
        eventIDs = [:]
        lastKeyframeAt = nil
    }

    private func encodeSample(
        _ snapshots: [Snapshot], atMilliseconds: Int64, keyframe: Bool
    ) throws(SQLiteError) -> [UInt8] {
        let registry = FrameEncoder.Registry(
            dependencyShape: { [unowned self] shape in try self.dependencyShapeID(shape) },
            instanceShape: { [unowned self] snapshot in try self.instanceShapeID(snapshot) },
            eventIDs: { [unowned self] snapshot in try self.eventRowIDs(snapshot) })
        do {
            return try encoder.encode(snapshots, atMilliseconds: atMilliseconds, keyframe: keyframe, registry: registry)
        } catch let error as SQLiteError {
            throw error
        } catch {
            throw SQLiteError(code: 1, message: "cannot encode the sample: \(error)")
        }
    }

    private func dependencyShapeID(_ shape: DependencySnapshot) throws -> Int64 {
        if let id = dependencyShapeIDs[shape] { return id }
        let id = try insertShape(kind: "dependency", body: try json.encode(shape))
        dependencyShapeIDs[shape] = id
        return id
    }

    private func instanceShapeID(_ snapshot: Snapshot) throws -> Int64 {
        var shape = snapshot
        shape.dependencies = []
        shape.events = []
        shape.takenAtMilliseconds = 0
        shape.lastEventSequence = 0
        if let id = instanceShapeIDs[shape] { return id }
        let id = try insertShape(kind: "instance", body: try json.encode(shape))
        instanceShapeIDs[shape] = id
        return id
    }

    private func insertShape(kind: String, body: Data) throws(SQLiteError) -> Int64 {
        try database.statement("INSERT INTO shapes(kind, crc, body) VALUES (?, ?, ?)")
            .bind(1, kind).bind(2, Int64(CRC32.checksum(Array(body)))).bind(3, String(decoding: body, as: UTF8.self))
            .run()
        return database.lastInsertRowID
    }

    private func eventRowIDs(_ snapshot: Snapshot) throws -> [Int64] {
        let key =
            instanceKey(service: snapshot.service, instance: snapshot.instance)
            + "\u{0}\(snapshot.startedAtMilliseconds ?? 0)"
        let known = eventIDs[key] ?? [:]
        var current: [UInt64: Int64] = [:]
        var ids: [Int64] = []
        ids.reserveCapacity(snapshot.events.count)
        for event in snapshot.events {
            if let id = known[event.sequence] ?? current[event.sequence] {
                ids.append(id)
                current[event.sequence] = id
                continue
            }
            let statement = try database.statement(
                """
                INSERT INTO events(at_ms, service, instance, sequence, kind, dependency, message, crc, body)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """
            )
            let body = try json.encode(event)
            try statement
                .bind(1, event.atMilliseconds).bind(2, snapshot.service).bind(3, snapshot.instance)
                .bind(4, Int64(bitPattern: event.sequence)).bind(5, event.kind.rawValue).bind(6, event.dependency)
                .bind(7, event.message).bind(8, Int64(CRC32.checksum(Array(body))))
                .bind(9, String(decoding: body, as: UTF8.self)).run()
            let id = database.lastInsertRowID
            ids.append(id)
            current[event.sequence] = id
        }
        eventIDs[key] = current
        return ids
    }

    private func recordTransitions(_ snapshots: [Snapshot], atMilliseconds: Int64) throws(SQLiteError) {
        for snapshot in snapshots {
            for dependency in snapshot.dependencies {
                let key =
                    instanceKey(service: snapshot.service, instance: snapshot.instance) + "\u{0}" + dependency.name
                let state = dependency.breaker.state
                defer { lastStates[key] = state }
                guard let before = lastStates[key], before != state else { continue }
                try database.statement(
                    """
                    INSERT INTO transitions(at_ms, service, instance, dependency, from_state, to_state)
                    VALUES (?, ?, ?, ?, ?, ?)
                    """
                )
                .bind(1, atMilliseconds).bind(2, snapshot.service).bind(3, snapshot.instance)
                .bind(4, dependency.name).bind(5, before.rawValue).bind(6, state.rawValue).run()
            }
        }
    }

    func appendCommand(_ command: Command, results: [CommandResult], atMilliseconds: Int64) throws(SQLiteError) {
        let body = String(decoding: (try? json.encode(command)) ?? Data(), as: UTF8.self)
        try database.transaction { () throws(SQLiteError) in
            for result in results {
                try database.statement(
                    """
                    INSERT INTO commands(at_ms, command_id, actor, reason, action, target, instance, status,
                        message, body)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """
                )
                .bind(1, atMilliseconds).bind(2, command.id).bind(3, command.actor).bind(4, command.reason)
                .bind(5, command.action.verb).bind(6, command.action.target).bind(7, result.instance)
                .bind(8, result.status.rawValue).bind(9, result.message).bind(10, body).run()
            }
        }
    }

    func appendAnnotation(_ text: String, author: String, atMilliseconds: Int64) throws(SQLiteError) {
        try database.statement("INSERT INTO annotations(at_ms, author, text) VALUES (?, ?, ?)")
            .bind(1, atMilliseconds).bind(2, author).bind(3, text).run()
    }

    func appendError(_ error: BackendError, source: String, atMilliseconds: Int64) throws(SQLiteError) {
        try appendError(code: error.code.rawValue, message: error.message, source: source, at: atMilliseconds)
    }

    /// A source's recovery is a row of `errors` too, with the code `recovered`.
    func appendRecovery(source: String, atMilliseconds: Int64) throws(SQLiteError) {
        try appendError(code: Self.recovered, message: "answers again", source: source, at: atMilliseconds)
    }

    static let recovered = "recovered"

    private func appendError(code: String, message: String, source: String, at: Int64) throws(SQLiteError) {
        try database.statement("INSERT INTO errors(at_ms, source, code, message) VALUES (?, ?, ?, ?)")
            .bind(1, at).bind(2, source).bind(3, code).bind(4, message).run()
    }

    /// Deletes what is older than `milliseconds`, keeping whole keyframe runs (a live console's
    /// memory of its session is bounded).
    func forget(before milliseconds: Int64) throws(SQLiteError) {
        guard let keep = index.lastIndex(where: { $0.isKeyframe && $0.atMilliseconds <= milliseconds }), keep > 0
        else { return }
        let firstKept = index[keep]
        // The events the first kept keyframe refers to are the oldest any later sample can refer to
        // (a service's recent events only move forward): older ones go too.
        _ = frames(at: keep..<keep + 1)
        let oldestEvent = decoder.tracks.values.flatMap(\.eventIDs).min()
        try database.statement("DELETE FROM samples WHERE id < ?").bind(1, firstKept.id).run()
        for table in ["commands", "annotations", "errors", "transitions"] {
            try database.statement("DELETE FROM \(table) WHERE at_ms < ?").bind(1, firstKept.atMilliseconds).run()
        }
        if let oldestEvent {
            try database.statement("DELETE FROM events WHERE id < ?").bind(1, oldestEvent).run()
            events = events.filter { $0.key >= oldestEvent }
        }
        index.removeFirst(keep)
        damaged = [:]
        decodedPosition = nil
        decoder.reset()
        notes.removeAll { $0.atMilliseconds < firstKept.atMilliseconds }
        markers.removeAll { $0.atMilliseconds < firstKept.atMilliseconds }
    }

    /// Merges the write-ahead log into the file and leaves one self-contained file.
    func finish() throws(SQLiteError) {
        try database.execute("PRAGMA wal_checkpoint(TRUNCATE); PRAGMA journal_mode=DELETE;")
    }

    // MARK: - Reading

    /// Reads the header (`meta`).
    func readHeader() throws(SQLiteError) -> [String: String] {
        var rows: [String: String] = [:]
        let statement = try database.statement("SELECT key, value FROM meta")
        while try statement.step() { rows[statement.string(0)] = statement.string(1) }
        return rows
    }

    /// Reads index rows and notes added since the last call. A damaged table keeps what was read
    /// before the damage and looks for readable rows after it.
    func refresh() {
        refreshIndex()
        refreshNotes()
    }

    private func refreshIndex() {
        var after = index.last?.id ?? 0
        var probe: Int64 = 1
        while true {
            do {
                let statement = try database.statement(
                    "SELECT id, at_ms, keyframe FROM samples WHERE id > ? ORDER BY id")
                statement.bind(1, after)
                while try statement.step() {
                    let entry = IndexEntry(
                        id: statement.int64(0), atMilliseconds: statement.int64(1),
                        flags: SampleFlags(rawValue: UInt8(truncatingIfNeeded: statement.int64(2))))
                    after = entry.id
                    // A time that goes backwards is damage, not data.
                    if let last = index.last, entry.atMilliseconds < last.atMilliseconds { continue }
                    index.append(entry)
                }
                return
            } catch {
                noteStructural("samples after \(clockText(index.last?.atMilliseconds)) are damaged (\(error.message))")
                // Look past the damaged pages, further each time, up to far beyond any real id.
                after += probe
                probe *= 4
                if probe > 1 << 40 { return }
            }
        }
    }

    private func refreshNotes() {
        readRows(
            "SELECT id, at_ms, actor, reason, action, target, instance, status, message FROM commands WHERE id > ?",
            after: \.command
        ) { s in
            TimelineNote(
                kind: .command, atMilliseconds: s.int64(1), actor: s.string(2), reason: s.string(3),
                text: "\(s.string(4)) \(s.string(5)): \(s.string(7))"
                    + (s.string(8).isEmpty ? "" : " (\(s.string(8)))"),
                instance: s.optionalString(6),
                target: s.string(5))
        }
        readRows("SELECT id, at_ms, author, text FROM annotations WHERE id > ?", after: \.annotation) { s in
            TimelineNote(kind: .annotation, atMilliseconds: s.int64(1), actor: s.string(2), text: s.string(3))
        }
        readRows("SELECT id, at_ms, source, code, message FROM errors WHERE id > ?", after: \.error) { s in
            s.string(3) == Self.recovered
                ? TimelineNote(kind: .recovery, atMilliseconds: s.int64(1), actor: s.string(2), text: s.string(4))
                : TimelineNote(
                    kind: .error, atMilliseconds: s.int64(1), actor: s.string(2),
                    text: "\(s.string(4)) (\(s.string(3)))")
        }
        notes.sort { $0.atMilliseconds < $1.atMilliseconds }
        var transitions: [TimelineMarker] = []
        var lastTransition = lastNoteIDs.transition
        do {
            let s = try database.statement(
                "SELECT id, at_ms, instance, dependency, from_state, to_state FROM transitions WHERE id > ? ORDER BY id"
            )
            s.bind(1, lastTransition)
            while try s.step() {
                lastTransition = s.int64(0)
                transitions.append(
                    TimelineMarker(
                        kind: .transition, atMilliseconds: s.int64(1),
                        text: "\(s.string(2)) \(s.string(3)) \(s.string(4)) → \(s.string(5))"))
            }
        } catch {
            noteStructural("breaker transitions are damaged (\(error.message))")
        }
        lastNoteIDs.transition = lastTransition
        markers = (markers + transitions).filter { $0.kind == .transition }
        for note in notes where note.kind == .command || note.kind == .annotation {
            let kind: TimelineMarker.Kind = note.kind == .command ? .command : .annotation
            let text = note.kind == .command ? "\(note.actor): \(note.text)" : "\(note.actor): \(note.text)"
            markers.append(TimelineMarker(kind: kind, atMilliseconds: note.atMilliseconds, text: text))
        }
        markers.sort { ($0.atMilliseconds, $0.kind.rawValue) < ($1.atMilliseconds, $1.kind.rawValue) }
    }

    private func readRows(
        _ sql: String,
        after key: WritableKeyPath<(command: Int64, annotation: Int64, error: Int64, transition: Int64), Int64>,
        _ make: (SQLiteStatement) -> TimelineNote
    ) {
        do {
            let statement = try database.statement(sql + " ORDER BY id")
            statement.bind(1, lastNoteIDs[keyPath: key])
            while try statement.step() {
                lastNoteIDs[keyPath: key] = statement.int64(0)
                notes.append(make(statement))
            }
        } catch {
            noteStructural("some notes are damaged (\(error.message))")
        }
    }

    func noteStructural(_ problem: String) {
        if !structuralDamage.contains(problem) { structuralDamage.append(problem) }
    }

    /// Up to `count` frames ending with the last one at or before `milliseconds`.
    func frames(endingAt milliseconds: Int64, count: Int) -> [TimelineFrame] {
        var end = index.partitionPoint { $0.atMilliseconds <= milliseconds }
        // Samples that cannot be read are skipped: look further back until one can, or the start.
        while end > 0 {
            let found = frames(at: max(0, end - max(1, count))..<end)
            if !found.isEmpty { return found }
            end = max(0, end - max(1, count))
        }
        return []
    }

    /// The frames after `start`, up to and including `end`.
    func frames(after start: Int64, through end: Int64) -> [TimelineFrame] {
        let lower = index.partitionPoint { $0.atMilliseconds <= start }
        let upper = index.partitionPoint { $0.atMilliseconds <= end }
        return frames(at: lower..<max(lower, upper))
    }

    /// The frames at index positions `range`, skipping those that cannot be read.
    func frames(at range: Range<Int>) -> [TimelineFrame] {
        guard !range.isEmpty else { return [] }
        // Continue from where the decoder is when that is closer than the keyframe before the range.
        let keyframe = index[...range.lowerBound].lastIndex { $0.isKeyframe } ?? 0
        var position = keyframe
        if let decoded = decodedPosition, decoded < range.lowerBound, decoded >= keyframe {
            position = decoded + 1
        } else {
            decoder.reset()
        }
        var frames: [TimelineFrame] = []
        frames.reserveCapacity(range.count)
        while position < range.upperBound {
            let snapshots = decode(at: position)
            if position >= range.lowerBound, let snapshots {
                frames.append(frame(at: position, snapshots: snapshots))
            }
            position += 1
        }
        return frames
    }

    private func frame(at position: Int, snapshots: [Snapshot]) -> TimelineFrame {
        let at = index[position].atMilliseconds
        let since = position > 0 ? index[position - 1].atMilliseconds : Int64.min
        let lower = notes.partitionPoint { $0.atMilliseconds <= since }
        let upper = notes.partitionPoint { $0.atMilliseconds <= at }
        return TimelineFrame(atMilliseconds: at, snapshots: snapshots, notes: Array(notes[lower..<max(lower, upper)]))
    }

    /// Decodes the sample at `position`, which must follow the decoder's state (or be a keyframe).
    private func decode(at position: Int) -> [Snapshot]? {
        let entry = index[position]
        defer { decodedPosition = position }
        if damaged[position] != nil {
            decoder.reset()
            return nil
        }
        do {
            let statement = try database.statement("SELECT crc, body FROM samples WHERE id = ?")
            statement.bind(1, entry.id)
            guard try statement.step() else { throw FrameDecoder.Damaged(description: "the sample is missing") }
            var body = statement.bytes(1)
            let crc = sampleChecksum(body, atMilliseconds: entry.atMilliseconds, flags: entry.flags)
            guard UInt32(truncatingIfNeeded: statement.int64(0)) == crc else {
                throw FrameDecoder.Damaged(description: "checksum mismatch")
            }
            if entry.flags.contains(.deflated) {
                guard let inflated = Deflate.decompress(body, limit: 1 << 28) else {
                    throw FrameDecoder.Damaged(description: "a compressed sample that does not inflate")
                }
                body = inflated
            }
            // A delta applies to the sample right before it, never across a gap in the rows.
            let follows = position > 0 && decodedPosition == position - 1 && index[position - 1].id == entry.id - 1
            if !entry.isKeyframe && !(decoder.isPrimed && follows) {
                throw FrameDecoder.Damaged(description: "an earlier sample it builds on is damaged")
            }
            return try decoder.decode(body, atMilliseconds: entry.atMilliseconds, lookup: lookup)
        } catch let error as SQLiteError {
            damaged[position] = error.message
        } catch let error as FrameDecoder.Damaged {
            damaged[position] = error.description
        } catch {
            damaged[position] = "contents that cannot be decoded"
        }
        decoder.reset()
        return nil
    }

    private var lookup: FrameDecoder.Lookup {
        FrameDecoder.Lookup(
            dependencyShape: { [unowned self] id in try self.dependencyShape(id) },
            instanceShape: { [unowned self] id in try self.instanceShape(id) },
            events: { [unowned self] ids in self.readableEvents(ids) })
    }

    private func shapeBody(_ id: Int64) throws -> Data {
        let statement = try database.statement("SELECT crc, body FROM shapes WHERE id = ?")
        statement.bind(1, id)
        guard try statement.step() else { throw FrameDecoder.Damaged(description: "shape \(id) is missing") }
        return try checked(statement, what: "shape")
    }

    /// Column 1's text, if its checksum (column 0) matches.
    private func checked(_ statement: SQLiteStatement, what: String) throws -> Data {
        let body = statement.bytes(1)
        guard UInt32(truncatingIfNeeded: statement.int64(0)) == CRC32.checksum(body) else {
            throw FrameDecoder.Damaged(description: "\(what) checksum mismatch")
        }
        return Data(body)
    }

    private func dependencyShape(_ id: Int64) throws -> (shape: DependencySnapshot, kinds: [SlotKind]) {
        if let cached = dependencyShapes[id] { return cached }
        let shape = try decoderJSON.decode(DependencySnapshot.self, from: try shapeBody(id))
        let entry = (shape: shape, kinds: slotKinds(of: shape))
        dependencyShapes[id] = entry
        return entry
    }

    private func instanceShape(_ id: Int64) throws -> Snapshot {
        if let cached = instanceShapes[id] { return cached }
        let shape = try decoderJSON.decode(Snapshot.self, from: try shapeBody(id))
        instanceShapes[id] = shape
        return shape
    }

    /// The events that can be read: a damaged event costs the snapshots that list it that one
    /// event, never their numbers.
    private func readableEvents(_ ids: [Int64]) -> [Event] {
        var events: [Event] = []
        events.reserveCapacity(ids.count)
        for id in ids {
            do {
                events.append(try event(id))
            } catch {
                unreadableEvents.insert(id)
            }
        }
        return events
    }

    private func event(_ id: Int64) throws -> Event {
        if let cached = events[id] { return cached }
        let statement = try database.statement("SELECT crc, body FROM events WHERE id = ?")
        statement.bind(1, id)
        guard try statement.step() else { throw FrameDecoder.Damaged(description: "event \(id) is missing") }
        let event = try decoderJSON.decode(Event.self, from: try checked(statement, what: "event"))
        if events.count > 100_000 { events = [:] }
        events[id] = event
        return event
    }

    /// One line on what could not be read, if anything.
    var damageSummary: String? {
        var parts = structuralDamage
        if !unreadableEvents.isEmpty {
            let one = unreadableEvents.count == 1
            let events = one ? "1 event" : "\(unreadableEvents.count) events"
            parts.append("\(events) unreadable (left out of the snapshots that listed \(one ? "it" : "them"))")
        }
        if !damaged.isEmpty {
            let positions = damaged.keys.sorted()
            let first = index[positions[0]].atMilliseconds
            let last = index[positions[positions.count - 1]].atMilliseconds
            let reasons = Set(damaged.values).sorted().joined(separator: "; ")
            parts.append(
                "\(positions.count) of \(index.count) samples unreadable "
                    + "(\(first == last ? clockText(first) : "\(clockText(first))–\(clockText(last))") UTC: \(reasons))"
            )
        }
        return parts.isEmpty ? nil : parts.joined(separator: "; ")
    }
}

/// What the `samples.keyframe` column holds: bit 0 a keyframe, bit 1 a deflated body.
struct SampleFlags: OptionSet {
    let rawValue: UInt8
    static let keyframe = SampleFlags(rawValue: 1)
    static let deflated = SampleFlags(rawValue: 2)
}

/// A sample's checksum covers its time and flags too, so a damaged index row is caught as well.
func sampleChecksum(_ body: [UInt8], atMilliseconds: Int64, flags: SampleFlags) -> UInt32 {
    var covered = ByteWriter(capacity: body.count + 9)
    covered.fixed64(UInt64(bitPattern: atMilliseconds))
    covered.byte(flags.rawValue)
    covered.append(body)
    return CRC32.checksum(covered.bytes)
}

/// `HH:MM:SS` (UTC) of a wall-clock time, or `the start`.
func clockText(_ milliseconds: Int64?) -> String {
    guard let milliseconds else { return "the start" }
    let seconds = Int(((milliseconds / 1000) % 86_400 + 86_400) % 86_400)
    func pad(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
    return "\(pad(seconds / 3600)):\(pad((seconds % 3600) / 60)):\(pad(seconds % 60))"
}
