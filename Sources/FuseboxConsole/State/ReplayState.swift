public import FuseboxBackend

/// Where a replay stands: the recorded time shown, whether it plays and how fast, and the marks
/// along the way. The same controls drive a recording file and a paused live console's memory.
public struct ReplayState: Sendable, Hashable {
    /// What is replayed.
    public enum Origin: Sendable, Hashable {
        /// A recording file (`fusebox replay FILE`), by name.
        case recording(String)
        /// What this live console has seen so far; data keeps arriving underneath.
        case live
    }

    public var origin: Origin
    /// Every frame's time, oldest first.
    public var frameTimes: [Int64]
    public var markers: [TimelineMarker]
    /// Commands, annotations and source errors: a jump rebuilds a recording's event log from them.
    public var notes: [TimelineNote] = []
    /// The marker `[` or `]` went to last, while the replay stands on its frame (several markers
    /// can share one frame).
    public var markerIndex: Int?
    /// The recorded time the screen stands at (between frames while playing).
    public var position: Int64
    /// The time of the frame on screen, once one has arrived.
    public var shownFrame: Int64?
    public var playing = false
    /// 0.25x...64x.
    public var speed: Double = 1
    /// A gap between frames longer than this plays as this long (an idle-time limit, as in asciinema).
    public var idleLimitMilliseconds: Int64 = 5_000
    /// The frames request being waited for: the replay asks for no more until it is answered,
    /// and an answer to an older request is dropped.
    public var pendingRequest: Int?
    /// Requests made so far (the next one's id).
    public var requests = 0
    /// The wall-clock time of the last tick while playing.
    public var tickedAt: Int64?
    /// What the recording could not give back, in one line.
    public var damage: String?

    public static let speeds: [Double] = [0.25, 0.5, 1, 2, 4, 8, 16, 32, 64]
    /// How far back a live console remembers (its `SessionHistory` keeps as much).
    public static let liveRetentionMilliseconds: Int64 = 3_600_000
    /// Frames folded before the one a jump lands on, so rates and sparklines have a past.
    public static let historyFrames = 8

    public init(origin: Origin, frameTimes: [Int64], markers: [TimelineMarker], damage: String?) {
        self.origin = origin
        self.frameTimes = frameTimes
        self.markers = markers
        self.damage = damage
        position = frameTimes.last ?? 0
    }

    /// Whether frames are on their way.
    public var loading: Bool { pendingRequest != nil }

    /// Where the replay stands for the next key: the time asked for while frames are on their
    /// way (so keys pressed quickly add up), else the frame shown.
    var cursor: Int64 { loading ? position : shownFrame ?? position }

    public var start: Int64? { frameTimes.first }
    public var end: Int64? { frameTimes.last }

    /// The index of the last frame at or before `time`.
    func frameIndex(atOrBefore time: Int64) -> Int? {
        let index = frameTimes.partitionPoint { $0 <= time }
        return index > 0 ? index - 1 : nil
    }

    /// The time of the first frame after `time`.
    func frame(after time: Int64) -> Int64? {
        let index = frameTimes.partitionPoint { $0 <= time }
        return index < frameTimes.count ? frameTimes[index] : nil
    }

    /// The time `tenth` tenths of the way through (0 is the start).
    func time(atTenth tenth: Int) -> Int64? {
        guard let start, let end else { return nil }
        return start + (end - start) * Int64(tenth) / 10
    }

    var speedLabel: String {
        speed == speed.rounded() ? "\(Int(speed))x" : (speed == 0.5 ? "0.5x" : "0.25x")
    }
}

/// Reads the target of `j`: a time of day (`10:42:05`, `10:42`, UTC, on the recording's days), or
/// an offset from where the replay stands (`-5m`, `+30s`, `+1h`, `-90s`).
enum JumpTarget {
    static func parse(_ text: String, position: Int64, start: Int64, end: Int64) -> Result<Int64, JumpError> {
        let trimmed = text.trimmingCharacters()
        if let sign = trimmed.first, sign == "+" || sign == "-" {
            guard let amount = duration(trimmed.dropFirst()) else { return .failure(JumpError(text: text)) }
            return .success(sign == "+" ? position + amount : position - amount)
        }
        let parts = trimmed.split(separator: ":", omittingEmptySubsequences: false)
        guard (2...3).contains(parts.count), let hours = Int(parts[0]), let minutes = Int(parts[1]),
            (0..<24).contains(hours), (0..<60).contains(minutes)
        else { return .failure(JumpError(text: text)) }
        let seconds = parts.count == 3 ? Int(parts[2]) : 0
        guard let seconds, (0..<60).contains(seconds) else { return .failure(JumpError(text: text)) }
        let ofDay = Int64((hours * 3600 + minutes * 60 + seconds) * 1000)
        // What was typed covers a second (10:42:05) or a minute (10:42): the first moment of the
        // recording within it counts, so `10:42` finds a recording that began at 10:42:09.
        let span: Int64 = parts.count == 3 ? 1_000 : 60_000
        let day: Int64 = 86_400_000
        var candidate = (start / day) * day + ofDay
        while candidate + span <= start { candidate += day }
        if candidate > end { return .failure(JumpError(text: text, outside: true)) }
        return .success(max(candidate, start))
    }

    /// `90s`, `5m`, `1h`, or several at once: `1m30s`, `2h15m`.
    private static func duration(_ text: Substring) -> Int64? {
        var total = 0.0
        var number = ""
        for character in text {
            if character.isNumber || character == "." {
                number.append(character)
                continue
            }
            let scale: Double
            switch character {
            case "s": scale = 1000
            case "m": scale = 60_000
            case "h": scale = 3_600_000
            default: return nil
            }
            guard let value = Double(number), value >= 0, value < 1e7 else { return nil }
            total += value * scale
            number = ""
        }
        guard number.isEmpty, total > 0 || text.contains("0") else { return nil }
        return Int64(total)
    }
}

struct JumpError: Error, Hashable {
    let text: String
    var outside = false

    var message: String {
        outside
            ? "'\(text)' is outside the recording"
            : "cannot read '\(text)' as a time: use 10:42:05 (UTC), -5m, +30s or +1h"
    }
}
