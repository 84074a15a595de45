import Foundation
import Fusebox
import FuseboxBackend
import FuseboxProtocol
import FuseboxRecording
import FuseboxSimulator
import Logging
import Synchronization
import Testing

/// A scenario played once in virtual time: three instances of partial-outage, polled every
/// second for four minutes, so the data has transitions, retries, fallbacks and flags.
enum RecordedScenario {
    static let origin: Int64 = 1_796_000_000_000

    struct Poll: Sendable {
        let atMilliseconds: Int64
        let snapshots: [Snapshot]
    }

    private static let playing = Task { () -> [Poll] in
        var configuration = SimulationConfiguration()
        configuration.seed = 11
        configuration.instances = 3
        let clock = ManualClock(wallOriginMilliseconds: origin)
        let simulation = try! Simulation(
            configuration: configuration, clock: clock,
            logger: Logger(label: "t", factory: { _ in SwiftLogNoOpLogHandler() }))
        let polls = Mutex<[Poll]>([])
        try! await VirtualTime.run(clock: clock) {
            await simulation.run(for: .seconds(240), observingEvery: .seconds(1)) { simulation in
                let snapshots = simulation.snapshots()
                // A little after the snapshots were taken, as a real poll finishes.
                let at = snapshots[0].takenAtMilliseconds + 7
                polls.withLock { $0.append(Poll(atMilliseconds: at, snapshots: snapshots)) }
            }
        }
        return polls.withLock { $0 }
    }

    static var polls: [Poll] {
        get async { await playing.value }
    }

    /// One directory for every file the tests write, removed when the test process exits.
    static let root: String = {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("fusebox-recording-tests-\(getpid())")
            .path
        atexit { try? FileManager.default.removeItem(atPath: RecordedScenario.root) }
        return root
    }()

    /// A fresh path in a fresh directory.
    static func temporaryPath(_ name: String = "session.fuserec") -> String {
        URL(fileURLWithPath: root).appendingPathComponent(UUID().uuidString).appendingPathComponent(name).path
    }

    static func header(startedAt: Int64 = origin) -> RecordingHeader {
        RecordingHeader(
            sources: ["sim:partial-outage"], startedAtMilliseconds: startedAt, fuseboxVersion: "test", host: "test",
            intervalMilliseconds: 1_000)
    }

    /// Records `polls` to a new file and closes it; returns its path.
    static func record(
        _ polls: [Poll], keyframeIntervalMilliseconds: Int64 = 30_000,
        extra: (FileRecorder) -> Void = { _ in }
    ) throws -> String {
        let path = temporaryPath()
        let recorder = try FileRecorder(
            path: path, header: header(), keyframeIntervalMilliseconds: keyframeIntervalMilliseconds,
            onStop: { line in Issue.record("recording stopped: \(line)") })
        for poll in polls { recorder.record(poll.snapshots, atMilliseconds: poll.atMilliseconds) }
        extra(recorder)
        #expect(recorder.finish() == nil)
        return path
    }
}
