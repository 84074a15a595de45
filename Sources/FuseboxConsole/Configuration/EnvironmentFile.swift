import Yams

/// A named set of sources and settings: `fusebox --env prod` instead of six flags at 3 a.m.
public struct NamedEnvironment: Sendable, Hashable {
    public var name: String
    /// The sources, as `--source` takes them; at least one.
    public var sources: [String]
    /// The agents' token file (else `FUSEBOX_TOKEN`).
    public var tokenFile: String?
    /// PEM certificates to trust for `https` agents.
    public var caFile: String?
    public var theme: String?
    /// Seconds between polls.
    public var interval: Double?
    /// No command is sent from this environment (the console is `[RO]`).
    public var readOnly: Bool
    /// Every command needs a reason.
    public var requireReason: Bool
}

/// `$XDG_CONFIG_HOME/fusebox/config.yaml`: named environments.
///
/// ```yaml
/// default-environment: staging
/// environments:
///   prod:
///     sources: [http://10.0.0.1:9901, http://10.0.0.2:9901]
///     token-file: ~/.config/fusebox/prod.token
///     read-only: true
///     require-reason: true
///     interval: 2
///     theme: high-contrast
/// ```
///
/// Read with Yams into its node tree, so every problem names the file, the line and the key.
/// Unknown keys are refused (a misspelt `read-only` must not quietly leave production writable).
public struct EnvironmentFile: Sendable, Hashable {
    /// The environments by name.
    public var environments: [String: NamedEnvironment]
    /// The environment used when none is named, if any.
    public var defaultEnvironment: String?

    /// The file's settings.
    /// - Parameters:
    ///   - home: what `~/` at the start of a path stands for.
    /// - Throws: ``SettingsFileError`` naming the file, line and key of the first problem.
    public static func parse(_ text: String, file: String, home: String) throws(SettingsFileError) -> EnvironmentFile {
        func problem(_ node: Node?, _ key: String?, _ text: String) -> SettingsFileError {
            SettingsFileError(.config, file: file, line: node?.mark?.line, key: key, problem: text)
        }
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            throw SettingsFileError(.config, file: file, line: Self.line(of: error), problem: Self.summary(of: error))
        } catch {
            throw SettingsFileError(.config, file: file, problem: "not YAML: \(error)")
        }
        guard let root else { return EnvironmentFile(environments: [:], defaultEnvironment: nil) }
        guard let top = root.mapping else { throw problem(root, nil, "expected keys such as 'environments:'") }
        var environments: [String: NamedEnvironment] = [:]
        var defaultName: (String, Node)?
        for (keyNode, value) in top {
            let key = keyNode.string ?? ""
            switch key {
            case "default-environment":
                guard let name = value.scalar?.string, !name.isEmpty else {
                    throw problem(value, key, "expected a name")
                }
                defaultName = (name, value)
            case "environments":
                guard let entries = value.mapping else {
                    throw problem(value, key, "expected one entry per environment, e.g. 'prod:'")
                }
                for (nameNode, body) in entries {
                    let name = nameNode.string ?? ""
                    guard !name.isEmpty else { throw problem(nameNode, key, "an environment needs a name") }
                    environments[name] = try environment(name, body, home: home, problem)
                }
            default:
                throw problem(keyNode, key, "unknown key; expected 'environments' or 'default-environment'")
            }
        }
        if let (name, node) = defaultName, environments[name] == nil {
            throw problem(node, "default-environment", "no environment named '\(name)' in this file")
        }
        return EnvironmentFile(environments: environments, defaultEnvironment: defaultName?.0)
    }

    private static func environment(
        _ name: String, _ body: Node, home: String, _ problem: (Node?, String?, String) -> SettingsFileError
    ) throws(SettingsFileError) -> NamedEnvironment {
        guard let settings = body.mapping else {
            throw problem(body, name, "expected settings such as 'sources:' under the environment")
        }
        var result = NamedEnvironment(
            name: name, sources: [], tokenFile: nil, caFile: nil, theme: nil, interval: nil, readOnly: false,
            requireReason: false)
        var sawSources = false
        for (keyNode, value) in settings {
            let key = keyNode.string ?? ""
            let place = "\(name).\(key)"
            func text() throws(SettingsFileError) -> String {
                guard let text = value.scalar?.string, !text.isEmpty else {
                    throw problem(value, place, "expected text")
                }
                return text
            }
            func flag() throws(SettingsFileError) -> Bool {
                guard let flag = value.bool else { throw problem(value, place, "expected true or false") }
                return flag
            }
            func path() throws(SettingsFileError) -> String {
                let path = try text()
                return path.hasPrefix("~/") ? home + path.dropFirst(1) : path
            }
            switch key {
            case "sources", "source":
                sawSources = true
                if let one = value.scalar?.string, !one.isEmpty {
                    result.sources = [one]
                } else if let list = value.sequence {
                    for item in list {
                        guard let source = item.scalar?.string, !source.isEmpty else {
                            throw problem(item, place, "expected a source such as http://host:9901")
                        }
                        guard !result.sources.contains(source) else {
                            throw problem(item, place, "'\(source)' is listed twice")
                        }
                        result.sources.append(source)
                    }
                }
                guard !result.sources.isEmpty else {
                    throw problem(value, place, "expected at least one source, e.g. [http://host:9901]")
                }
            case "token-file": result.tokenFile = try path()
            case "ca-file": result.caFile = try path()
            case "theme": result.theme = try text()
            case "interval":
                guard let seconds = value.float, seconds >= 0.1, seconds <= 3600 else {
                    throw problem(value, place, "expected seconds from 0.1 to 3600")
                }
                result.interval = seconds
            case "read-only": result.readOnly = try flag()
            case "require-reason": result.requireReason = try flag()
            default:
                throw problem(
                    keyNode, place,
                    "unknown key; expected sources, token-file, ca-file, theme, interval, read-only or require-reason")
            }
        }
        guard sawSources else { throw problem(body, name, "the environment has no 'sources:'") }
        return result
    }

    private static func line(of error: YamlError) -> Int? {
        switch error {
        case .scanner(_, _, let mark, _), .parser(_, _, let mark, _), .composer(_, _, let mark, _): return mark.line
        case .duplicatedKeysInMapping(_, let context): return context.mark.line
        default: return nil
        }
    }

    private static func summary(of error: YamlError) -> String {
        switch error {
        case .scanner(let context, let problem, _, _), .parser(let context, let problem, _, _),
            .composer(let context, let problem, _, _):
            return "not valid YAML: " + (context.map { "\($0.text), " } ?? "") + problem
        case .duplicatedKeysInMapping(let duplicates, _):
            return "a key is given twice: \(duplicates.joined(separator: ", "))"
        default:
            return "not valid YAML"
        }
    }
}
