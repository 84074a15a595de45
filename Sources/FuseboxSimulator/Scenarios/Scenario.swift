/// A scripted outage: at given times after the start, downstreams change their behaviour.
/// Deterministic for a given seed: the script is fixed and every random draw derives from the seed.
public struct Scenario: Sendable {
    /// One scripted change.
    public struct Step: Sendable {
        /// Seconds after the scenario (or the current loop) started.
        public let atSeconds: Double
        /// What happens, for the timeline (`payments primary region returns 503 for 70% of calls`).
        public let note: String
        let change: @Sendable (Downstreams) -> Void

        public init(at seconds: Double, _ note: String, _ change: @escaping @Sendable (Downstreams) -> Void) {
            self.atSeconds = seconds
            self.note = note
            self.change = change
        }

        /// Two steps: `downstream` fails every call from `start`, and heals at `end`.
        public static func outage(
            of downstream: any KeyPath<Downstreams, SimulatedDownstream> & Sendable, from start: Double, to end: Double,
            down: String, back: String
        ) -> [Step] {
            [
                Step(at: start, down) { $0[keyPath: downstream].update { $0.errorRate = 1 } },
                Step(at: end, back) { $0[keyPath: downstream].heal() },
            ]
        }
    }

    /// The name used on the command line (`partial-outage`).
    public let name: String
    /// One line for `fusebox scenarios`.
    public let summary: String
    /// How long one pass takes.
    public let durationSeconds: Double
    /// Whether it starts over (every downstream healed) after each pass.
    public let loops: Bool
    /// The script, in time order.
    public let steps: [Step]

    public init(name: String, summary: String, durationSeconds: Double, loops: Bool, steps: [Step]) {
        precondition(steps.allSatisfy { $0.atSeconds >= 0 && $0.atSeconds < durationSeconds })
        self.name = name
        self.summary = summary
        self.durationSeconds = durationSeconds
        self.loops = loops
        self.steps = steps.sorted { $0.atSeconds < $1.atSeconds }
    }
}

extension Scenario {
    /// Every scenario, the default first.
    public static let all: [Scenario] = [
        .partialOutage, .slowDownstream, .flapping, .regionalFailover, .retryStorm, .cacheStale, .recovery,
    ]

    /// The scenario `fusebox` runs when none is named.
    public static let defaultScenario = Scenario.partialOutage

    /// The scenario with this name, if any.
    public static func named(_ name: String) -> Scenario? {
        all.first { $0.name == name }
    }
}
