public import FuseboxProtocol

/// What a recording says about itself: its format, where its data came from, and when.
public struct RecordingHeader: Sendable, Hashable {
    /// The recording format this build writes. A reader accepts every minor version of the majors
    /// it knows (``readableMajors``) and refuses a newer major. 2.0 added slots (hedges, an
    /// adaptive bulkhead's limit) in the middle of a sample, which a 1.x reader would misparse.
    public static let currentFormat = FormatVersion(major: 2, minor: 0)
    /// The majors this build reads: 1.x files lack 2.0's slots, and their shapes say so.
    public static let readableMajors = 1...2

    public var formatVersion: FormatVersion
    /// The sources as given, with any credentials masked.
    public var sources: [String]
    public var startedAtMilliseconds: Int64
    /// The version of the fusebox that wrote it.
    public var fuseboxVersion: String
    public var host: String
    /// The poll interval, in milliseconds.
    public var intervalMilliseconds: Int64

    public init(
        formatVersion: FormatVersion = RecordingHeader.currentFormat, sources: [String], startedAtMilliseconds: Int64,
        fuseboxVersion: String, host: String, intervalMilliseconds: Int64
    ) {
        self.formatVersion = formatVersion
        self.sources = sources
        self.startedAtMilliseconds = startedAtMilliseconds
        self.fuseboxVersion = fuseboxVersion
        self.host = host
        self.intervalMilliseconds = intervalMilliseconds
    }

    var metaRows: [(String, String)] {
        [
            ("format", RecordingSchema.formatName), ("format_version", formatVersion.description),
            ("sources", sources.joined(separator: "\n")), ("started_at_ms", String(startedAtMilliseconds)),
            ("fusebox_version", fuseboxVersion), ("host", host), ("interval_ms", String(intervalMilliseconds)),
        ]
    }

    /// Reads the `meta` rows, refusing what is not a recording or is too new to read.
    init(meta: [String: String], path: String) throws(RecordingError) {
        guard meta["format"] == RecordingSchema.formatName else {
            throw RecordingError("\(path) is not a Fusebox recording (an SQLite file without its header)")
        }
        guard let text = meta["format_version"], let version = FormatVersion(parsing: text) else {
            throw RecordingError("\(path) has no readable format version; it is damaged or not a Fusebox recording")
        }
        guard Self.readableMajors.contains(version.major) else {
            let readable = "\(Self.readableMajors.lowerBound).x to \(Self.readableMajors.upperBound).x"
            throw RecordingError(
                version.major > Self.readableMajors.upperBound
                    ? "\(path) was recorded in format \(version), newer than this fusebox reads "
                        + "(\(readable)): upgrade fusebox to replay it"
                    : "\(path) was recorded in format \(version), older than this fusebox reads "
                        + "(\(readable)): replay it with the fusebox that wrote it")
        }
        self.init(
            formatVersion: version,
            sources: (meta["sources"] ?? "").split(separator: "\n").map(String.init),
            startedAtMilliseconds: Int64(meta["started_at_ms"] ?? "") ?? 0,
            fuseboxVersion: meta["fusebox_version"] ?? "unknown", host: meta["host"] ?? "unknown",
            intervalMilliseconds: Int64(meta["interval_ms"] ?? "") ?? 1_000)
    }
}

/// A recording that cannot be written or read; the message says what to do.
public struct RecordingError: Error, Hashable, CustomStringConvertible {
    public let message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}
