import ArgumentParser
import Foundation
import FuseboxConsole

/// `$XDG_CONFIG_HOME/fusebox/config.yaml` (else `~/.config/fusebox/config.yaml`): named environments.
enum EnvironmentConfiguration {
    static var path: String {
        let environment = ProcessInfo.processInfo.environment
        if let xdg = environment["XDG_CONFIG_HOME"], !xdg.isEmpty { return xdg + "/fusebox/config.yaml" }
        return (environment["HOME"] ?? ".") + "/.config/fusebox/config.yaml"
    }

    /// The environment `name` names, or the file's default when no name and no `--source` is given.
    /// - Throws: ``UsageError`` (exit 2) for an unreadable or wrong file, or a name it does not have.
    static func environment(named name: String?, sourcesGiven: Bool) throws -> NamedEnvironment? {
        // With --source and no --env the file has nothing to say: a mistake in it must not stop that.
        guard name != nil || !sourcesGiven else { return nil }
        let path = path
        let file: EnvironmentFile
        do {
            guard let text = try ConfigurationFile.text(at: path) else {
                if let name {
                    throw UsageError("no environment '\(name)': there is no \(path); see docs/backends.md")
                }
                return nil
            }
            file = try EnvironmentFile.parse(
                text, file: path, home: ProcessInfo.processInfo.environment["HOME"] ?? "")
        } catch let error as ConfigurationFileError {
            throw UsageError("config \(error.description)")
        } catch let error as SettingsFileError {
            throw UsageError(error.description)
        }
        guard let chosen = name ?? (sourcesGiven ? nil : file.defaultEnvironment) else { return nil }
        guard let environment = file.environments[chosen] else {
            let known = file.environments.keys.sorted().joined(separator: ", ")
            throw UsageError(
                "no environment '\(chosen)' in \(path)" + (known.isEmpty ? "" : "; it has: \(known)"))
        }
        return environment
    }
}
