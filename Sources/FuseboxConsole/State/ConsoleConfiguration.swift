/// The console's config file: key remappings (see ``Keymap/parse(_:file:)``) and settings for the
/// operator's environment, one per line.
///
/// ```
/// key.force-open = O
/// require-reason = true
/// ```
public struct ConsoleConfiguration: Sendable, Hashable {
    /// The keys, remapped.
    public var keymap: Keymap
    /// Every production-changing command needs a reason (for production environments).
    public var requireReason: Bool

    /// The settings; by default the standard keys and no required reason.
    public init(keymap: Keymap = .standard, requireReason: Bool = false) {
        self.keymap = keymap
        self.requireReason = requireReason
    }

    /// The settings in `text`.
    /// - Throws: ``KeymapError`` naming the line of the first problem.
    public static func parse(_ text: String, file: String) throws(KeymapError) -> ConsoleConfiguration {
        var requireReason: Bool?
        var keyLines: [String] = []
        for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = String(raw).trimmingCharacters()
            let parts = line.split(separator: "=", maxSplits: 1).map { String($0).trimmingCharacters() }
            guard parts.first == "require-reason" else {
                keyLines.append(String(raw))
                continue
            }
            // Keep the line numbers of the key settings.
            keyLines.append("")
            let place = { (problem: String) in
                KeymapError(.config, file: file, line: index + 1, key: "require-reason", problem: problem)
            }
            guard requireReason == nil else { throw place("already set above") }
            guard parts.count == 2, let value = Bool(parts[1]) else { throw place("expected true or false") }
            requireReason = value
        }
        let keymap = try Keymap.parse(keyLines.joined(separator: "\n"), file: file)
        return ConsoleConfiguration(keymap: keymap, requireReason: requireReason ?? false)
    }
}
