import ArgumentParser
import Dispatch
import Foundation
import FuseboxBackend
import FuseboxConsole
import FuseboxProtocol
import FuseboxRecording
import Synchronization

/// `fusebox record`: a headless recorder, left running beside an incident.
struct RecordCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "record",
        abstract: "Record sources to a file without a terminal, until Ctrl-C, SIGTERM or --duration.",
        discussion: """
            The file is an SQLite database (see docs/recording.md); replay it with 'fusebox replay FILE' and \
            summarise it with 'fusebox report FILE'. Without FILE, a new file under \
            $XDG_STATE_HOME/fusebox/recordings is used.
            """
    )

    @OptionGroup var sourceOptions: SourceOptions

    @Option(
        name: .long, parsing: .unconditional,
        help: ArgumentHelp("Seconds between polls (0.1...3600; default: 1).", valueName: "seconds"),
        transform: OptionValue.decimal(0.1...3600, "seconds"))
    var interval: Double?

    @Option(
        name: .long, parsing: .unconditional,
        help: ArgumentHelp("Stop after this many seconds (default: run until stopped).", valueName: "seconds"),
        transform: OptionValue.decimal(0.1...31_536_000, "seconds"))
    var duration: Double?

    @Argument(help: ArgumentHelp("The recording to create (never overwritten; ends in .fuserec).", valueName: "file"))
    var file: String?

    func validate() throws {
        try StateDirectory.validateRecordingName(file)
    }

    func run() async throws {
        let environment = try sourceOptions.environment()
        let backend = try sourceOptions.makeBackend(environment: environment)
        let path = file ?? StateDirectory.newRecordingPath()
        let interval = self.interval ?? environment?.interval ?? 1
        let stopped = StopSignal()
        let recorder: FileRecorder
        do {
            recorder = try FileRecorder(
                path: path, header: recordingHeader(backend, environment: environment, interval: interval),
                onStop: { line in
                    FuseboxMain.printError(line)
                    stopped.stop()
                })
        } catch {
            FuseboxMain.printError(error.message)
            throw ExitCode(1)
        }
        let signals = stopped.watchSignals()
        defer { signals.forEach { $0.cancel() } }
        let name = SourceAddress.redacted(backend.description)
        let every = interval == interval.rounded() ? "\(Int(interval))s" : "\(interval)s"
        FuseboxMain.printError("recording \(name) to \(path) every \(every); Ctrl-C stops")
        let work = Task { try await backend.run() }
        defer { work.cancel() }
        let deadline = duration.map { Date().addingTimeInterval($0) }
        var lastError: [String: String] = [:]
        while !stopped.isStopped {
            let started = Date()
            let at: Int64
            do throws(BackendError) {
                let snapshots = try await backend.poll()
                at = wallClockMilliseconds()
                recorder.record(snapshots, atMilliseconds: at)
                if lastError[backend.description] != nil {
                    recorder.recordRecovery(source: name, atMilliseconds: at)
                    FuseboxMain.printError("\(name) answers again")
                }
                lastError[backend.description] = nil
            } catch {
                at = wallClockMilliseconds()
                if lastError[backend.description] != error.message {
                    recorder.record(error, source: name, atMilliseconds: at)
                    FuseboxMain.printError("\(name): \(error.message) (still recording; trying again)")
                }
                lastError[backend.description] = error.message
            }
            for status in backend.sources where lastError[status.source] != status.error?.message {
                let source = SourceAddress.redacted(status.source)
                if let error = status.error {
                    recorder.record(error, source: source, atMilliseconds: at)
                    FuseboxMain.printError("\(source): \(error.message)")
                } else if lastError[status.source] != nil {
                    recorder.recordRecovery(source: source, atMilliseconds: at)
                    FuseboxMain.printError("\(source) answers again")
                }
                lastError[status.source] = status.error?.message
            }
            if let deadline, Date() >= deadline { break }
            let wait = interval - Date().timeIntervalSince(started)
            await stopped.wait(seconds: max(0.01, min(wait, deadline.map { $0.timeIntervalSinceNow } ?? wait)))
        }
        let failure = recorder.finish()
        let written = recorder.samplesWritten
        FuseboxMain.printError("recorded \(written) samples to \(path)")
        if failure != nil { throw ExitCode(1) }
    }
}

/// The header every recording starts with: the sources (credentials masked), when, and where.
func recordingHeader(
    _ backend: any ResilienceBackend, environment: NamedEnvironment?, interval: Double
) -> RecordingHeader {
    let sources = backend.sources.isEmpty ? [backend.description] : backend.sources.map(\.source)
    return RecordingHeader(
        sources: sources.map(SourceAddress.redacted), startedAtMilliseconds: wallClockMilliseconds(),
        fuseboxVersion: FuseboxVersion.current, host: ProcessInfo.processInfo.hostName,
        intervalMilliseconds: Int64(interval * 1000))
}

/// Ctrl-C, SIGTERM or a failed write: the recorder's loop ends at its next turn, and a wait in
/// between ends within a tenth of a second.
final class StopSignal: Sendable {
    private let stopped = Atomic<Bool>(false)

    var isStopped: Bool { stopped.load(ordering: .relaxed) }

    func stop() {
        stopped.store(true, ordering: .relaxed)
    }

    /// Sleeps `seconds`, or less if stopped meanwhile.
    func wait(seconds: Double) async {
        var remaining = seconds
        while remaining > 0 && !isStopped {
            let slice = min(0.1, remaining)
            try? await Task.sleep(nanoseconds: UInt64(slice * 1e9))
            remaining -= slice
        }
    }

    /// SIGINT, SIGTERM and SIGHUP (a dropped SSH session) stop the loop instead of the process, so
    /// the file is closed properly.
    func watchSignals() -> [any DispatchSourceSignal] {
        [SIGINT, SIGTERM, SIGHUP].map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { [self] in stop() }
            source.resume()
            return source
        }
    }
}
