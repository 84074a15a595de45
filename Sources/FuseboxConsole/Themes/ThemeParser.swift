/// A theme file that cannot be used, with where and why.
public struct ThemeError: Error, Hashable, CustomStringConvertible {
    public let file: String
    public let line: Int
    public let key: String?
    public let problem: String

    public var description: String {
        let place = key.map { "line \(line), key '\($0)'" } ?? "line \(line)"
        return "theme \(file): \(place): \(problem)"
    }
}

/// Reads the theme format: `role = FOREGROUND [on BACKGROUND] [bold] [dim] [reverse] [underline]`, one
/// per line, lines starting with `#` are comments, an optional `name = ...`. Colours: `default`, the 16 ANSI names
/// (`red`, `bright-red`...), `color0`...`color255`, or `#rrggbb`. Roles not listed look plain.
public enum ThemeParser {
    static let names = ["black", "red", "green", "yellow", "blue", "magenta", "cyan", "white"]

    public static func parse(_ text: String, file: String) throws(ThemeError) -> Theme {
        var theme = Theme(name: file, styles: [:])
        for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let lineNumber = index + 1
            let line = Substring(raw)
            if line.trimmingCharacters().hasPrefix("#") { continue }
            let trimmed = line.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
            if trimmed.isEmpty { continue }
            guard let equals = trimmed.firstIndex(of: "=") else {
                throw ThemeError(file: file, line: lineNumber, key: nil, problem: "expected 'role = style'")
            }
            let key = trimmed[..<equals].trimmingCharacters()
            let value = trimmed[trimmed.index(after: equals)...].trimmingCharacters()
            if key == "name" {
                theme.name = value
                continue
            }
            guard let role = Role(rawValue: key) else {
                throw ThemeError(
                    file: file, line: lineNumber, key: key,
                    problem: "unknown role; roles are \(Role.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            theme.styles[role] = try style(value, file: file, line: lineNumber, key: key)
        }
        return theme
    }

    private static func style(_ text: String, file: String, line: Int, key: String) throws(ThemeError) -> ThemeStyle {
        var style = ThemeStyle()
        var words = text.split(separator: " ").map(String.init)[...]
        guard !words.isEmpty else { throw ThemeError(file: file, line: line, key: key, problem: "no style given") }
        var sawForeground = false
        while let word = words.popFirst() {
            switch word {
            case "bold": style.bold = true
            case "dim": style.dim = true
            case "reverse": style.reverse = true
            case "underline": style.underline = true
            case "on":
                guard let next = words.popFirst() else {
                    throw ThemeError(file: file, line: line, key: key, problem: "'on' needs a background colour")
                }
                style.background = try color(next, file: file, line: line, key: key)
            default:
                guard !sawForeground else {
                    throw ThemeError(
                        file: file, line: line, key: key,
                        problem: "unexpected '\(word)'; use FOREGROUND [on BACKGROUND] [bold|dim|reverse|underline]")
                }
                style.foreground = try color(word, file: file, line: line, key: key)
                sawForeground = true
            }
        }
        return style
    }

    static func color(_ word: String, file: String, line: Int, key: String) throws(ThemeError) -> ThemeColor {
        if word == "default" { return .terminalDefault }
        if let index = names.firstIndex(of: word) { return .ansi(index) }
        if word.hasPrefix("bright-"), let index = names.firstIndex(of: String(word.dropFirst(7))) {
            return .ansi(index + 8)
        }
        if word.hasPrefix("color"), let n = Int(word.dropFirst(5)), (0...255).contains(n) { return .indexed(n) }
        if word.hasPrefix("#"), word.count == 7, let value = UInt32(word.dropFirst(), radix: 16) {
            return .rgb(UInt8(value >> 16), UInt8((value >> 8) & 0xff), UInt8(value & 0xff))
        }
        throw ThemeError(
            file: file, line: line, key: key,
            problem:
                "unknown colour '\(word)'; use default, a name like red or bright-red, color0...color255, or #rrggbb")
    }
}

extension Substring {
    func trimmingCharacters() -> String {
        var text = self
        while text.first == " " || text.first == "\t" { text.removeFirst() }
        while text.last == " " || text.last == "\t" || text.last == "\r" { text.removeLast() }
        return String(text)
    }
}

extension String {
    func trimmingCharacters() -> String { Substring(self).trimmingCharacters() }
}
