import FuseboxProtocol

/// Number formats that keep columns steady.
enum Format {
    /// `value` rounded to a whole number, clamped so that no number a source sends (1e308, NaN,
    /// infinity) can trap the conversion: a lying agent must not end the console.
    static func whole(_ value: Double) -> Int {
        guard !value.isNaN else { return 0 }
        return Int(min(1e15, max(-1e15, value.rounded())))
    }

    /// `12.3`, `123`, `1.2k`, `12k`.
    static func rate(_ value: Double) -> String {
        if value < 0.05 { return "0" }
        if value < 10 { return one(value) }
        if value < 1_000 { return "\(whole(value))" }
        if value < 10_000 { return one(value / 1000) + "k" }
        return "\(whole(value / 1000))k"
    }

    /// A count of things, exact below a thousand: `117`, `1.2k`, `12k`, `120k`, `1.2M`.
    static func quantity(_ value: Int) -> String {
        let magnitude = abs(value)
        if magnitude < 1_000 { return "\(value)" }
        if magnitude < 1_000_000 { return rate(Double(value)) }
        if magnitude < 10_000_000 { return one(Double(value) / 1e6) + "M" }
        return "\(whole(Double(value) / 1e6))M"
    }

    /// Milliseconds: `0.8ms`, `12ms`, `1.2s`.
    static func milliseconds(_ value: Double) -> String {
        if value <= 0 { return "-" }
        if value < 10 { return one(value) + "ms" }
        if value < 1_000 { return "\(whole(value))ms" }
        return one(value / 1000) + "s"
    }

    /// A number as typed: `25`, `12.5`.
    static func number(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? "\(Int(value))" : "\(value)"
    }

    /// A percentage with one decimal under 10, none above.
    static func percent(_ value: Double) -> String {
        value < 10 ? one(value) : "\(whole(value))"
    }

    /// `-` for what the source does not know; otherwise as ``rate(_:)``.
    static func rate(_ value: Double?) -> String { value.map { rate($0) } ?? unknown }

    /// `-` for what the source does not know; otherwise as ``milliseconds(_:)``.
    static func milliseconds(_ value: Double?) -> String { value.map { milliseconds($0) } ?? unknown }

    /// `-` for what the source does not know; otherwise as ``percent(_:)``.
    static func percent(_ value: Double?) -> String { value.map { percent($0) } ?? unknown }

    /// `-` for what the source does not know; otherwise the number.
    static func count<T: BinaryInteger>(_ value: T?) -> String { value.map { "\($0)" } ?? unknown }

    /// What every view shows for a value the source does not provide.
    static let unknown = "-"

    static func one(_ value: Double) -> String {
        let tenths = whole(value * 10)
        return "\(tenths / 10).\(abs(tenths % 10))"
    }

    /// `4s`, `2m05s`, `1h03m`.
    static func age(seconds: Double) -> String {
        let s = whole(seconds.rounded(.down))
        if s < 60 { return seconds < 10 ? one(seconds) + "s" : "\(s)s" }
        if s < 3600 { return "\(s / 60)m\(pad(s % 60))s" }
        return "\(s / 3600)h\(pad((s % 3600) / 60))m"
    }

    /// `HH:MM:SS` of a wall-clock time (UTC).
    static func clock(_ milliseconds: Int64) -> String {
        let seconds = Int((milliseconds / 1000) % 86_400)
        return "\(pad(seconds / 3600)):\(pad((seconds % 3600) / 60)):\(pad(seconds % 60))"
    }

    static func pad(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }

    /// `text` cut to `width` display columns at a grapheme boundary, ending with `ellipsis` (within the width)
    /// when cut. A wide grapheme that does not fit whole is left out, so the result may be a column short.
    static func fit(_ text: String, _ width: Int, ellipsis: String) -> String {
        guard TextWidth.of(text) > width else { return text }
        let ellipsisWidth = TextWidth.of(ellipsis)
        guard width > ellipsisWidth else { return prefix(text, width) }
        return prefix(text, width - ellipsisWidth) + ellipsis
    }

    /// The longest run of `text`'s graphemes from its start that takes at most `width` columns.
    static func prefix(_ text: String, _ width: Int) -> String {
        if TextWidth.printableASCIICount(text.utf8) != nil { return String(text.prefix(max(0, width))) }
        var used = 0
        var end = text.startIndex
        for index in text.indices {
            let columns = TextWidth.of(text[index])
            if used + columns > width { break }
            used += columns
            end = text.index(after: index)
        }
        return String(text[..<end])
    }

    /// `text` padded with spaces on the right to `width` display columns.
    static func left(_ text: String, _ width: Int) -> String {
        let columns = TextWidth.of(text)
        return columns >= width ? text : text + String(repeating: " ", count: width - columns)
    }

    /// `text` padded with spaces on the left to `width` display columns.
    static func right(_ text: String, _ width: Int) -> String {
        let columns = TextWidth.of(text)
        return columns >= width ? text : String(repeating: " ", count: width - columns) + text
    }
}

extension BreakerState {
    /// A short label for a narrow header: `FORCED`, `HALF`, `RECOV`.
    var shortLabel: String {
        switch self {
        case .closed: return "CLOSED"
        case .open: return "OPEN"
        case .halfOpen: return "HALF"
        case .forcedOpen: return "FORCED"
        case .disabled: return "DISAB"
        case .recovering: return "RECOV"
        }
    }

    /// The role that colours this state.
    var role: Role {
        switch self {
        case .closed: return .stateClosed
        case .open: return .stateOpen
        case .halfOpen: return .stateHalfOpen
        case .forcedOpen: return .stateForcedOpen
        case .disabled: return .stateDisabled
        case .recovering: return .stateRecovering
        }
    }
}

extension BreakerSnapshot {
    /// `CLOSED`, `RECOVERING 25%`.
    var badge: String {
        if state == .recovering, let backIn { return "RECOVERING \(Format.whole(backIn.share * 100))%" }
        return state.label
    }
}
