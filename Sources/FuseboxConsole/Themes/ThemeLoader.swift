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

    /// Loads a theme by name or path.
    /// - Throws: ``ThemeError`` naming the file, line and key of a bad file, or saying where it looked.
    public func load(_ nameOrPath: String) throws(ThemeError) -> Theme {
        if nameOrPath.contains("/") || nameOrPath.hasSuffix(".theme") {
            return try read(nameOrPath)
        }
        for directory in searchDirectories {
            let path = directory + "/" + nameOrPath + ".theme"
            if FileManager.default.fileExists(atPath: path) { return try read(path) }
        }
        if nameOrPath == "dark" { return Theme.builtInDark }
        throw ThemeError(
            file: nameOrPath, line: 0, key: nil,
            problem: "no such theme; available: \(availableNames().joined(separator: ", "))")
    }

    private func read(_ path: String) throws(ThemeError) -> Theme {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ThemeError(file: path, line: 0, key: nil, problem: "cannot read the file")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ThemeError(file: path, line: 0, key: nil, problem: "not UTF-8 text")
        }
        return try ThemeParser.parse(text, file: path)
    }
}
