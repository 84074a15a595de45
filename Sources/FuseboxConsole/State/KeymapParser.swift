/// A key configuration line that cannot be used.
public struct KeymapError: Error, Hashable, CustomStringConvertible {
    public let description: String
}

extension Keymap {
    /// The standard keymap with the remappings of a config file applied: lines
    /// `key.ACTION = KEY [KEY...]` or `key.ACTION = none`; lines starting with `#` are comments.
    /// Keys are single characters or `enter esc tab space up down left right pgup pgdn`.
    public static func parse(_ text: String, file: String) throws(KeymapError) -> Keymap {
        var keymap = Keymap.standard
        for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = String(raw).trimmingCharacters()
            if line.isEmpty || line.hasPrefix("#") { continue }
            let parts = line.split(separator: "=", maxSplits: 1).map { String($0).trimmingCharacters() }
            let place = "config \(file): line \(index + 1)"
            guard parts.count == 2, parts[0].hasPrefix("key.") else {
                throw KeymapError(description: "\(place): expected 'key.ACTION = KEY'")
            }
            guard let action = KeyAction(rawValue: String(parts[0].dropFirst(4))) else {
                throw KeymapError(
                    description: "\(place), key '\(parts[0])': unknown action; actions are "
                        + KeyAction.allCases.map(\.rawValue).joined(separator: ", "))
            }
            for old in keymap.keys(for: action) { keymap.bind(old, to: nil) }
            if parts[1] == "none" { continue }
            for word in parts[1].split(separator: " ") {
                guard let key = key(named: String(word)) else {
                    throw KeymapError(description: "\(place), key '\(parts[0])': unknown key '\(word)'")
                }
                if key.isControlChord {
                    throw KeymapError(description: "\(place), key '\(parts[0])': control chords cannot be bound")
                }
                keymap.bind(key, to: action)
            }
        }
        return keymap
    }

    static func key(named word: String) -> Key? {
        switch word {
        case "enter": return .enter
        case "esc": return .escape
        case "tab": return .tab
        case "space": return .character(" ")
        case "up": return .up
        case "down": return .down
        case "left": return .left
        case "right": return .right
        case "pgup": return .pageUp
        case "pgdn": return .pageDown
        default: return word.count == 1 ? .character(word.first!) : nil
        }
    }
}

extension Key {
    /// Keys typed with Ctrl; nothing is bound to them but Ctrl-C (quit).
    var isControlChord: Bool {
        if case .character(let c) = self, let value = c.unicodeScalars.first?.value { return value < 32 }
        return self == .interrupt
    }
}
