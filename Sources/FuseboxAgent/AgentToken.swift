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

/// The shared secret that authorises operator commands (and, if configured, reads).
///
/// It is compared in constant time and never printed: `description` and `debugDescription` say
/// `<redacted>`, so interpolating a token into a log line or an error cannot leak it.
public struct AgentToken: Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    private let bytes: [UInt8]

    /// The shortest token accepted: shorter secrets are guessable.
    public static let minimumLength = 16

    /// - Throws: ``AgentTokenError`` if the token is shorter than ``minimumLength`` bytes or holds whitespace.
    public init(_ secret: String, origin: String) throws(AgentTokenError) {
        let bytes = Array(secret.utf8)
        guard bytes.count >= Self.minimumLength else {
            throw AgentTokenError(
                "the token in \(origin) is \(bytes.count) bytes long; use at least \(Self.minimumLength) "
                    + "(for example: head -c 32 /dev/urandom | base64 > token)")
        }
        guard !bytes.contains(where: { $0 <= 0x20 || $0 == 0x7F }) else {
            throw AgentTokenError("the token in \(origin) contains spaces or control characters; remove them")
        }
        self.bytes = bytes
    }

    /// Reads the token from a file; one trailing line break is ignored.
    /// - Throws: ``AgentTokenError`` naming the file if it cannot be read or holds no usable token.
    public init(contentsOfFile path: String) throws(AgentTokenError) {
        var status = stat()
        if stat(path, &status) == 0, status.st_mode & (S_IWOTH | S_IWGRP) != 0 {
            let who = status.st_mode & S_IWOTH != 0 ? "any user" : "its group"
            throw AgentTokenError(
                "the token file \(path) can be changed by \(who); make it private: chmod 600 \(path)")
        }
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw AgentTokenError("cannot read the token file \(path): check that it exists and is readable")
        }
        guard var text = String(data: data, encoding: .utf8) else {
            throw AgentTokenError("the token file \(path) is not UTF-8 text")
        }
        while let last = text.last, last.isNewline { text.removeLast() }
        try self.init(text, origin: path)
    }

    /// The token from `--token-file` if given, else from the `FUSEBOX_TOKEN` environment variable, else none.
    public static func resolve(file: String?, environment: [String: String]) throws(AgentTokenError) -> AgentToken? {
        if let file { return try AgentToken(contentsOfFile: file) }
        if let value = environment["FUSEBOX_TOKEN"], !value.isEmpty {
            return try AgentToken(value, origin: "FUSEBOX_TOKEN")
        }
        return nil
    }

    /// Whether `candidate` is this token. Takes the same time for every candidate of a given
    /// length, wherever the first difference is.
    public func matches(_ candidate: some StringProtocol) -> Bool {
        let other = Array(candidate.utf8)
        // Full width: a length difference of a multiple of 256 must not vanish.
        var difference = UInt(bitPattern: other.count ^ bytes.count)
        for index in bytes.indices {
            difference |= UInt(bytes[index] ^ (index < other.count ? other[index] : 0))
        }
        return difference == 0
    }

    /// Whether users other than the file's owner and group can read the token file (a warning,
    /// not an error: the file may be shared on purpose). False for a token not read from a file.
    public static func isReadableByOthers(_ path: String) -> Bool {
        var status = stat()
        return stat(path, &status) == 0 && status.st_mode & S_IROTH != 0
    }

    /// The `Authorization` header value for this token (for clients).
    public var authorizationHeader: String { "Bearer " + String(decoding: bytes, as: UTF8.self) }

    public var description: String { "<redacted>" }
    public var debugDescription: String { "<redacted>" }
}

/// A token that cannot be used, with what to do about it.
public struct AgentTokenError: Error, CustomStringConvertible, Sendable {
    public let description: String
    init(_ description: String) { self.description = description }
}
