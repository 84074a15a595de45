public import FuseboxProtocol

/// One moment of a session, as recorded: what every instance looked like, and what happened
/// since the moment before.
public struct TimelineFrame: Sendable {
    /// When the poll that took these snapshots finished (wall-clock milliseconds).
    public var atMilliseconds: Int64
    public var snapshots: [Snapshot]
    /// Operator commands, annotations and source errors after the previous frame, up to this one.
    public var notes: [TimelineNote]

    public init(atMilliseconds: Int64, snapshots: [Snapshot], notes: [TimelineNote] = []) {
        self.atMilliseconds = atMilliseconds
        self.snapshots = snapshots
        self.notes = notes
    }
}

/// Something recorded beside the data: what people did and said, and what went wrong.
public struct TimelineNote: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        /// An operator command and its result on one instance.
        case command
        /// A line of text an operator added (`a` in the console).
        case annotation
        /// A source that could not be read.
        case error
        /// A source that answers again after an error.
        case recovery
    }

    public var kind: Kind
    public var atMilliseconds: Int64
    /// Who: the command's actor or the annotation's author; for errors, the source.
    public var actor: String
    /// The command's reason; empty otherwise.
    public var reason: String
    /// One line: `force-open payments: applied`, the annotation's text, or the error.
    public var text: String
    /// The instance the note is about, if one.
    public var instance: String?
    /// The dependency (or flag) the note is about, if one.
    public var target: String?

    public init(
        kind: Kind, atMilliseconds: Int64, actor: String, reason: String = "", text: String, instance: String? = nil,
        target: String? = nil
    ) {
        self.kind = kind
        self.atMilliseconds = atMilliseconds
        self.actor = actor
        self.reason = reason
        self.text = text
        self.instance = instance
        self.target = target
    }
}

extension SessionRecorder {
    /// Recorders that keep no source history (the audit log) ignore recoveries.
    public func recordRecovery(source: String, atMilliseconds: Int64) {}
}

/// A point worth jumping to on a timeline.
public struct TimelineMarker: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable {
        /// A breaker changed state.
        case transition
        /// An operator command.
        case command
        /// An operator's annotation.
        case annotation
    }

    public var kind: Kind
    public var atMilliseconds: Int64
    /// One line, e.g. `checkout-1 payments closed → open`.
    public var text: String

    public init(kind: Kind, atMilliseconds: Int64, text: String) {
        self.kind = kind
        self.atMilliseconds = atMilliseconds
        self.text = text
    }
}

/// A session that can be watched again: a recording file, or what a live console has seen so far.
///
/// Calls may read a file: the console makes them off its drawing thread.
public protocol ReplayTimeline: AnyObject, Sendable {
    /// The times of every readable frame, oldest first.
    func frameTimes() -> [Int64]
    /// Transitions, commands and annotations, oldest first.
    func markers() -> [TimelineMarker]
    /// Commands, annotations and source errors, oldest first.
    func notes() -> [TimelineNote]
    /// Up to `count` frames ending with the last one at or before `milliseconds`, oldest first.
    func frames(endingAt milliseconds: Int64, count: Int) throws(BackendError) -> [TimelineFrame]
    /// The frames after `start`, up to and including `end`, oldest first.
    func frames(after start: Int64, through end: Int64) throws(BackendError) -> [TimelineFrame]
    /// What could not be read, in one line, if anything.
    var damage: String? { get }
}

/// Where a live session is written as it happens.
///
/// Every call returns at once; the writing happens elsewhere. When writing fails the recorder
/// stops and says why through the handler it was made with, never silently.
public protocol SessionRecorder: AnyObject, Sendable {
    /// A poll's snapshots.
    func record(_ snapshots: [Snapshot], atMilliseconds: Int64)
    /// A command and its results (one per instance).
    func record(_ command: Command, results: [CommandResult], atMilliseconds: Int64)
    /// A line of text an operator added.
    func annotate(_ text: String, author: String, atMilliseconds: Int64)
    /// A source that could not be read.
    func record(_ error: BackendError, source: String, atMilliseconds: Int64)
    /// A source that answers again after an error.
    func recordRecovery(source: String, atMilliseconds: Int64)
    /// Why recording stopped (one line), once it has; `nil` while it records.
    var stopReason: String? { get }
}

extension Array {
    /// The first index whose element does not satisfy `belongs`, by binary search: the elements
    /// that do must all come first (times in order: `frameTimes.partitionPoint { $0 <= t }`).
    package func partitionPoint(where belongs: (Element) -> Bool) -> Int {
        var low = 0
        var high = count
        while low < high {
            let middle = (low + high) / 2
            if belongs(self[middle]) { low = middle + 1 } else { high = middle }
        }
        return low
    }
}
