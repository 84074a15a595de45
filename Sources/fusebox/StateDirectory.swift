import ArgumentParser
import Foundation
import FuseboxRecording

/// Where fusebox keeps what it writes for later: recordings and the console's audit log.
/// `$XDG_STATE_HOME/fusebox`, else `~/.local/state/fusebox` (the XDG base directory default).
enum StateDirectory {
    static func path(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let state = environment["XDG_STATE_HOME"], state.hasPrefix("/") { return state + "/fusebox" }
        let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
        return home + "/.local/state/fusebox"
    }

    /// `…/recordings/2026-11-29T10-42-05Z.fuserec`: a new name for a recording started now.
    static func newRecordingPath(now: Date = Date()) -> String {
        let formatter = ISO8601DateFormatter()
        let stamp = formatter.string(from: now).replacingOccurrences(of: ":", with: "-")
        return path() + "/recordings/\(stamp).fuserec"
    }

    static var auditLogPath: String { path() + "/audit.log" }

    /// A recording's name must end in `.fuserec`, so that every command takes it as a source.
    static func validateRecordingName(_ name: String?) throws {
        let suffix = RecordingBackend.fileExtension
        guard let name else { return }
        guard name.hasSuffix(suffix), name.count > suffix.count, !name.hasSuffix("/" + suffix) else {
            throw ValidationError("name the recording FILE\(suffix), so fusebox knows it")
        }
    }
}

/// The version recordings and reports name.
enum FuseboxVersion {
    static let current = "0.11.0"
}
