import Foundation

/// Finds and reads theme files: by path, in `$XDG_CONFIG_HOME/fusebox/themes/`, or in the
/// project's `themes/` folder (beside the working directory or the executable).
public struct ThemeLoader: Sendable {
    public let searchDirectories: [String]

    public init(searchDirectories: [String]) {
        self.searchDirectories = searchDirectories
    }

    /// The standard places, in order.
    public static func standard(executablePath: String) -> ThemeLoader {
        let environment = ProcessInfo.processInfo.environment
        var directories: [String] = []
        if let xdg = environment["XDG_CONFIG_HOME"], !xdg.isEmpty {
            directories.append(xdg + "/fusebox/themes")
        } else if let home = environment["HOME"] {
            directories.append(home + "/.config/fusebox/themes")
        }
        directories.append(FileManager.default.currentDirectoryPath + "/themes")
        var folder = URL(fileURLWithPath: executablePath).resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<5 {
            directories.append(folder.appendingPathComponent("themes").path)
            folder.deleteLastPathComponent()
        }
        return ThemeLoader(searchDirectories: directories)
    }

    /// Theme names available in the search directories (plus `dark`, built in).
    public func availableNames() -> [String] {
        var names: Set<String> = ["dark"]
        for directory in searchDirectories {
            let files = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
            for file in files where file.hasSuffix(".theme") { names.insert(String(file.dropLast(6))) }
        }
        return names.sorted()
    }

    /// Loads a theme by name or path, with the theme it inherits from (`inherit = NAME`), if any.
    /// - Throws: ``ThemeError`` naming the file, line and key of a bad file, naming a file that cannot be read,
    ///   or saying which themes there are.
    public func load(_ nameOrPath: String) throws(ThemeError) -> Theme {
        if nameOrPath.contains("/") || nameOrPath.hasSuffix(".theme") {
            return try read(nameOrPath, inheritanceChain: [])
        }
        return try named(nameOrPath, skipping: [])
    }

    /// The theme called `name`: the first file in the search directories that is not already being read
    /// (so `~/.config/fusebox/themes/dark.theme` can say `inherit = dark` and get the shipped one), else the
    /// built-in `dark`.
    private func named(_ name: String, skipping chain: Set<String>) throws(ThemeError) -> Theme {
        var inChain = false
        for directory in searchDirectories {
            let path = directory + "/" + name + ".theme"
            guard ConfigurationFile.entryExists(at: path) else { continue }
            guard !chain.contains(Self.canonical(path)) else {
                inChain = true
                continue
            }
            return try read(path, inheritanceChain: chain)
        }
        if name == "dark" { return Theme.builtInDark }
        if inChain {
            throw ThemeError(
                .theme, file: name,
                problem: "'\(name)' inherits from this theme in turn (a cycle); inherit from a shipped theme")
        }
        throw ThemeError(
            .theme, file: name.isEmpty ? "''" : name,
            problem: "no such theme; available: \(availableNames().joined(separator: ", "))")
    }

    private func read(_ path: String, inheritanceChain chain: Set<String>) throws(ThemeError) -> Theme {
        let text: String?
        do {
            text = try ConfigurationFile.text(at: path)
        } catch {
            throw ThemeError(.theme, file: path, problem: error.problem)
        }
        guard let text else { throw ThemeError(.theme, file: path, problem: "no such file") }
        let chain = chain.union([Self.canonical(path)])
        return try ThemeParser.parse(text, file: path) { (name: String) throws(ThemeError) -> Theme in
            try named(name, skipping: chain)
        }
    }

    private static func canonical(_ path: String) -> String {
        URL(fileURLWithPath: path).standardizedFileURL.resolvingSymlinksInPath().path
    }
}
