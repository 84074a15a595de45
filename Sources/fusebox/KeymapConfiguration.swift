import Foundation
import FuseboxConsole

/// Where key remappings live: `$XDG_CONFIG_HOME/fusebox/config` or `~/.config/fusebox/config`.
enum KeymapConfiguration {
    static var path: String {
        let environment = ProcessInfo.processInfo.environment
        if let xdg = environment["XDG_CONFIG_HOME"], !xdg.isEmpty { return xdg + "/fusebox/config" }
        return (environment["HOME"] ?? ".") + "/.config/fusebox/config"
    }

    /// The standard keymap with the config file's remappings, if there is a file.
    static func load() throws -> Keymap {
        guard let data = FileManager.default.contents(atPath: path) else { return .standard }
        return try Keymap.parse(String(decoding: data, as: UTF8.self), file: path)
    }
}
