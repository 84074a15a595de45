/// How many terminal columns text takes, decided in pure Swift from Unicode properties so that a
/// canvas lays out the same on every machine (no libc `wcwidth`, no locale).
///
/// - 0: combining and enclosing marks (Mn, Me), format characters (Cf: ZWJ, bidi controls, soft hyphen),
///   variation selectors and conjoining Hangul vowels and finals.
/// - 2: East Asian Wide and Fullwidth ranges, emoji with emoji presentation, and a base followed by U+FE0F.
/// - 1: everything else.
///
/// Control characters never reach the screen: ``Canvas`` draws a whitespace control (tab, newline...) as a
/// space and any other (C0, DEL, C1) as U+FFFD, and measuring here counts them the same way.
public enum TextWidth {
    /// Columns `scalar` takes on its own: 0, 1 or 2 (0 for a control character).
    public static func of(_ scalar: Unicode.Scalar) -> Int {
        let value = scalar.value
        if value < 0x7F { return value >= 0x20 ? 1 : 0 }
        if value < 0xA0 { return 0 }
        if value < 0x300 { return value == 0xAD ? 0 : 1 }
        // Common in views (punctuation, box drawing, blocks, shapes): skip the property lookups.
        if (0x2010...0x2027).contains(value) || (0x2500...0x25FC).contains(value) { return 1 }
        if isWide(value) {
            // Two ideographic marks inside the wide ranges are combining marks.
            return (0x302A...0x302D).contains(value) || value == 0x3099 || value == 0x309A ? 0 : 2
        }
        if (0x1160...0x11FF).contains(value) || (0xD7B0...0xD7FF).contains(value) { return 0 }
        let properties = scalar.properties
        switch properties.generalCategory {
        case .nonspacingMark, .enclosingMark, .format, .control, .lineSeparator, .paragraphSeparator:
            return 0
        default:
            return properties.isEmojiPresentation ? 2 : 1
        }
    }

    /// Columns `grapheme` takes when a ``Canvas`` draws it.
    public static func of(_ grapheme: Character) -> Int {
        cell(for: grapheme)?.width ?? 0
    }

    /// Columns `text` takes when a ``Canvas`` draws it.
    public static func of(_ text: String) -> Int {
        if let count = printableASCIICount(text.utf8) { return count }
        var total = 0
        for grapheme in text { total += cell(for: grapheme)?.width ?? 0 }
        return total
    }

    /// Columns `text` takes when a ``Canvas`` draws it.
    public static func of(_ text: Substring) -> Int {
        if let count = printableASCIICount(text.utf8) { return count }
        var total = 0
        for grapheme in text { total += cell(for: grapheme)?.width ?? 0 }
        return total
    }

    /// The character a canvas cell holds for `grapheme` and its width (1 or 2), or `nil` for a grapheme that
    /// takes no columns. Whitespace controls become a space, other controls U+FFFD.
    @inline(__always)
    static func cell(for grapheme: Character) -> (character: Character, width: Int)? {
        if let ascii = grapheme.asciiValue {
            if ascii >= 0x20 && ascii < 0x7F { return (grapheme, 1) }
            // "\r\n" is one grapheme whose asciiValue is "\n".
            return ((0x09...0x0D).contains(ascii) ? " " : "\u{FFFD}", 1)
        }
        return nonASCIICell(for: grapheme)
    }

    private static func nonASCIICell(for grapheme: Character) -> (character: Character, width: Int)? {
        let scalars = grapheme.unicodeScalars
        let first = scalars.first!
        switch first.value {
        case 0x85, 0x2028, 0x2029: return (" ", 1)
        case 0x80..<0xA0: return ("\u{FFFD}", 1)
        default: break
        }
        var width = 0
        var emojiSelector = false
        for scalar in scalars {
            width = max(width, of(scalar))
            if scalar.value == 0xFE0F { emojiSelector = true }
        }
        if width == 1 && emojiSelector && first.properties.isEmoji { width = 2 }
        return width == 0 ? nil : (grapheme, width)
    }

    /// The East Asian Wide and Fullwidth ranges.
    @inline(__always)
    private static func isWide(_ value: UInt32) -> Bool {
        switch value {
        case 0x1100...0x115F, 0x2E80...0x303E, 0x3041...0x33FF, 0x3400...0x4DBF, 0x4E00...0x9FFF, 0xA000...0xA4CF,
            0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFE30...0xFE4F, 0xFF00...0xFF60, 0xFFE0...0xFFE6, 0x20000...0x2FFFD,
            0x30000...0x3FFFD:
            return true
        default:
            return false
        }
    }

    /// The byte count when every byte is printable ASCII (one column each), else `nil`.
    @inline(__always)
    static func printableASCIICount(_ bytes: some Sequence<UInt8>) -> Int? {
        var count = 0
        for byte in bytes {
            guard byte >= 0x20 && byte < 0x7F else { return nil }
            count += 1
        }
        return count
    }
}
