/// A settings file that cannot be used (a theme, or the console's config): which file, where, and why.
public struct SettingsFileError: Error, Hashable, CustomStringConvertible {
    /// What kind of file it is; it starts the message.
    public enum Subject: String, Sendable, Hashable {
        case theme, config
    }

    public let subject: Subject
    /// The file (or, for a theme that was not found, the name asked for).
    public let file: String
    /// The line of the problem, or `nil` for a problem with the whole file.
    public let line: Int?
    /// The setting on that line (`state.open`, `key.force-open`), if there is one.
    public let key: String?
    /// What is wrong, and what would do instead.
    public let problem: String

    /// A problem with a settings file; without a `line`, with the whole file.
    public init(_ subject: Subject, file: String, line: Int? = nil, key: String? = nil, problem: String) {
        self.subject = subject
        self.file = file
        self.line = line
        self.key = key
        self.problem = problem
    }

    /// One line: `theme FILE: line N, key 'K': PROBLEM`, or `config FILE: PROBLEM` for the whole file.
    public var description: String {
        guard let line else { return "\(subject.rawValue) \(file): \(problem)" }
        let place = key.map { "line \(line), key '\($0)'" } ?? "line \(line)"
        return "\(subject.rawValue) \(file): \(place): \(problem)"
    }
}

/// A theme that cannot be used.
public typealias ThemeError = SettingsFileError

/// A console config file (key remappings, settings) that cannot be used.
public typealias KeymapError = SettingsFileError
