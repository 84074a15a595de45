/// The version of the wire and file format, `major.minor`.
///
/// A reader accepts every minor version of the majors it knows (newer minors only add optional
/// fields, which it ignores) and refuses a newer major with ``FormatVersionError``. Removing or
/// retyping a field, or adding a case to an enum, needs a new major. Encoded as the string `"1.0"`;
/// the integer `1` of early builds reads as `1.0` (their bare-string event states included).
public struct FormatVersion: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    /// Changes that old readers cannot read.
    public var major: Int
    /// Additions that old readers skip.
    public var minor: Int

    /// The version this build writes.
    /// 1.1 added `Event.sinceMilliseconds`.
    public static let current = FormatVersion(major: 1, minor: 2)

    public init(major: Int, minor: Int) {
        self.major = major
        self.minor = minor
    }

    /// Parses `"1.0"` or `"1"`.
    public init?(parsing text: String) {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), let major = Int(parts[0]), major >= 0 else { return nil }
        let minor = parts.count == 2 ? Int(parts[1]) : 0
        guard let minor, minor >= 0 else { return nil }
        self.init(major: major, minor: minor)
    }

    public var description: String { "\(major).\(minor)" }

    /// Whether a reader of ``current`` can read data written in this version.
    public var isReadable: Bool { major == Self.current.major }

    public static func < (lhs: Self, rhs: Self) -> Bool { (lhs.major, lhs.minor) < (rhs.major, rhs.minor) }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let number = try? container.decode(Int.self) {
            self.init(major: number, minor: 0)
            return
        }
        let text = try container.decode(String.self)
        guard let version = FormatVersion(parsing: text) else {
            throw DecodingError.dataCorruptedError(
                in: container, debugDescription: "format version '\(text)' is not MAJOR.MINOR")
        }
        self = version
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

/// Data written in a format version this build cannot read.
public struct FormatVersionError: Error, Hashable, CustomStringConvertible {
    /// The version found in the data.
    public let found: FormatVersion

    public init(found: FormatVersion) {
        self.found = found
    }

    public var description: String {
        let supported = "\(FormatVersion.current.major).x"
        return found > FormatVersion.current
            ? "format \(found) is newer than this fusebox reads (\(supported)); upgrade fusebox"
            : "format \(found) is older than this fusebox reads (\(supported)); upgrade the source"
    }
}
