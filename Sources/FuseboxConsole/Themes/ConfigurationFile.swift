#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A configuration file that is there but cannot be used as a whole: no permission, a folder, a symbolic link
/// loop, not text.
public struct ConfigurationFileError: Error, Hashable, CustomStringConvertible {
    /// The file as it was named.
    public let path: String
    /// What is wrong with it, in a few words (`permission denied`).
    public let problem: String

    /// `PATH: PROBLEM`, one line.
    public var description: String { "\(path): \(problem)" }
}

/// Reads the small text files the console is configured with (themes, the key map), telling a file that is
/// not there (fine: the defaults apply) from one that is there but unusable (a mistake to report).
public enum ConfigurationFile {
    /// The largest file read; themes and key maps are a few kilobytes.
    public static let maximumBytes = 1 << 20

    /// Whether anything (a file, a folder, a symbolic link, even a broken one) is at `path`.
    public static func entryExists(at path: String) -> Bool {
        var info = stat()
        return lstat(path, &info) == 0
    }

    /// The UTF-8 text of the file at `path`, or `nil` if nothing is there.
    /// - Throws: ``ConfigurationFileError`` if something is there but cannot be read as text, including a
    ///   symbolic link to nothing and a path through something that is not a folder.
    public static func text(at path: String) throws(ConfigurationFileError) -> String? {
        // Non-blocking, so a named pipe cannot hang the open; it is refused below as not a regular file.
        let descriptor = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        if descriptor < 0 {
            let code = errno
            if code == ENOENT {
                guard entryExists(at: path) else { return nil }
                throw ConfigurationFileError(path: path, problem: "a symbolic link to nothing")
            }
            throw ConfigurationFileError(path: path, problem: problem(errno: code))
        }
        defer { close(descriptor) }
        var info = stat()
        guard fstat(descriptor, &info) == 0 else {
            throw ConfigurationFileError(path: path, problem: problem(errno: errno))
        }
        switch info.st_mode & S_IFMT {
        case S_IFREG: break
        case S_IFDIR: throw ConfigurationFileError(path: path, problem: "a folder, not a file")
        default: throw ConfigurationFileError(path: path, problem: "not a regular file")
        }
        guard info.st_size <= maximumBytes else {
            throw ConfigurationFileError(path: path, problem: "larger than \(maximumBytes / 1024) KiB")
        }
        var bytes = [UInt8](repeating: 0, count: Int(info.st_size) + 1)
        var filled = 0
        while filled < bytes.count {
            let count = bytes.withUnsafeMutableBytes { buffer in
                read(descriptor, buffer.baseAddress! + filled, buffer.count - filled)
            }
            if count == 0 { break }
            if count < 0 {
                if errno == EINTR { continue }
                throw ConfigurationFileError(path: path, problem: problem(errno: errno))
            }
            filled += count
        }
        guard filled <= maximumBytes else {
            throw ConfigurationFileError(path: path, problem: "larger than \(maximumBytes / 1024) KiB")
        }
        guard let text = String(validating: bytes[..<filled], as: UTF8.self) else {
            throw ConfigurationFileError(path: path, problem: "not UTF-8 text")
        }
        return text.hasPrefix("\u{FEFF}") ? String(text.dropFirst()) : text
    }

    private static func problem(errno code: Int32) -> String {
        switch code {
        case EACCES, EPERM: return "permission denied"
        case ELOOP: return "too many levels of symbolic links (a loop?)"
        case ENOTDIR: return "a part of the path is not a folder"
        case EISDIR: return "a folder, not a file"
        case ENAMETOOLONG: return "the path is too long"
        default:
            let text = String(cString: strerror(code))
            return text.prefix(1).lowercased() + text.dropFirst()
        }
    }
}
