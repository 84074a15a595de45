/// Reads the theme format: `role = FOREGROUND [on BACKGROUND] [bold] [dim] [reverse] [underline]`, one per line,
/// lines starting with `#` are comments, an optional `name = ...`. Colours: `default`, the 16 ANSI names (`red`,
/// `bright-red`...), `color0`...`color255`, or `#rrggbb`.
///
/// A theme styles every role, or says `inherit = NAME` and takes the roles it does not list from the theme
/// called `NAME` (a shipped one, or `dark`, which is built in): a role left out would be drawn plain, and a
/// plain selected row is invisible. Each setting appears once.
public enum ThemeParser {
    static let names = ["black", "red", "green", "yellow", "blue", "magenta", "cyan", "white"]

    /// Parses a theme, taking the base of an `inherit = NAME` line from `base`.
    /// - Parameters:
    ///   - text: the file's contents.
    ///   - file: the file's path, for errors (and the theme's name if it has no `name` line).
    ///   - base: the complete theme called `NAME`; by default only the built-in `dark` exists.
    /// - Throws: ``ThemeError`` naming the file, line and key of the first problem.
    public static func parse(
        _ text: String, file: String, base: (String) throws(ThemeError) -> Theme = builtInBase
    ) throws(ThemeError) -> Theme {
        var theme = Theme(name: file, styles: [:])
        var seen: [String: Int] = [:]
        var inherit: (name: String, line: Int)?
        for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let lineNumber = index + 1
            let line = Substring(raw)
            if line.trimmingCharacters().hasPrefix("#") { continue }
            let trimmed = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).joined(separator: " ")
            if trimmed.isEmpty || trimmed == "\r" { continue }
            guard let equals = trimmed.firstIndex(of: "=") else {
                throw ThemeError(.theme, file: file, line: lineNumber, problem: "expected 'role = style'")
            }
            let key = trimmed[..<equals].trimmingCharacters()
            let value = trimmed[trimmed.index(after: equals)...].trimmingCharacters()
            if let earlier = seen[key] {
                throw ThemeError(
                    .theme, file: file, line: lineNumber, key: key,
                    problem: "already set on line \(earlier); set it once")
            }
            seen[key] = lineNumber
            switch key {
            case "name":
                guard !value.isEmpty else {
                    throw ThemeError(.theme, file: file, line: lineNumber, key: key, problem: "no name given")
                }
                theme.name = value
            case "inherit":
                guard !value.isEmpty, !value.contains(" "), !value.contains("/") else {
                    throw ThemeError(
                        .theme, file: file, line: lineNumber, key: key,
                        problem: "expected the name of a theme, like 'inherit = dark'")
                }
                inherit = (value, lineNumber)
            default:
                guard let role = Role(rawValue: key) else {
                    throw ThemeError(
                        .theme, file: file, line: lineNumber, key: key,
                        problem: "unknown role; roles are \(Role.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                theme.styles[role] = try style(value, file: file, line: lineNumber, key: key)
            }
        }
        if let inherit {
            let parent: Theme
            do {
                parent = try base(inherit.name)
            } catch let error where error.line == nil && error.file == inherit.name {
                // Not found: say so on the `inherit` line rather than as a theme of its own.
                throw ThemeError(.theme, file: file, line: inherit.line, key: "inherit", problem: error.problem)
            }
            theme.styles = parent.styles.merging(theme.styles) { _, own in own }
        }
        let missing = Role.allCases.filter { theme.styles[$0] == nil }
        guard missing.isEmpty else {
            let listed = missing.map(\.rawValue).joined(separator: ", ")
            let what = theme.styles.isEmpty ? "styles no role" : "has no style for \(listed)"
            throw ThemeError(
                .theme, file: file,
                problem: "\(what); style every role, or add 'inherit = dark' (or another theme's name)")
        }
        return theme
    }

    /// The base themes there are without a loader: the built-in `dark`.
    public static func builtInBase(_ name: String) throws(ThemeError) -> Theme {
        guard name == "dark" else { throw ThemeError(.theme, file: name, problem: "no such theme; available: dark") }
        return Theme.builtInDark
    }

    private static func style(_ text: String, file: String, line: Int, key: String) throws(ThemeError) -> ThemeStyle {
        var style = ThemeStyle()
        var words = text.split(separator: " ").map(String.init)[...]
        guard !words.isEmpty else {
            throw ThemeError(.theme, file: file, line: line, key: key, problem: "no style given")
        }
        var sawForeground = false
        while let word = words.popFirst() {
            switch word {
            case "bold": style.bold = true
            case "dim": style.dim = true
            case "reverse": style.reverse = true
            case "underline": style.underline = true
            case "on":
                guard let next = words.popFirst() else {
                    throw ThemeError(
                        .theme, file: file, line: line, key: key, problem: "'on' needs a background colour")
                }
                style.background = try color(next, file: file, line: line, key: key)
            default:
                guard !sawForeground else {
                    throw ThemeError(
                        .theme, file: file, line: line, key: key,
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
        let digits = word.dropFirst(5)
        if word.hasPrefix("color"), (1...3).contains(digits.count), digits.allSatisfy({ $0.isASCII && $0.isNumber }),
            let n = Int(digits), (0...255).contains(n)
        {
            return .indexed(n)
        }
        if word.hasPrefix("#"), word.utf8.count == 7, word.dropFirst().allSatisfy(\.isHexDigit),
            let value = UInt32(word.dropFirst(), radix: 16)
        {
            return .rgb(UInt8(value >> 16), UInt8((value >> 8) & 0xff), UInt8(value & 0xff))
        }
        throw ThemeError(
            .theme, file: file, line: line, key: key,
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
