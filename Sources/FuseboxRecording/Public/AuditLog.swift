import Dispatch
import Foundation
public import FuseboxBackend
public import FuseboxProtocol
import Synchronization

/// The console's own audit trail: every command it sent and every annotation, one JSON object per
/// line, appended to a local file (`$XDG_STATE_HOME/fusebox/audit.log`), whatever the source keeps.
/// Polls are not written. Written on its own thread; a failed write stops it and says so once.
public final class AuditLog: SessionRecorder {
    public let path: String
    private let queue = DispatchQueue(label: "fusebox.audit")
    private let handle: Mutex<FileHandle?>
    private let stopped = Mutex<String?>(nil)

    /// Opens `path` for appending, creating it (and its directory) if needed.
    public init(path: String) throws(RecordingError) {
        self.path = path
        let directory = (path as NSString).deletingLastPathComponent
        do {
            if !directory.isEmpty {
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            }
            if !FileManager.default.fileExists(atPath: path) {
                guard
                    FileManager.default.createFile(atPath: path, contents: nil, attributes: [.posixPermissions: 0o600])
                else { throw RecordingError("cannot create \(path)") }
            }
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
            try handle.seekToEnd()
            self.handle = Mutex(handle)
        } catch let error as RecordingError {
            throw error
        } catch {
            throw RecordingError("cannot open the audit log \(path): \(error.localizedDescription)")
        }
    }

    public var stopReason: String? { stopped.withLock { $0 } }

    public func record(_ snapshots: [Snapshot], atMilliseconds: Int64) {}

    public func record(_ error: BackendError, source: String, atMilliseconds: Int64) {}

    public func record(_ command: Command, results: [CommandResult], atMilliseconds: Int64) {
        let lines = results.map { result in
            AuditLine(
                at: atMilliseconds, kind: "command", actor: command.actor, reason: command.reason,
                action: command.action.verb, target: command.action.target, instance: result.instance,
                status: result.status.rawValue, message: result.message, commandId: command.id)
        }
        append(lines)
    }

    public func annotate(_ text: String, author: String, atMilliseconds: Int64) {
        append([AuditLine(at: atMilliseconds, kind: "annotation", actor: author, message: text)])
    }

    /// Waits for queued lines and closes the file.
    public func close() {
        queue.sync {
            handle.withLock {
                try? $0?.close(); $0 = nil
            }
        }
    }

    private func append(_ lines: [AuditLine]) {
        queue.async { [self] in
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            var data = Data()
            for line in lines {
                guard let encoded = try? encoder.encode(line) else { continue }
                data.append(encoded)
                data.append(0x0A)
            }
            let failure: String? = handle.withLock { handle -> String? in
                guard let current = handle else { return nil }
                do {
                    try current.write(contentsOf: data)
                    return nil
                } catch {
                    try? current.close()
                    handle = nil
                    return "the audit log stopped: cannot write \(path): \(error.localizedDescription)"
                }
            }
            if let failure { stopped.withLock { $0 = $0 ?? failure } }
        }
    }
}

private struct AuditLine: Encodable {
    var at: Int64
    var kind: String
    var actor: String
    var reason: String?
    var action: String?
    var target: String?
    var instance: String?
    var status: String?
    var message: String
    var commandId: String?
}
