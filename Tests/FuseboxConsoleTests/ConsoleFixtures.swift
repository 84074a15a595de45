import Foundation
import Fusebox
import FuseboxConsole
import FuseboxProtocol
import FuseboxSimulator
import Logging
import Synchronization

/// A console state over real simulator data, the same every run: partial-outage with a fixed seed,
/// played 45 s in virtual time, polled at 44 s and 45 s.
enum ConsoleFixtures {
    static let origin: Int64 = 1_796_000_000_000

    /// Played once, on the virtual-time thread, so waiting tests hold no thread of the pool.
    private static let playing = Task { () -> (previous: [Snapshot], last: [Snapshot]) in
        var configuration = SimulationConfiguration()
        configuration.seed = 5
        let clock = ManualClock(wallOriginMilliseconds: origin)
        let simulation = try! Simulation(
            configuration: configuration, clock: clock,
            logger: Logger(label: "t", factory: { _ in SwiftLogNoOpLogHandler() }))
        let samples = Mutex<[[Snapshot]]>([])
        try! await VirtualTime.run(clock: clock) {
            await simulation.run(for: .seconds(46), observingEvery: .seconds(1)) { simulation in
                let snapshots = simulation.snapshots()
                samples.withLock { $0 = Array(($0 + [snapshots]).suffix(2)) }
            }
        }
        let pair = samples.withLock { $0 }
        return (pair[0], pair[1])
    }

    static var snapshots: (previous: [Snapshot], last: [Snapshot]) {
        get async { await playing.value }
    }

    /// The console after two polls.
    static func state(
        width: Int = 120, height: Int = 40, readOnly: Bool = false, glyphs: Glyphs = .unicode
    ) async -> ConsoleState {
        var state = ConsoleState(
            source: "sim:partial-outage", readOnly: readOnly, intervalSeconds: 1, width: width, height: height,
            glyphs: glyphs, actor: "alice", availableThemes: ["dark", "light"])
        let (previous, last) = await snapshots
        let at = last[0].takenAtMilliseconds
        _ = update(&state, .data(previous, atMilliseconds: at - 1_000))
        _ = update(&state, .data(last, atMilliseconds: at))
        // Half a second after the last poll, and long enough after the first that the cursor's
        // question (``ConsoleState/followGuardMilliseconds``) no longer stands.
        _ = update(&state, .tick(atMilliseconds: at + 500))
        return state
    }

    /// Sends keys one after another; returns every effect.
    @discardableResult
    static func press(_ keys: [Key], _ state: inout ConsoleState) -> [Effect] {
        keys.flatMap { update(&state, .key($0)) }
    }

    static func type(_ text: String) -> [Key] { text.map { Key.character($0) } }

    /// Lets the moment pass in which an action key on a row the cursor just moved to asks again.
    static func settle(_ state: inout ConsoleState) {
        _ = update(&state, .tick(atMilliseconds: state.nowMilliseconds + ConsoleState.followGuardMilliseconds))
    }

    /// Filters the overview down to `name`, then lets the moment pass in which an action key on a
    /// row the cursor just moved to asks again (``ConsoleState/followGuardMilliseconds``).
    static func filter(to name: String, _ state: inout ConsoleState) {
        _ = press([.character(":")] + type("filter \(name)") + [.enter], &state)
        settle(&state)
    }
}
