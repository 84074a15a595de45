import Foundation
import FuseboxConsole

/// Reads key remappings from `$XDG_CONFIG_HOME/fusebox/config` (or `~/.config/fusebox/config`):
/// lines `key.ACTION = KEY [KEY...]` or `key.ACTION = none`; `#` starts a comment line.
enum KeymapConfiguration {
    struct ConfigError: Error, CustomStringConvertible {
        let description: String
    }

    static var path: String {
        let environment = ProcessInfo.processInfo.environment
        if let xdg = environment["XDG_CONFIG_HOME"], !xdg.isEmpty { return xdg + "/fusebox/config" }
        return (environment["HOME"] ?? ".") + "/.config/fusebox/config"
    }

    static func load() throws -> Keymap {
        guard let data = FileManager.default.contents(atPath: path) else { return .standard }
        return try parse(String(decoding: data, as: UTF8.self), file: path)
    }

    static func parse(_ text: String, file: String) throws -> Keymap {
        var keymap = Keymap.standard
        for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") { continue }
            let parts = line.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2, parts[0].hasPrefix("key.") else {
                throw ConfigError(description: "config \(file): line \(index + 1): expected 'key.ACTION = KEY'")
            }
            let name = String(parts[0].dropFirst(4))
            guard let action = KeyAction(rawValue: name) else {
                throw ConfigError(
                    description: "config \(file): line \(index + 1), key '\(parts[0])': unknown action; actions are "
                        + KeyAction.allCases.map(\.rawValue).joined(separator: ", "))
            }
            for old in keymap.keys(for: action) { keymap.bind(old, to: nil) }
            if parts[1] == "none" { continue }
            for word in parts[1].split(separator: " ") {
                guard let key = key(named: String(word)) else {
                    throw ConfigError(
                        description: "config \(file): line \(index + 1), key '\(parts[0])': unknown key '\(word)'")
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
