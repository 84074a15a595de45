import Dispatch
import Fusebox
import Logging
import Synchronization

/// Every command attempt, kept in memory for `GET /fusebox/v1/audit` and, when configured,
/// appended to a JSON-lines file that is never rewritten.
///
/// Each file record is written whole and `fsync`'d before the client hears back, on a serial
/// queue of its own (in sequence order, and never on the concurrency pool's threads, which a
/// slow disk would otherwise stall). A write that fails is logged, and reported by `/healthz`
/// and on the command's response (`Fusebox-Audit-Error`); the command itself has already
/// happened and is not undone.
public final class AuditTrail: Sendable {
    /// How many records are kept in memory.
    public let capacity: Int
    private let file: AuditFile?
    private let writer = DispatchQueue(label: "fusebox.audit-writer")
    private let logger: Logger

    private struct State {
        var ring: BoundedRing<AuditRecord>
        var lastSequence: UInt64 = 0
        var lastFileError: String?
    }

    private let state: Mutex<State>

    /// - Parameters:
    ///   - capacity: records kept in memory (at least 1).
    ///   - filePath: a JSON-lines file to append every record to; created if missing.
    /// - Throws: ``AuditFileError`` if the file cannot be opened for appending.
    init(capacity: Int, filePath: String?, logger: Logger) throws(AuditFileError) {
        self.capacity = max(1, capacity)
        self.state = Mutex(State(ring: BoundedRing(capacity: capacity)))
        self.logger = logger
        self.file = try filePath.map { path throws(AuditFileError) in try AuditFile(path: path) }
    }

    /// Stamps `record` with the next sequence number, keeps it, and appends it to the file.
    /// - Returns: the stamped record, and the file error if the append failed.
    @discardableResult
    func append(_ record: AuditRecord) async -> (record: AuditRecord, fileError: String?) {
        await withCheckedContinuation { continuation in
            state.withLock { s in
                s.lastSequence += 1
                var stamped = record
                stamped.sequence = s.lastSequence
                s.ring.append(stamped)
                guard let file else {
                    continuation.resume(returning: (stamped, nil))
                    return
                }
                // Queued under the lock, so the file's order is the sequence order.
                writer.async { [self, stamped] in
                    var fileError: String?
                    do throws(AuditFileError) {
                        try file.append(stamped)
                    } catch {
                        fileError = error.description
                        logger.error(
                            "audit record not written",
                            metadata: ["error": "\(error)", "sequence": "\(stamped.sequence)"])
                    }
                    self.state.withLock { $0.lastFileError = fileError }
                    continuation.resume(returning: (stamped, fileError))
                }
            }
        }
    }

    /// Up to `limit` records older than `before` (all if nil), newest first.
    public func page(limit: Int, before: UInt64?) -> AuditPage {
        state.withLock { s in
            var records: [AuditRecord] = []
            var more = false
            s.ring.forEachNewestFirst { record in
                if let before, record.sequence >= before { return true }
                if records.count == limit {
                    more = true
                    return false
                }
                records.append(record)
                return true
            }
            return AuditPage(records: records, nextBefore: more ? records.last?.sequence : nil, retained: s.ring.count)
        }
    }

    /// The last file write's error, or nil if it succeeded (or there is no file).
    public var fileError: String? { state.withLock { $0.lastFileError } }
}
