import Dispatch
import Foundation
public import FuseboxBackend
public import FuseboxProtocol
import Synchronization

/// Writes a live session to a recording file as it happens, on its own thread: the console never
/// waits for the disk.
///
/// Each sample is one SQLite transaction in write-ahead-log mode, so a recorder killed at any
/// moment leaves every sample it had committed readable (at most the poll being written is lost).
/// A write that fails (a full disk, a removed directory) stops the recording and says so through
/// `onStop`, once; the samples before it stay readable.
public final class FileRecorder: SessionRecorder {
    /// Where the recording goes.
    public let path: String
    private let store: Mutex<RecordingStore?>
    private let queue = DispatchQueue(label: "fusebox.recorder")
    private let counts = Mutex((samples: 0, lastAt: Int64?.none, stopped: String?.none))
    private let onStop: @Sendable (String) -> Void

    /// Creates the file (refusing one that exists) and writes its header.
    /// - Parameters:
    ///   - maximumPages: a size limit in 4 KiB pages, past which writes fail as on a full disk
    ///     (tests use it to fill the "disk").
    ///   - syncEachSample: whether each sample waits for the disk (`true`: safe across a power cut;
    ///     `false`: safe across a crash of the process only, for generating test data quickly).
    ///   - onStop: called once, from the recorder's thread, with one line if writing fails.
    public init(
        path: String, header: RecordingHeader, keyframeIntervalMilliseconds: Int64 = 60_000,
        maximumPages: Int? = nil, syncEachSample: Bool = true, onStop: @escaping @Sendable (String) -> Void
    ) throws(RecordingError) {
        self.path = path
        self.onStop = onStop
        // `attributesOfItem` does not follow a symbolic link: a dangling one counts as there.
        guard (try? FileManager.default.attributesOfItem(atPath: path)) == nil else {
            throw RecordingError("\(path) exists; choose another name (a recording is never overwritten)")
        }
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty {
            do {
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            } catch {
                throw RecordingError(
                    "cannot create the directory \(directory) for the recording: \(error.localizedDescription)")
            }
        }
        // Only its owner reads it: it holds who did what and why. SQLite gives the log files beside
        // it the same mode.
        guard FileManager.default.createFile(atPath: path, contents: nil, attributes: [.posixPermissions: 0o600]) else {
            throw RecordingError("cannot create \(path): \(String(cString: strerror(errno)))")
        }
        do {
            let database = try SQLiteDatabase(path: path, mode: .readWriteCreate)
            // WAL with a sync per commit: a crash or power cut loses at most the sample being written.
            // Small pages: a sample spans several, and the last one's unused part is wasted space.
            try database.execute(
                "PRAGMA page_size=1024; PRAGMA journal_mode=WAL; PRAGMA synchronous=\(syncEachSample ? "FULL" : "NORMAL");"
            )
            if let maximumPages { try database.execute("PRAGMA max_page_count=\(maximumPages)") }
            let store = RecordingStore(database: database, keyframeIntervalMilliseconds: keyframeIntervalMilliseconds)
            try store.createTables(header: header)
            self.store = Mutex(store)
        } catch {
            try? FileManager.default.removeItem(atPath: path)
            throw RecordingError("cannot record to \(path): \(error.message)")
        }
    }

    /// Samples written so far.
    public var samplesWritten: Int { counts.withLock { $0.samples } }

    /// Why recording stopped, if it did.
    public var stopReason: String? { counts.withLock { $0.stopped } }

    public func record(_ snapshots: [Snapshot], atMilliseconds: Int64) {
        write { store throws(SQLiteError) in
            try store.appendSample(snapshots, atMilliseconds: atMilliseconds)
            self.counts.withLock {
                $0.samples += 1
                $0.lastAt = atMilliseconds
            }
        }
    }

    public func record(_ command: Command, results: [CommandResult], atMilliseconds: Int64) {
        write { store throws(SQLiteError) in
            try store.appendCommand(command, results: results, atMilliseconds: atMilliseconds)
        }
    }

    public func annotate(_ text: String, author: String, atMilliseconds: Int64) {
        write { store throws(SQLiteError) in
            try store.appendAnnotation(text, author: author, atMilliseconds: atMilliseconds)
        }
    }

    public func record(_ error: BackendError, source: String, atMilliseconds: Int64) {
        write { store throws(SQLiteError) in
            try store.appendError(error, source: source, atMilliseconds: atMilliseconds)
        }
    }

    public func recordRecovery(source: String, atMilliseconds: Int64) {
        write { store throws(SQLiteError) in try store.appendRecovery(source: source, atMilliseconds: atMilliseconds) }
    }

    /// Writes what is queued, folds the write-ahead log into the file and closes it. Returns why
    /// recording stopped early, if it did.
    @discardableResult
    public func finish() -> String? {
        queue.sync {
            store.withLock { store in
                try? store?.finish()
                store?.database.close()
                store = nil
            }
        }
        return stopReason
    }

    /// Removes the file (after ``finish()``): for a recording that never got going.
    public func discard() {
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
    }

    private func write(_ body: @escaping @Sendable (RecordingStore) throws(SQLiteError) -> Void) {
        queue.async { [self] in
            let failure: String? = store.withLock { store -> String? in
                guard let current = store else { return nil }
                do throws(SQLiteError) {
                    try body(current)
                    return nil
                } catch {
                    current.database.close()
                    store = nil
                    return describe(error)
                }
            }
            guard let failure else { return }
            let line = counts.withLock { counts in
                let kept = counts.lastAt.map { ", up to \(clockText($0)) UTC" } ?? ""
                let line =
                    "recording stopped: \(failure) (\(path): \(counts.samples) sample\(counts.samples == 1 ? "" : "s") kept\(kept))"
                counts.stopped = line
                return line
            }
            onStop(line)
        }
    }

    private func describe(_ error: SQLiteError) -> String {
        if error.isDiskFull { return "the disk is full" }
        return "a write failed: \(error.message)"
    }
}
