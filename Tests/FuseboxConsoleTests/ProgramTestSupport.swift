import Foundation
import FuseboxBackend
import FuseboxConsole
import FuseboxProtocol
import Synchronization
import Testing

/// A clock that moves only when told; records every wait it was asked for.
final class ManualConsoleClock: ConsoleClock {
    private struct State {
        var now: Int64
        var sleepers: [(id: Int, deadline: Int64, continuation: CheckedContinuation<Void, any Error>)] = []
        var nextID = 0
        var waits: [Int64] = []
    }

    private let state: Mutex<State>

    init(now: Int64) { state = Mutex(State(now: now)) }

    func nowMilliseconds() -> Int64 { state.withLock { $0.now } }

    /// Every `sleep` duration asked for, in order.
    var waits: [Int64] { state.withLock { $0.waits } }

    func sleep(milliseconds: Int64) async throws {
        let id = state.withLock { s -> Int in
            s.nextID += 1
            s.waits.append(milliseconds)
            return s.nextID
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                let resumeNow = state.withLock { s -> Bool in
                    if Task.isCancelled { return true }
                    s.sleepers.append((id, s.now + milliseconds, continuation))
                    return false
                }
                if resumeNow { continuation.resume(throwing: CancellationError()) }
            }
        } onCancel: {
            let sleeper = state.withLock { s -> CheckedContinuation<Void, any Error>? in
                guard let index = s.sleepers.firstIndex(where: { $0.id == id }) else { return nil }
                return s.sleepers.remove(at: index).continuation
            }
            sleeper?.resume(throwing: CancellationError())
        }
    }

    func advance(by milliseconds: Int64) {
        let due = state.withLock { s -> [CheckedContinuation<Void, any Error>] in
            s.now += milliseconds
            let now = s.now
            let due = s.sleepers.filter { $0.deadline <= now }.map(\.continuation)
            s.sleepers.removeAll { $0.deadline <= now }
            return due
        }
        for continuation in due { continuation.resume() }
    }
}

/// A backend that answers polls from a script (the last entry repeats) and records what it is asked.
final class ScriptedBackend: ResilienceBackend {
    enum Answer: Sendable {
        case snapshots([Snapshot])
        case failure(BackendError)
        /// Never answers (until the test process ends).
        case hang
    }

    let description = "scripted"
    let capabilities: BackendCapabilities
    private let script: Mutex<[Answer]>
    private let record = Mutex<(polls: Int, sent: [(Command, [String])], runCancelled: Bool)>((0, [], false))
    private let clock: ManualConsoleClock

    init(_ script: [Answer], clock: ManualConsoleClock, commands: Set<CommandKind> = Set(CommandKind.allCases)) {
        self.script = Mutex(script)
        self.clock = clock
        self.capabilities = BackendCapabilities(commands: commands)
    }

    var polls: Int { record.withLock { $0.polls } }
    var sent: [(Command, [String])] { record.withLock { $0.sent } }
    var runWasCancelled: Bool { record.withLock { $0.runCancelled } }

    func run() async throws {
        while !Task.isCancelled { try? await Task.sleep(nanoseconds: 1_000_000) }
        record.withLock { $0.runCancelled = true }
    }

    func poll() async throws(BackendError) -> [Snapshot] {
        record.withLock { $0.polls += 1 }
        let answer = script.withLock { script in script.count > 1 ? script.removeFirst() : script[0] }
        switch answer {
        case .snapshots(let snapshots):
            // Each answer is stamped now, as a live source's would be.
            let now = clock.nowMilliseconds()
            return snapshots.map { snapshot in
                var stamped = snapshot
                stamped.takenAtMilliseconds = now
                return stamped
            }
        case .failure(let error): throw error
        case .hang:
            while true { try? await Task.sleep(nanoseconds: 3_600_000_000_000) }
        }
    }

    func send(_ command: Command, to instances: [String]) async throws(BackendError) -> [CommandResult] {
        record.withLock { $0.sent.append((command, instances)) }
        return instances.map {
            CommandResult(
                commandId: command.id, instance: $0, status: .applied, target: command.action.target,
                before: .breaker(.closed), after: .breaker(.forcedOpen), refusal: nil,
                message: "'\(command.action.target)' CLOSED -> FORCED-OPEN", atMilliseconds: clock.nowMilliseconds())
        }
    }
}

/// A terminal in memory: keeps what was drawn and types scripted input once the screen (or the
/// world) is ready for it. While it waits, it moves the manual clock on by the loop's timeout.
final class MemoryTerminal: ConsoleTerminal, @unchecked Sendable {
    struct Step {
        let until: (String) -> Bool
        let input: TerminalInput
    }

    private(set) var size: (width: Int, height: Int)
    private(set) var lastCanvas: Canvas?
    private(set) var draws = 0
    private(set) var themes: [String] = []
    private var steps: [Step]
    private let clock: ManualConsoleClock
    /// Only a guard against a hang: with every suite running at once on two cores, the backend's
    /// tasks can wait for a free thread for many seconds.
    private let deadline = Date().addingTimeInterval(60)

    init(width: Int = 100, height: Int = 30, clock: ManualConsoleClock, steps: [Step]) {
        self.size = (width, height)
        self.clock = clock
        self.steps = steps
    }

    var screen: String { lastCanvas?.text ?? "" }

    func draw(_ canvas: Canvas) {
        lastCanvas = canvas
        draws += 1
    }

    func use(_ theme: Theme) { themes.append(theme.name) }

    private(set) var invalidations = 0

    func invalidate() { invalidations += 1 }

    private(set) var released = false

    func release() { released = true }

    func nextInput(timeoutMilliseconds: Int) -> TerminalInput? {
        if let step = steps.first, step.until(screen) {
            steps.removeFirst()
            if case .resize(let width, let height) = step.input { size = (width, height) }
            return step.input
        }
        if Date() > deadline {
            Issue.record("the scripted session timed out; screen was:\n\(screen)")
            return .stop(signal: 0)
        }
        clock.advance(by: Int64(timeoutMilliseconds))
        usleep(300)
        return nil
    }
}

extension TerminalInput {
    static func typing(_ text: String) -> [TerminalInput] { text.map { .key(.character($0)) } }
}

/// Runs the program on a thread of its own, as the command line does.
func runOnThread(_ program: @escaping @Sendable () -> ConsoleProgram, _ state: ConsoleState) async
    -> ConsoleProgram.Exit
{
    await onOwnThread(named: "fusebox-test-ui") { program().run(state) }
}
