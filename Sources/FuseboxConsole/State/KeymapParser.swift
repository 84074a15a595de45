extension Keymap {
    /// The standard keymap with the remappings of a config file applied: lines `key.ACTION = KEY [KEY...]` or
    /// `key.ACTION = none`; lines starting with `#` are comments. Keys are single characters or
    /// `enter esc tab space up down left right pgup pgdn`.
    ///
    /// A setting replaces all of the action's standard keys. Each action is set once and each key does one
    /// thing: a key given to two actions in the file is an error, and so is a key that still does something
    /// else by default (`key.force-open = q` while `q` quits), unless the file remaps that other action too.
    /// - Throws: ``KeymapError`` naming the line and setting of the first problem.
    public static func parse(_ text: String, file: String) throws(KeymapError) -> Keymap {
        struct Setting {
            let action: KeyAction
            let keys: [Key]
            let line: Int
            let name: String
        }
        var settings: [KeyAction: Setting] = [:]
        var owners: [Key: Setting] = [:]
        for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let lineNumber = index + 1
            let line = String(raw).trimmingCharacters()
            if line.isEmpty || line.hasPrefix("#") { continue }
            let parts = line.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).map {
                String($0).trimmingCharacters()
            }
            guard parts.count == 2, parts[0].hasPrefix("key.") else {
                throw KeymapError(.config, file: file, line: lineNumber, problem: "expected 'key.ACTION = KEY'")
            }
            let name = parts[0]
            func failure(_ problem: String) -> KeymapError {
                KeymapError(.config, file: file, line: lineNumber, key: name, problem: problem)
            }
            guard let action = KeyAction(rawValue: String(name.dropFirst(4))) else {
                throw failure(
                    "unknown action; actions are " + KeyAction.allCases.map(\.rawValue).joined(separator: ", "))
            }
            if let earlier = settings[action] {
                throw failure("already set on line \(earlier.line); list all of its keys there (KEY KEY...)")
            }
            let words = parts[1].split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
            guard !words.isEmpty else { throw failure("no key given; write KEY [KEY...], or none to unbind") }
            var keys: [Key] = []
            if words != ["none"] {
                for word in words {
                    guard word != "none" else { throw failure("'none' stands alone: it unbinds every key") }
                    guard let key = key(named: word) else { throw failure("unknown key '\(word)'") }
                    if key.isControlChord { throw failure("control chords cannot be bound") }
                    guard !keys.contains(key) else { throw failure("'\(key.label)' is listed twice") }
                    if let other = owners[key] {
                        throw failure(
                            "'\(key.label)' is already bound to \(other.action.rawValue) on line \(other.line);"
                                + " a key does one thing")
                    }
                    keys.append(key)
                }
            }
            if action == .quit && keys.isEmpty {
                throw failure("quit needs a key: the way out must always be on screen (Ctrl-C also quits)")
            }
            let setting = Setting(action: action, keys: keys, line: lineNumber, name: name)
            settings[action] = setting
            for key in keys { owners[key] = setting }
        }
        // A key the file binds must not still do something else by default.
        for setting in settings.values.sorted(by: { $0.line < $1.line }) {
            for key in setting.keys {
                guard let other = Keymap.standard.action(for: key), other != setting.action, settings[other] == nil
                else { continue }
                throw KeymapError(
                    .config, file: file, line: setting.line, key: setting.name,
                    problem: "'\(key.label)' already does \(other.rawValue); choose another key for"
                        + " \(setting.action.rawValue), or move \(other.rawValue) too (key.\(other.rawValue) = ...)")
            }
        }
        var keymap = Keymap.standard
        for setting in settings.values {
            for old in Keymap.standard.keys(for: setting.action) { keymap.bind(old, to: nil) }
        }
        for setting in settings.values {
            for key in setting.keys { keymap.bind(key, to: setting.action) }
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
        if case .character(let c) = self, let value = c.unicodeScalars.first?.value {
            return value < 32 || value == 127
        }
        return self == .interrupt
    }
}
