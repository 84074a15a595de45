import Foundation
import FuseboxConsole

/// Where key remappings live: `$XDG_CONFIG_HOME/fusebox/config` or `~/.config/fusebox/config`.
enum KeymapConfiguration {
    static var path: String {
        let environment = ProcessInfo.processInfo.environment
        if let xdg = environment["XDG_CONFIG_HOME"], !xdg.isEmpty { return xdg + "/fusebox/config" }
        return (environment["HOME"] ?? ".") + "/.config/fusebox/config"
    }

    /// The standard keymap with the config file's remappings; the standard keymap if there is no file.
    /// - Throws: ``KeymapError`` for a file that is there but cannot be read, or has a bad line.
    static func load() throws(KeymapError) -> Keymap {
        let path = path
        let text: String?
        do {
            text = try ConfigurationFile.text(at: path)
        } catch {
            throw KeymapError(file: path, problem: error.problem)
        }
        guard let text else { return .standard }
        return try Keymap.parse(text, file: path)
    }
}
