public import Fusebox
import Synchronization

/// One simulated downstream service, shared by every instance of the simulated service (an outage
/// of the real payments gateway hits all checkout pods). Its model changes as a scenario unfolds.
public final class SimulatedDownstream: Sendable {
    public let name: String
    /// The healthy behaviour a scenario returns to.
    public let baseline: DownstreamModel
    private let current: Mutex<DownstreamModel>
    private let calls = Atomic<Int>(0)

    public init(name: String, baseline: DownstreamModel) {
        self.name = name
        self.baseline = baseline
        self.current = Mutex(baseline)
    }

    /// The behaviour now.
    public var model: DownstreamModel { current.withLock { $0 } }

    /// Calls made to this downstream so far, across instances.
    public var callCount: Int { calls.load(ordering: .relaxed) }

    /// Changes the behaviour.
    public func update(_ change: (inout DownstreamModel) -> Void) {
        current.withLock { change(&$0) }
    }

    /// Back to the baseline.
    public func heal() {
        current.withLock { $0 = baseline }
    }

    /// One call: waits the drawn latency on `clock`, then succeeds or throws. A hanging call waits
    /// until cancelled (its caller's timeout), or 30 s.
    public func call(_ random: CallRandom, clock: any FuseboxClock) async throws {
        calls.wrappingAdd(1, ordering: .relaxed)
        let model = self.model
        switch random.draw(model) {
        case .success(let milliseconds):
            try await clock.sleep(nanoseconds: UInt64(milliseconds * 1_000_000))
        case .failure(let error, let milliseconds):
            try await clock.sleep(nanoseconds: UInt64(milliseconds * 1_000_000))
            throw error
        case .hang:
            try await clock.sleep(nanoseconds: 30_000_000_000)
            throw SimulatedError.unavailable
        }
    }
}

/// The random numbers of one logical call across its attempts (attempts run one after another, so
/// each draws the next numbers of the same sequence).
public final class CallRandom: Sendable {
    private let random: Mutex<SimulationRandom>

    public init(_ random: SimulationRandom) {
        self.random = Mutex(random)
    }

    func draw(_ model: DownstreamModel) -> DownstreamModel.Draw {
        random.withLock { model.draw(&$0) }
    }
}
