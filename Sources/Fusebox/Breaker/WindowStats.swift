/// What a sliding window holds at one moment.
struct WindowStats: Sendable, Hashable {
    var calls: Int
    var failures: Int
    var slowCalls: Int

    var failureRate: Double { calls == 0 ? 0 : Double(failures) * 100 / Double(calls) }
    var slowCallRate: Double { calls == 0 ? 0 : Double(slowCalls) * 100 / Double(calls) }

    static let zero = WindowStats(calls: 0, failures: 0, slowCalls: 0)
}

/// Outcome bits stored per call.
enum OutcomeBits {
    static let recorded: UInt8 = 1
    static let failure: UInt8 = 2
    static let slow: UInt8 = 4
}
