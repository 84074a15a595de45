import Dispatch
public import FuseboxBackend
public import FuseboxProtocol
import Synchronization

/// What a live console has seen so far, kept in memory in the recording format, so pausing the
/// console offers the same controls as replaying a file. Holds the last ``retentionMilliseconds``.
public final class SessionHistory: SessionRecorder, ReplayTimeline {
    private let store: Mutex<RecordingStore>
    /// Writes happen here, off the caller's thread; reads wait here for the writes before them.
    private let queue = DispatchQueue(label: "fusebox.history")
    public let retentionMilliseconds: Int64

    public init(retentionMilliseconds: Int64 = 3_600_000, keyframeIntervalMilliseconds: Int64 = 60_000) {
        self.retentionMilliseconds = retentionMilliseconds
        // An in-memory database cannot fail to open short of running out of memory.
        let database = try! SQLiteDatabase(path: ":memory:", mode: .readWriteCreate)
        let store = RecordingStore(database: database, keyframeIntervalMilliseconds: keyframeIntervalMilliseconds)
        try! store.createTables(
            header: RecordingHeader(
                sources: [], startedAtMilliseconds: 0, fuseboxVersion: "", host: "", intervalMilliseconds: 0))
        self.store = Mutex(store)
    }

    public func record(_ snapshots: [Snapshot], atMilliseconds: Int64) {
        queue.async { [self] in
            store.withLock { store in
                try? store.appendSample(snapshots, atMilliseconds: atMilliseconds)
                store.refresh()
                if let first = store.index.first, atMilliseconds - first.atMilliseconds > self.retentionMilliseconds {
                    try? store.forget(before: atMilliseconds - self.retentionMilliseconds)
                }
            }
        }
    }

    public func record(_ command: Command, results: [CommandResult], atMilliseconds: Int64) {
        queue.async { [self] in
            store.withLock { store in
                try? store.appendCommand(command, results: results, atMilliseconds: atMilliseconds)
                store.refresh()
            }
        }
    }

    public func annotate(_ text: String, author: String, atMilliseconds: Int64) {
        queue.async { [self] in
            store.withLock { store in
                try? store.appendAnnotation(text, author: author, atMilliseconds: atMilliseconds)
                store.refresh()
            }
        }
    }

    public func record(_ error: BackendError, source: String, atMilliseconds: Int64) {
        queue.async { [self] in
            store.withLock { store in
                try? store.appendError(error, source: source, atMilliseconds: atMilliseconds)
                store.refresh()
            }
        }
    }

    public func recordRecovery(source: String, atMilliseconds: Int64) {
        queue.async { [self] in
            store.withLock { store in
                try? store.appendRecovery(source: source, atMilliseconds: atMilliseconds)
                store.refresh()
            }
        }
    }

    public func frameTimes() -> [Int64] {
        queue.sync { store.withLock { $0.index.map(\.atMilliseconds) } }
    }

    public func notes() -> [TimelineNote] {
        queue.sync { store.withLock { $0.notes } }
    }

    public func markers() -> [TimelineMarker] {
        queue.sync { store.withLock { $0.markers } }
    }

    public func frames(endingAt milliseconds: Int64, count: Int) throws(BackendError) -> [TimelineFrame] {
        queue.sync { store.withLock { $0.frames(endingAt: milliseconds, count: count) } }
    }

    public func frames(after start: Int64, through end: Int64) throws(BackendError) -> [TimelineFrame] {
        queue.sync { store.withLock { $0.frames(after: start, through: end) } }
    }

    /// Memory never stops recording.
    public var stopReason: String? { nil }

    public var damage: String? { queue.sync { store.withLock { $0.damageSummary } } }
}
