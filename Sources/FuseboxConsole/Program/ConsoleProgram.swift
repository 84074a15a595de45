import Dispatch
public import FuseboxBackend
import FuseboxProtocol
import Synchronization

/// The console as a program: it owns the loop — ticks, waiting for keys, polling the backend with
/// backoff and jitter, carrying out effects — and drives any ``ConsoleTerminal``. Results of
/// background work come back as messages through ``update(_:_:)``, the only place state changes.
///
/// ``run(_:)`` blocks the calling thread (a terminal is used from one thread); polls and commands
/// run on the concurrency pool and post to an inbox the loop drains every turn, so input never
/// waits on the network.
public final class ConsoleProgram {
    /// How a run ended.
    public struct Exit: Sendable {
        /// Why the console stopped.
        public enum Reason: Sendable, Hashable {
            /// `q`, `:q` or Ctrl-C typed as a key.
            case quit
            /// A signal, e.g. SIGTERM.
            case signal(Int32)
        }

        /// Why it ended.
        public let reason: Reason
        /// The state at the end (tests read it).
        public let state: ConsoleState
    }

    private let backend: any ResilienceBackend
    private let terminal: any ConsoleTerminal
    private let themes: ThemeLoader?
    private let clock: any ConsoleClock
    private let random: @Sendable () -> Double
    private let tickMilliseconds: Int64
    private let inputTimeoutMilliseconds: Int
    private let pollTimeoutMilliseconds: Int64
    private let inbox = Inbox()
    private var pollTask: Task<Void, Never>?
    /// Where the session is written: the recording (`--record`) and the session's memory.
    private let sinks: SessionSinks
    /// What the session has seen so far, for pausing and looking back.
    private let history: (any SessionRecorder & ReplayTimeline)?
    /// The recording replayed, when the source is one.
    private let timeline: (any ReplayTimeline)?
    /// Timeline reads happen here, in the order asked, off the drawing thread.
    private let timelineQueue = DispatchQueue(label: "fusebox.timeline")
    /// Commands on their way; the console waits for them (a little) before it returns.
    private let commandsInFlight = DispatchGroup()

    /// - Parameters:
    ///   - backend: the source to poll and send commands to.
    ///   - terminal: where to draw and read keys.
    ///   - themes: where `:theme NAME` looks; `nil` refuses theme changes.
    ///   - clock: wall time and waits (a manual clock in tests).
    ///   - random: uniform numbers in 0..<1 for jitter (a fixed value in tests).
    ///   - tickMilliseconds: how often ages on screen advance.
    ///   - inputTimeoutMilliseconds: the longest wait for a key before the loop looks at its inbox.
    ///   - pollTimeoutMilliseconds: a poll that has not answered by then counts as failed (`timed-out`).
    ///   - recorders: where the session is written as it happens (`--record`, the local audit log).
    ///   - recordsToFile: whether the first of `recorders` is the session's recording file.
    ///   - history: the session's memory, which pausing opens as a timeline.
    public init(
        backend: any ResilienceBackend, terminal: any ConsoleTerminal, themes: ThemeLoader?,
        clock: any ConsoleClock, random: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) },
        tickMilliseconds: Int64 = 250, inputTimeoutMilliseconds: Int = 50, pollTimeoutMilliseconds: Int64 = 10_000,
        recorders: [any SessionRecorder] = [], recordsToFile: Bool = false,
        history: (any SessionRecorder & ReplayTimeline)? = nil
    ) {
        self.backend = backend
        self.sinks = SessionSinks(
            recorders: recorders, history: history, source: backend.description, inbox: inbox,
            isRecording: recordsToFile)
        self.history = history
        self.timeline = backend.timeline
        self.terminal = terminal
        self.themes = themes
        self.clock = clock
        self.random = random
        self.tickMilliseconds = tickMilliseconds
        self.inputTimeoutMilliseconds = inputTimeoutMilliseconds
        self.pollTimeoutMilliseconds = pollTimeoutMilliseconds
    }

    /// Runs until the operator quits or a signal arrives. Starts the backend's own work and stops it
    /// before returning; a command already sent is given a few seconds to be answered, so its
    /// outcome is not lost.
    public func run(_ initial: ConsoleState) -> Exit {
        var state = initial
        let workEnded = DispatchSemaphore(value: 0)
        let backendWork = Task { [backend, inbox, clock] in
            defer { workEnded.signal() }
            do {
                try await backend.run()
            } catch is CancellationError {
            } catch {
                let failure = error as? BackendError ?? BackendError(.stopped, "the source stopped: \(error)")
                inbox.post(.pollFailed(failure, atMilliseconds: clock.nowMilliseconds()))
            }
        }
        defer {
            // The screen goes back first: a supervisor's SIGKILL during the wind-down must not leave it raw.
            terminal.release()
            pollTask?.cancel()
            _ = commandsInFlight.wait(timeout: .now() + .seconds(3))
            backendWork.cancel()
            // The backend's own work (a simulation's traffic) winds down before the console returns;
            // a backend that ignores cancellation is not waited for beyond a few seconds.
            _ = workEnded.wait(timeout: .now() + .seconds(3))
        }
        if let timeline {
            // A recording is not polled: its frames come as the replay asks for them.
            inbox.post(
                .timeline(
                    frameTimes: timeline.frameTimes(), markers: timeline.markers(), notes: timeline.notes(),
                    damage: timeline.damage))
        } else {
            schedulePoll(afterMilliseconds: 0, jittered: false)
        }
        let (width, height) = terminal.size
        if width != state.width || height != state.height {
            _ = perform(update(&state, .resize(width: width, height: height)), &state)
        }
        // The clock starts now, so a status line set by the first messages is dated right.
        _ = perform(update(&state, .tick(atMilliseconds: clock.nowMilliseconds())), &state)
        var dirty = true
        var lastTick = clock.nowMilliseconds()
        while true {
            for message in inbox.drain() {
                if perform(update(&state, message), &state) { return Exit(reason: .quit, state: state) }
                dirty = true
            }
            let now = clock.nowMilliseconds()
            if now - lastTick >= tickMilliseconds {
                if perform(update(&state, .tick(atMilliseconds: now)), &state) {
                    return Exit(reason: .quit, state: state)
                }
                lastTick = now
                dirty = true
            }
            if dirty {
                terminal.draw(render(state))
                dirty = false
            }
            switch terminal.nextInput(timeoutMilliseconds: inputTimeoutMilliseconds) {
            case nil:
                break
            case .key(let key):
                // The key is judged at its own time (a status line's age, the cursor's question),
                // not at the last tick's.
                let now = clock.nowMilliseconds()
                if now > state.nowMilliseconds {
                    if perform(update(&state, .tick(atMilliseconds: now)), &state) {
                        return Exit(reason: .quit, state: state)
                    }
                    lastTick = now
                }
                if perform(update(&state, .key(key)), &state) { return Exit(reason: .quit, state: state) }
                dirty = true
            case .resize(let width, let height):
                if perform(update(&state, .resize(width: width, height: height)), &state) {
                    return Exit(reason: .quit, state: state)
                }
                dirty = true
            case .stop(let signal):
                return Exit(reason: .signal(signal), state: state)
            }
        }
    }

    /// Carries out effects; returns `true` to quit.
    private func perform(_ effects: [Effect], _ state: inout ConsoleState) -> Bool {
        for effect in effects {
            switch effect {
            case .quit:
                return true
            case .poll(let milliseconds, let jittered):
                schedulePoll(afterMilliseconds: milliseconds, jittered: jittered)
            case .repaint:
                terminal.invalidate()
            case .send(let command, let instances):
                send(command, to: instances)
            case .applyTheme(let name):
                // Loading reads a small file; its outcome goes through update like everything else.
                if perform(update(&state, applyTheme(name)), &state) { return true }
            case .openTimeline:
                if let history {
                    let opened = Message.timeline(
                        frameTimes: history.frameTimes(), markers: history.markers(), notes: history.notes(),
                        damage: history.damage)
                    if perform(update(&state, opened), &state) { return true }
                }
            case .loadFrames(let request, let id):
                loadFrames(request, id: id)
            case .annotate(let text):
                sinks.annotate(text, author: state.actor, atMilliseconds: clock.nowMilliseconds())
            }
        }
        return false
    }

    private func schedulePoll(afterMilliseconds milliseconds: Int64, jittered: Bool) {
        let wait = jittered ? PollSchedule.jittered(milliseconds, unit: random()) : milliseconds
        pollTask?.cancel()
        let timeout = pollTimeoutMilliseconds
        pollTask = Task { [sinks, backend, inbox, clock] in
            if wait > 0 {
                do { try await clock.sleep(milliseconds: wait) } catch { return }
            }
            let message = await pollWithTimeout(backend, clock: clock, timeoutMilliseconds: timeout)
            if !Task.isCancelled {
                // Recorded before the console hears of it, so a paused console can read it back at once.
                sinks.record(message, sources: backend.sources)
                inbox.post(message)
                let sources = backend.sources
                if !sources.isEmpty { inbox.post(.sources(sources, atMilliseconds: clock.nowMilliseconds())) }
                inbox.post(.capabilities(backend.capabilities, atMilliseconds: clock.nowMilliseconds()))
            }
        }
    }

    private func send(_ command: Command, to instances: [String]) {
        commandsInFlight.enter()
        Task { [sinks, backend, inbox, clock, commandsInFlight] in
            defer { commandsInFlight.leave() }
            let results: [CommandResult]
            let message: Message
            do throws(BackendError) {
                results = try await backend.send(command, to: instances)
                message = .commandResults(results, atMilliseconds: clock.nowMilliseconds())
            } catch {
                let now = clock.nowMilliseconds()
                results = instances.map { instance in
                    CommandResult(
                        commandId: command.id, instance: instance, status: .failed, target: command.action.target,
                        before: nil, after: nil, refusal: nil, message: error.message, atMilliseconds: now)
                }
                message = .commandFailed(error, atMilliseconds: now)
            }
            sinks.record(command, results: results, atMilliseconds: clock.nowMilliseconds())
            inbox.post(message)
        }
    }

    /// Reads frames for the replay, in the order asked, and hands them to the loop.
    private func loadFrames(_ request: FramesRequest, id: Int) {
        guard let source = timeline ?? history else { return }
        timelineQueue.async { [inbox] in
            do throws(BackendError) {
                switch request {
                case .jump(let time, let count):
                    let frames = try source.frames(endingAt: time, count: count + 1)
                    inbox.post(.frames(frames, reset: true, request: id, damage: source.damage))
                case .advance(let start, let end):
                    let frames = try source.frames(after: start, through: end)
                    inbox.post(.frames(frames, reset: false, request: id, damage: source.damage))
                }
            } catch {
                inbox.post(.timelineFailed("cannot read the timeline: \(error.message)"))
            }
        }
    }

    private func applyTheme(_ name: String) -> Message {
        guard let themes else { return .themeFailed("themes cannot be changed here") }
        do {
            let theme = try themes.load(name)
            terminal.use(theme)
            return .themeApplied(theme.name)
        } catch {
            return .themeFailed("\(error)")
        }
    }
}

/// Messages from background work, waiting for the loop.
final class Inbox: Sendable {
    private let messages = Mutex<[Message]>([])

    func post(_ message: Message) { messages.withLock { $0.append(message) } }

    func drain() -> [Message] {
        messages.withLock { messages in
            defer { messages.removeAll(keepingCapacity: true) }
            return messages
        }
    }
}
