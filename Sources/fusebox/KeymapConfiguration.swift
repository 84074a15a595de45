import Foundation
import FuseboxConsole

/// Where the console's configuration lives (key remappings, `require-reason`):
/// `$XDG_CONFIG_HOME/fusebox/config` or `~/.config/fusebox/config`.
enum KeymapConfiguration {
    static var path: String {
        let environment = ProcessInfo.processInfo.environment
        if let xdg = environment["XDG_CONFIG_HOME"], !xdg.isEmpty { return xdg + "/fusebox/config" }
        return (environment["HOME"] ?? ".") + "/.config/fusebox/config"
    }

    /// The config file's settings; the standard keys and no required reason if there is no file.
    /// - Throws: ``KeymapError`` for a file that is there but cannot be read, or has a bad line.
    static func load() throws(KeymapError) -> ConsoleConfiguration {
        let path = path
        let text: String?
        do {
            text = try ConfigurationFile.text(at: path)
        } catch {
            throw KeymapError(.config, file: path, problem: error.problem)
        }
        guard let text else { return ConsoleConfiguration() }
        return try ConsoleConfiguration.parse(text, file: path)
    }
}
