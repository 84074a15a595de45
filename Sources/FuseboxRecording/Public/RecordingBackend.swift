public import FuseboxBackend
public import FuseboxProtocol
import Synchronization

/// A recording as a source: the console replays it with time controls (through ``timeline``),
/// and `fusebox status` reads its last moment. It changes nothing anywhere.
public final class RecordingBackend: ResilienceBackend {
    public let description: String
    public let reader: RecordingReader
    /// Polls step through the last two frames, so rates read from two polls are the recording's own.
    private let polls = Mutex(0)

    /// Opens the recording at `path`.
    /// - Throws: ``BackendError`` (``BackendError/Code/invalidSource``) saying why it cannot be read.
    public init(path: String) throws(BackendError) {
        do {
            reader = try RecordingReader(path: path)
        } catch {
            // The specification is fine; the file is not: a runtime failure, not bad usage.
            throw BackendError(.notASource, error.message)
        }
        description = path
    }

    public var capabilities: BackendCapabilities {
        BackendCapabilities(
            commands: [], selfPaced: true,
            commandsUnavailableReason: "a recording shows what happened; it changes nothing")
    }

    public var timeline: (any ReplayTimeline)? { reader }

    /// The recording's next-to-last moment, then its last.
    public func poll() async throws(BackendError) -> [Snapshot] {
        let step = polls.withLock { count in
            defer { count += 1 }
            return count
        }
        let frames = try reader.frames(endingAt: .max, count: 2)
        guard let last = frames.last else {
            throw BackendError(.malformedResponse, "the recording holds no readable samples")
        }
        return step == 0 && frames.count == 2 ? frames[0].snapshots : last.snapshots
    }

    public func send(_ command: Command, to instances: [String]) async throws(BackendError) -> [CommandResult] {
        throw BackendError(.unsupportedCommand, "a recording cannot change production")
    }

    /// `PATH.fuserec`: a file this build recorded.
    public static func scheme() -> SourceScheme {
        SourceScheme(
            usage: "FILE.fuserec", summary: "a recording, replayed",
            matches: { $0.hasSuffix(RecordingBackend.fileExtension) },
            make: { path throws(BackendError) in try RecordingBackend(path: path) })
    }

    /// What recordings are named with.
    public static let fileExtension = ".fuserec"
}
