import FuseboxBackend
import FuseboxProtocol
import Synchronization

/// Writes what the console sees and does to the recording (`--record`) and to the session's
/// memory: polls, each source's errors (once, not at every retry), commands and annotations.
final class SessionSinks: Sendable {
    private let sinks: [any SessionRecorder]
    private let recorders: [any SessionRecorder]
    private let source: String
    private let inbox: Inbox
    /// The error last recorded per source.
    private let recordedErrors = Mutex<[String: String]>([:])
    /// The recorders whose stop the console has been told of, by position.
    private let stopsTold = Mutex<Set<Int>>([])

    /// Whether the first recorder is the session's recording file.
    private let isRecording: Bool

    init(
        recorders: [any SessionRecorder], history: (any SessionRecorder)?, source: String, inbox: Inbox,
        isRecording: Bool
    ) {
        self.recorders = recorders
        self.isRecording = isRecording
        self.sinks = recorders + [history].compactMap { $0 }
        self.source = source
        self.inbox = inbox
    }

    /// A poll's outcome; tells the console once if the recording has stopped.
    func record(_ message: Message, sources: [SourceStatus]) {
        guard !sinks.isEmpty else { return }
        switch message {
        case .data(let snapshots, let at):
            for sink in sinks { sink.record(snapshots, atMilliseconds: at) }
            for status in sources { recordError(status.error, source: status.source, at: at) }
            if sources.isEmpty { recordError(nil, source: source, at: at) }
        case .pollFailed(let error, let at):
            recordError(error, source: source, at: at)
        default:
            break
        }
        // The first recorder is the recording (`--record`), whose stop the header shows; any other
        // (the local audit log) is told as a notice. Each is told once.
        for (index, recorder) in recorders.enumerated() {
            guard let reason = recorder.stopReason, stopsTold.withLock({ $0.insert(index).inserted }) else { continue }
            inbox.post(index == 0 && isRecording ? .recordingStopped(reason) : .notice(reason))
        }
    }

    func record(_ command: Command, results: [CommandResult], atMilliseconds: Int64) {
        for sink in sinks { sink.record(command, results: results, atMilliseconds: atMilliseconds) }
    }

    func annotate(_ text: String, author: String, atMilliseconds: Int64) {
        for sink in sinks { sink.annotate(text, author: author, atMilliseconds: atMilliseconds) }
    }

    private func recordError(_ error: BackendError?, source: String, at: Int64) {
        // A change is an error that starts or changes, or one that ends (never the first answer).
        let changed = recordedErrors.withLock { recorded in
            let before = recorded[source]
            recorded[source] = error?.message
            return before != error?.message && (error != nil || before != nil)
        }
        guard changed else { return }
        let name = SourceAddress.redacted(source)
        if let error {
            for sink in sinks { sink.record(error, source: name, atMilliseconds: at) }
        } else {
            for sink in sinks { sink.recordRecovery(source: name, atMilliseconds: at) }
        }
    }
}
