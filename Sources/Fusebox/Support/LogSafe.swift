extension String {
    /// The text with control characters, line and paragraph separators and bidirectional
    /// overrides written as `\u{...}` escapes: text a client sent (an actor, a reason) becomes one
    /// harmless log value, never a forged log line or a terminal escape sequence.
    public var logSafe: String {
        guard unicodeScalars.contains(where: Self.needsEscape) else { return self }
        var safe = ""
        for scalar in unicodeScalars {
            if Self.needsEscape(scalar) {
                safe += "\\u{" + String(scalar.value, radix: 16) + "}"
            } else {
                safe.unicodeScalars.append(scalar)
            }
        }
        return safe
    }

    private static func needsEscape(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .control, .lineSeparator, .paragraphSeparator, .format: return true
        default: return false
        }
    }
}

extension String {
    /// ``logSafe`` in double quotes, with quotes and backslashes escaped: a value with spaces or
    /// `=` in it stays one value, so free text cannot pose as another field of the log line.
    public var logQuoted: String {
        var quoted = "\""
        for character in logSafe {
            if character == "\"" || character == "\\" { quoted.append("\\") }
            quoted.append(character)
        }
        return quoted + "\""
    }
}
