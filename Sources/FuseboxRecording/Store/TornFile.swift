import Foundation

/// A recording file cut short (a copy interrupted, a disk that filled mid-page): SQLite refuses
/// the whole file when it is shorter than its header says. A padded copy lets everything before
/// the cut be read; what was cut reads as damage.
enum TornFile {
    /// How long the file says it is, when it is shorter than that; `nil` for a whole file.
    ///
    /// Beside a write-ahead log, a short file is not torn: its newest pages are in the log (a
    /// recorder killed, or stopped by a full disk, before it folded the log in). SQLite reads both.
    static func expectedSize(of path: String) -> (actual: Int, expected: Int)? {
        if let attributes = try? FileManager.default.attributesOfItem(atPath: path + "-wal"),
            (attributes[.size] as? NSNumber)?.intValue ?? 0 > 0
        {
            return nil
        }
        guard let handle = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? handle.close() }
        guard let header = try? handle.read(upToCount: 100), header.count == 100,
            header.starts(with: Array("SQLite format 3\u{0}".utf8)),
            let actual = try? handle.seekToEnd()
        else { return nil }
        let bytes = [UInt8](header)
        func bigEndian(_ offset: Int, _ count: Int) -> Int {
            bytes[offset..<offset + count].reduce(0) { $0 << 8 | Int($1) }
        }
        let rawPageSize = bigEndian(16, 2)
        let pageSize = rawPageSize == 1 ? 65_536 : rawPageSize
        guard pageSize >= 512, pageSize.nonzeroBitCount == 1 else { return nil }
        // The in-header page count is trusted only when its "valid for" counter matches.
        let pages = bigEndian(92, 4) == bigEndian(24, 4) ? bigEndian(28, 4) : 0
        let expected = max(pages * pageSize, (Int(actual) + pageSize - 1) / pageSize * pageSize)
        return Int(actual) < expected ? (Int(actual), expected) : nil
    }

    /// A copy of `path` padded with zeros to `size`, in the temporary directory, with the
    /// write-ahead log beside it if there is one (it holds committed samples).
    static func paddedCopy(of path: String, to size: Int) throws -> String {
        let copy = FileManager.default.temporaryDirectory
            .appendingPathComponent("fusebox-torn-\(UUID().uuidString).fuserec").path
        do {
            try FileManager.default.copyItem(atPath: path, toPath: copy)
            if FileManager.default.fileExists(atPath: path + "-wal") {
                try FileManager.default.copyItem(atPath: path + "-wal", toPath: copy + "-wal")
            }
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: copy))
            defer { try? handle.close() }
            try handle.truncate(atOffset: UInt64(size))
            return copy
        } catch {
            remove(copy)
            throw error
        }
    }

    /// Removes a padded copy and what SQLite kept beside it.
    static func remove(_ copy: String) {
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: copy + suffix) }
    }
}
