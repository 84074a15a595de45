#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif
#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// An append-only JSON-lines file: one record per line, each written whole and `fsync`'d.
final class AuditFile: Sendable {
    let path: String
    private let descriptor: Int32

    init(path: String) throws(AuditFileError) {
        let fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            throw AuditFileError("cannot open the audit log \(path) for appending: \(String(cString: strerror(errno)))")
        }
        self.path = path
        self.descriptor = fd
    }

    deinit { close(descriptor) }

    /// Writes `record` as one line and waits until it is on disk.
    func append(_ record: AuditRecord) throws(AuditFileError) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var line: Data
        do {
            line = try encoder.encode(record)
        } catch {
            throw AuditFileError("cannot encode audit record \(record.sequence): \(error)")
        }
        line.append(0x0A)
        // One write per record (retried if a signal interrupts it): with O_APPEND a short write is
        // the only way to tear a line.
        var written = -1
        repeat {
            written = line.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        } while written < 0 && errno == EINTR
        guard written == line.count else {
            let why = written < 0 ? String(cString: strerror(errno)) : "short write (\(written) of \(line.count) bytes)"
            throw AuditFileError("cannot append to the audit log \(path): \(why)")
        }
        guard fsync(descriptor) == 0 else {
            throw AuditFileError("cannot sync the audit log \(path) to disk: \(String(cString: strerror(errno)))")
        }
    }
}

/// The audit file could not be opened or written; says which file and why.
public struct AuditFileError: Error, CustomStringConvertible, Sendable {
    public let description: String
    init(_ description: String) { self.description = description }
}
