public import FuseboxProtocol
import Synchronization

/// Several sources read as one (`--source` repeated, or an environment from the config file): a
/// fleet of agents, a Prometheus server beside them, a Java service's actuator.
///
/// Every source is polled at once, each with its own time limit. A poll waits for them at most
/// `waitMilliseconds`: a source slower than that keeps its poll running in the background and its
/// answer is taken in when it lands, so one slow or hung source never holds up the others. A source
/// that fails keeps its last good snapshots (their own times show their age) and is polled again
/// after a backoff that doubles up to ``maximumBackoffMilliseconds``; the poll fails only when no
/// source has anything to show. ``sources`` says how each one is doing.
///
/// Instance names route commands: a command for several instances goes to the source of each, at
/// once, and comes back with one result per instance — `failed` for an instance whose source could
/// not be reached, so "applied on 3 of 4" names the fourth. Two sources naming the same instance
/// are told apart as `instance@source`, and a name once given stays with its instance, so a source
/// coming back never takes over another's name (and its commands).
public final class MultiSourceBackend: ResilienceBackend {
    public let description: String
    private let members: [any ResilienceBackend]
    private let timeoutMilliseconds: Int64
    private let waitMilliseconds: Int64
    private let now: @Sendable () -> Int64
    private let state: Mutex<State>

    /// The longest a failing source waits between two attempts.
    public static let maximumBackoffMilliseconds: Int64 = 30_000

    /// What is known of one source.
    private struct Member {
        var status: SourceStatus
        /// Its last good snapshots, with the source's own instance names.
        var snapshots: [Snapshot] = []
        /// Shown instance name → the source's own name for it, for the instances it has now.
        var names: [String: String] = [:]
        /// The source's own name → the name shown, for every instance it ever had: names stick.
        var given: [String: String] = [:]
        /// Its poll still running, if any (a hung source is not polled twice at once).
        var polling: Task<Void, Never>?
    }

    private struct State {
        var members: [Member]
        /// Every name given so far, to any source's instance.
        var taken: Set<String> = []
    }

    /// - Parameters:
    ///   - backends: the sources, in the order their instances are listed.
    ///   - timeoutMilliseconds: how long one source's poll or command may take (a little more than
    ///     the backends' own request time-outs, so their more precise errors come first).
    ///   - waitMilliseconds: how long a poll waits for slow sources before it answers with what it
    ///     has (their polls go on); at most `timeoutMilliseconds`. Until some source has answered,
    ///     a poll waits out the whole time limit.
    ///   - now: wall-clock milliseconds (a manual clock in tests).
    public init(
        _ backends: [any ResilienceBackend], timeoutMilliseconds: Int64 = 7_000, waitMilliseconds: Int64 = 1_500,
        now: @escaping @Sendable () -> Int64 = { wallClockMilliseconds() }
    ) {
        self.members = backends
        self.timeoutMilliseconds = timeoutMilliseconds
        self.waitMilliseconds = min(waitMilliseconds, timeoutMilliseconds)
        self.now = now
        self.description = backends.map(\.description).joined(separator: ", ")
        self.state = Mutex(State(members: backends.map { Member(status: SourceStatus(source: $0.description)) }))
    }

    /// Every command some source accepts (each instance's own source says no to the rest), every
    /// field some source fills; self-paced only if every source is.
    public var capabilities: BackendCapabilities {
        let all = members.map(\.capabilities)
        let commands = all.reduce(into: Set<CommandKind>()) { $0.formUnion($1.commands) }
        let fields = all.reduce(into: SnapshotFields()) { $0.formUnion($1.fields) }
        var reasons: [String] = []
        for reason in all.compactMap(\.commandsUnavailableReason) where !reasons.contains(reason) {
            reasons.append(reason)
        }
        return BackendCapabilities(
            commands: commands, fields: fields, selfPaced: all.allSatisfy(\.selfPaced),
            commandsUnavailableReason: commands.isEmpty && !reasons.isEmpty ? reasons.joined(separator: "; ") : nil)
    }

    public var sources: [SourceStatus] {
        state.withLock { state in
            state.members.map { member in
                var status = member.status
                status.polling = member.polling != nil
                return status
            }
        }
    }

    /// Runs every source's own work until cancelled.
    public func run() async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            for member in members { group.addTask { try await member.run() } }
            try await group.waitForAll()
        }
    }

    /// Polls every source that is due, at once, waiting for them at most `waitMilliseconds`;
    /// returns every source's newest good snapshots.
    /// - Throws: ``BackendError`` only when no source has anything to show: with one source, its
    ///   own error; with several, one line naming each.
    public func poll() async throws(BackendError) -> [Snapshot] {
        let start = now()
        // Waited for: the polls started now of sources that answered last time (or never were
        // asked). A source that failed, or whose poll is still running from before, is not waited
        // for: its answer is taken in whenever it lands.
        let running = state.withLock { state -> [Task<Void, Never>] in
            var waited: [Task<Void, Never>] = []
            for index in state.members.indices where state.members[index].polling == nil {
                if let retry = state.members[index].status.retryAtMilliseconds, retry > start { continue }
                let task = Task { [self] in
                    let outcome = await withTimeout(timeoutMilliseconds) { () async throws(BackendError) in
                        try await self.members[index].poll()
                    }
                    self.take(outcome, from: index)
                }
                state.members[index].polling = task
                if state.members[index].status.error == nil { waited.append(task) }
            }
            // With nothing to show yet, every poll under way is waited for.
            return state.members.contains { !$0.snapshots.isEmpty } ? waited : state.members.compactMap(\.polling)
        }
        await Self.waitForAll(running, atMostMilliseconds: waitMilliseconds)
        // With nothing to show yet, waiting out the time limit beats answering "no data".
        if state.withLock({ state in !state.members.contains { !$0.snapshots.isEmpty } }) {
            await Self.waitForAll(running, atMostMilliseconds: timeoutMilliseconds - waitMilliseconds + 100)
        }
        return try state.withLock { (state) throws(BackendError) -> [Snapshot] in
            let snapshots = Self.named(&state)
            if snapshots.isEmpty, let failure = Self.failure(state.members) { throw failure }
            return snapshots
        }
    }

    /// Takes in one source's poll, whenever it lands.
    private func take(_ outcome: Result<[Snapshot], BackendError>, from index: Int) {
        let finished = now()
        state.withLock { state in
            state.members[index].polling = nil
            switch outcome {
            case .success(let snapshots):
                state.members[index].snapshots = snapshots
                state.members[index].status.lastSuccessMilliseconds = finished
                state.members[index].status.error = nil
                state.members[index].status.consecutiveFailures = 0
                state.members[index].status.retryAtMilliseconds = nil
            case .failure(let error):
                state.members[index].status.error = error
                state.members[index].status.consecutiveFailures += 1
                state.members[index].status.retryAtMilliseconds =
                    finished + Self.backoff(afterFailures: state.members[index].status.consecutiveFailures, error)
            }
        }
    }

    /// Returns when every task has finished, or after `milliseconds`, whichever is first. (A task
    /// group would wait for its children, and waiting for a task's value cannot be cancelled.)
    private static func waitForAll(_ tasks: [Task<Void, Never>], atMostMilliseconds milliseconds: Int64) async {
        guard !tasks.isEmpty else { return }
        let first = FirstResult<Void>()
        let all = Task {
            for task in tasks { await task.value }
            first.give(.success(()))
        }
        let timer = Task {
            try? await Task.sleep(for: .milliseconds(milliseconds))
            first.give(.success(()))
        }
        _ = await first.value()
        all.cancel()
        timer.cancel()
    }

    /// Sends to each instance's own source, all at once, and returns one result per instance asked.
    public func send(_ command: Command, to instances: [String]) async throws(BackendError) -> [CommandResult] {
        var routes: [Int: [(shown: String, own: String)]] = [:]
        var unknown: [String] = []
        state.withLock { state in
            for instance in instances {
                if let index = state.members.firstIndex(where: { $0.names[instance] != nil }) {
                    routes[index, default: []].append((instance, state.members[index].names[instance]!))
                } else {
                    unknown.append(instance)
                }
            }
        }
        let sent = now()
        var results = unknown.map { instance in
            Self.failed(
                command, instance,
                "not known to any source; wait for the next poll and try again", at: sent)
        }
        let answers = await withTaskGroup(of: [CommandResult].self) { group in
            for (index, route) in routes {
                group.addTask { [members, timeoutMilliseconds, now] in
                    let member = members[index]
                    let outcome = await withTimeout(timeoutMilliseconds) {
                        () async throws(BackendError) -> [CommandResult] in
                        try await member.send(command, to: route.map(\.own))
                    }
                    switch outcome {
                    case .success(let answers):
                        var results: [CommandResult] = []
                        for (shown, own) in route {
                            if var answer = answers.first(where: { ($0.instance ?? own) == own }) {
                                answer.instance = shown
                                results.append(answer)
                            } else {
                                results.append(
                                    Self.failed(
                                        command, shown, "no answer; look at its state before retrying",
                                        at: now()))
                            }
                        }
                        return results
                    case .failure(let error):
                        // A source that does not do this command refuses it for its instances.
                        if error.code == .unsupportedCommand {
                            return route.map {
                                CommandResult(
                                    commandId: command.id, instance: $0.shown, status: .refused,
                                    target: command.action.target, before: nil, after: nil, refusal: .notAllowed,
                                    message: error.message, atMilliseconds: now())
                            }
                        }
                        // A time-out may have come after the source applied it: say so.
                        let message =
                            error.code == .timedOut
                            ? "no answer (\(error.message)); it may have been applied: look at its state before retrying"
                            : error.message
                        return route.map { Self.failed(command, $0.shown, message, at: now()) }
                    }
                }
            }
            var all: [CommandResult] = []
            for await answers in group { all.append(contentsOf: answers) }
            return all
        }
        results.append(contentsOf: answers)
        // In the order asked, so reports read as the operator chose.
        let order = Dictionary(instances.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
        return results.sorted { order[$0.instance ?? "", default: .max] < order[$1.instance ?? "", default: .max] }
    }

    private static func poll(
        _ backend: any ResilienceBackend, timeoutMilliseconds: Int64
    ) async -> Result<[Snapshot], BackendError> {
        await withTimeout(timeoutMilliseconds) { () async throws(BackendError) in
            try await backend.poll()
        }
    }

    /// Every source's snapshots, each instance under a name no other instance has; a name once
    /// given stays with its instance. Remembers each source's own names for routing commands.
    private static func named(_ state: inout State) -> [Snapshot] {
        var all: [Snapshot] = []
        for index in state.members.indices {
            var names: [String: String] = [:]
            for var snapshot in state.members[index].snapshots {
                let own = snapshot.instance
                let shown: String
                if let given = state.members[index].given[own] {
                    shown = given
                } else {
                    var candidate = own
                    var suffix = 1
                    while state.taken.contains(candidate) {
                        suffix += 1
                        candidate =
                            "\(own)@\(label(state.members[index].status.source))" + (suffix > 2 ? "#\(suffix - 1)" : "")
                    }
                    shown = candidate
                    state.taken.insert(shown)
                    state.members[index].given[own] = shown
                }
                // The same name twice in one answer: the second is not this instance.
                guard names[shown] == nil else { continue }
                snapshot.instance = shown
                names[shown] = own
                all.append(snapshot)
            }
            state.members[index].names = names
            state.members[index].status.instances = names.keys.sorted()
        }
        return all
    }

    /// A source as short as it can be shown after an instance's name: `10.0.0.2:9901` for
    /// `http://10.0.0.2:9901`.
    static func label(_ source: String) -> String {
        guard let separator = source.firstRange(of: "://") else { return source }
        var rest = source[separator.upperBound...]
        if rest.hasSuffix("/") { rest = rest.dropLast() }
        return String(rest)
    }

    /// Doubling from one second, at most ``maximumBackoffMilliseconds``; a fatal error waits the most.
    static func backoff(afterFailures failures: Int, _ error: BackendError) -> Int64 {
        guard error.isRetryable else { return maximumBackoffMilliseconds }
        return min(maximumBackoffMilliseconds, 1_000 << min(failures - 1, 5))
    }

    /// The error when nothing can be shown: one source's own, or every source's in one line.
    private static func failure(_ members: [Member]) -> BackendError? {
        let failed = members.compactMap { member in member.status.error.map { (member.status.source, $0) } }
        guard let first = failed.first else { return nil }
        if members.count == 1 { return first.1 }
        let code = failed.first(where: { $0.1.isRetryable })?.1.code ?? first.1.code
        let each = failed.map { "\($0.0): \($0.1.message)" }.joined(separator: "; ")
        return BackendError(code, "no source could be read (\(failed.count) of \(members.count)): \(each)")
    }

    private static func failed(_ command: Command, _ instance: String, _ message: String, at: Int64) -> CommandResult {
        CommandResult(
            commandId: command.id, instance: instance, status: .failed, target: command.action.target, before: nil,
            after: nil, refusal: nil, message: message, atMilliseconds: at)
    }
}

/// `work`'s outcome, or `timed-out` once `milliseconds` have passed; work that ignores
/// cancellation is left behind, never waited for.
func withTimeout<T: Sendable>(
    _ milliseconds: Int64, _ work: @escaping @Sendable () async throws(BackendError) -> T
) async -> Result<T, BackendError> {
    let first = FirstResult<T>()
    let worker = Task {
        do throws(BackendError) { first.give(.success(try await work())) } catch { first.give(.failure(error)) }
    }
    let timer = Task {
        guard (try? await Task.sleep(for: .milliseconds(milliseconds))) != nil else { return }
        // The time-out is the answer: given before the work is cancelled, so the cancellation's own
        // failure ("cannot reach ...: CancellationError") never takes its place.
        let seconds = milliseconds % 1000 == 0 ? "\(milliseconds / 1000) s" : "\(milliseconds) ms"
        first.give(.failure(BackendError(.timedOut, "did not answer within \(seconds)")))
        worker.cancel()
    }
    let result = await first.value()
    timer.cancel()
    return result
}

/// The first of two racing outcomes; the later one is dropped.
private final class FirstResult<T: Sendable>: Sendable {
    private let state = Mutex<
        (result: Result<T, BackendError>?, waiter: CheckedContinuation<Result<T, BackendError>, Never>?)
    >(
        (nil, nil))

    func give(_ result: Result<T, BackendError>) {
        let waiter = state.withLock { s -> CheckedContinuation<Result<T, BackendError>, Never>? in
            guard s.result == nil else { return nil }
            s.result = result
            defer { s.waiter = nil }
            return s.waiter
        }
        waiter?.resume(returning: result)
    }

    func value() async -> Result<T, BackendError> {
        await withCheckedContinuation { continuation in
            let ready = state.withLock { s -> Result<T, BackendError>? in
                if s.result == nil { s.waiter = continuation }
                return s.result
            }
            if let ready { continuation.resume(returning: ready) }
        }
    }
}
