import Foundation
public import FuseboxBackend
import Synchronization

/// A recording opened for replay and reports. Opening reads the header and the index of samples
/// (not the samples): a day's recording opens in well under a second.
///
/// Damage never stops a read: what cannot be read is skipped and summed up in ``damage``.
public final class RecordingReader: ReplayTimeline {
    public let path: String
    public let header: RecordingHeader
    private let store: Mutex<RecordingStore>
    /// The padded copy a torn file is read through, removed when the reader goes.
    private let paddedCopy: String?

    /// Opens `path` read-only.
    public init(path: String) throws(RecordingError) {
        self.path = path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw RecordingError("\(path) does not exist")
        }
        guard !isDirectory.boolValue else { throw RecordingError("\(path) is a directory, not a recording") }
        guard FileManager.default.isReadableFile(atPath: path) else {
            throw RecordingError("cannot read \(path): permission denied")
        }
        var readPath = path
        var torn: String?
        if let size = TornFile.expectedSize(of: path) {
            do {
                readPath = try TornFile.paddedCopy(of: path, to: size.expected)
            } catch {
                throw RecordingError("\(path) ends early and cannot be copied to read around it: \(error)")
            }
            torn = "the file ends early (\(size.actual) of \(size.expected) bytes)"
        }
        paddedCopy = torn == nil ? nil : readPath
        do {
            let store = try Self.open(readPath, named: path)
            header = try RecordingHeader(meta: try Self.meta(store, named: path), path: path)
            store.refresh()
            if let torn {
                // What was cut cannot be counted, only dated: nothing after the last sample read.
                let last = store.index.last.map { "no sample after \(clockText($0.atMilliseconds)) UTC can be read" }
                store.noteStructural(torn + ": " + (last ?? "no sample can be read"))
            }
            self.store = Mutex(store)
        } catch {
            // deinit does not run for an object that never finished initializing.
            if torn != nil { TornFile.remove(readPath) }
            throw error
        }
    }

    private static func open(_ path: String, named name: String) throws(RecordingError) -> RecordingStore {
        do {
            return RecordingStore(database: try SQLiteDatabase(path: path, mode: .readOnly))
        } catch {
            throw RecordingError("cannot open \(name): \(error.message)")
        }
    }

    private static func meta(_ store: RecordingStore, named name: String) throws(RecordingError) -> [String: String] {
        do {
            return try store.readHeader()
        } catch {
            if error.message.hasPrefix("no such table") {
                throw RecordingError("\(name) is not a Fusebox recording (an empty file, or another SQLite database)")
            }
            throw RecordingError(
                error.code == 26 || error.code == 11
                    ? "\(name) is not a Fusebox recording, or is damaged beyond reading (\(error.message))"
                    : "cannot read \(name): \(error.message)")
        }
    }

    deinit {
        if let paddedCopy { TornFile.remove(paddedCopy) }
    }

    /// Reads samples and notes written since opening (a recording still being written grows).
    public func refresh() {
        store.withLock { $0.refresh() }
    }

    public func frameTimes() -> [Int64] {
        store.withLock { $0.index.map(\.atMilliseconds) }
    }

    public func markers() -> [TimelineMarker] {
        store.withLock { $0.markers }
    }

    /// Operator commands, annotations and source errors, oldest first.
    public func notes() -> [TimelineNote] {
        store.withLock { $0.notes }
    }

    public func frames(endingAt milliseconds: Int64, count: Int) throws(BackendError) -> [TimelineFrame] {
        store.withLock { $0.frames(endingAt: milliseconds, count: count) }
    }

    public func frames(after start: Int64, through end: Int64) throws(BackendError) -> [TimelineFrame] {
        store.withLock { $0.frames(after: start, through: end) }
    }

    /// Every readable frame, oldest first, a batch at a time (a report reads a whole day this way).
    public func forEachFrame(_ body: (TimelineFrame) throws -> Void) rethrows {
        let count = store.withLock { $0.index.count }
        var start = 0
        while start < count {
            let end = min(count, start + 256)
            let batch = store.withLock { $0.frames(at: start..<end) }
            for frame in batch { try body(frame) }
            start = end
        }
    }

    public var damage: String? {
        store.withLock { $0.damageSummary }
    }

    /// What is wrong with a damaged file of which no sample decodes and no note (command,
    /// annotation, source error) is left, in one line naming it; `nil` when something can be
    /// shown. `report` and `replay` refuse such a file. Transitions its own table still lists are
    /// counted in the line, with where to read them: without samples neither command can place them.
    /// A damaged file's samples can be listed and still not decode: the check reads back from the
    /// end until one does, so it costs a scan only over damage.
    public func nothingReadable(file: String) -> String? {
        store.withLock { store in
            // Decoding first: damage inside samples is found on reading them.
            guard store.notes.isEmpty, store.frames(endingAt: .max, count: 1).isEmpty, let damage = store.damageSummary
            else { return nil }
            let transitions = store.markers.filter { $0.kind == .transition }.count
            let listed =
                transitions == 0
                ? ""
                : "; its transitions table still lists \(transitions) breaker transition\(transitions == 1 ? "" : "s")"
                    + " (sqlite3 \(file) 'SELECT * FROM transitions')"
            return "\(file) is damaged and nothing in it can be read: \(damage)\(listed)"
        }
    }
}
