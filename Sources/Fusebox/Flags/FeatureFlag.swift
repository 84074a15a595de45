public import FuseboxProtocol
import Synchronization

/// A runtime switch: boolean, percentage (sticky per caller key) or degradation level.
///
/// Reading a flag is one atomic load, so code may consult it on every call. Changes come from
/// operator commands (through the registry) and are events with actor and reason.
public final class FeatureFlag: Sendable {
    public let name: String
    public let kind: FlagKind
    public let description: String
    public let owner: String?
    /// Whether operator commands may change it.
    public let operatorControllable: Bool
    /// Encoded value: 0/1, a percentage's bit pattern, or a degradation rank.
    private let bits: Atomic<UInt64>
    private let lastChange = FuseboxMutex<FlagChange?>(nil)

    init(name: String, initial: FlagValue, description: String, owner: String?, operatorControllable: Bool) {
        self.name = name
        self.kind = initial.kind
        self.description = description
        self.owner = owner
        self.operatorControllable = operatorControllable
        self.bits = Atomic(Self.encode(initial))
    }

    private static func encode(_ value: FlagValue) -> UInt64 {
        switch value {
        case .boolean(let on): return on ? 1 : 0
        case .percentage(let p): return min(100, max(0, p)).bitPattern
        case .degradation(let level): return UInt64(DegradationLevel.allCases.firstIndex(of: level)!)
        }
    }

    private func decode(_ raw: UInt64) -> FlagValue {
        switch kind {
        case .boolean: return .boolean(raw != 0)
        case .percentage: return .percentage(Double(bitPattern: raw))
        case .degradation: return .degradation(DegradationLevel.allCases[Int(raw)])
        }
    }

    /// The current value.
    public var value: FlagValue { decode(bits.load(ordering: .relaxed)) }

    /// Boolean: its value. Percentage: above 0%. Degradation: anything but normal.
    public var isOn: Bool {
        let raw = bits.load(ordering: .relaxed)
        switch kind {
        case .boolean, .degradation: return raw != 0
        case .percentage: return Double(bitPattern: raw) > 0
        }
    }

    /// Whether the flag is on for the caller identified by `key`. A percentage flag puts the same key
    /// on the same side every time (and in every process), and a key that is on at 10% stays on at 20%.
    public func isOn(for key: String) -> Bool {
        guard kind == .percentage else { return isOn }
        let percentage = Double(bitPattern: bits.load(ordering: .relaxed))
        let bucket = Double(stableHash(name, key) % 10_000) / 100
        return bucket < percentage
    }

    /// Who changed the flag last, when and why.
    public var lastChangeRecord: FlagChange? { lastChange.withLock { $0 } }

    /// Sets the value; returns the previous one. The caller has checked the kind.
    func set(_ value: FlagValue, actor: String, reason: String, atMilliseconds: Int64) -> FlagValue {
        precondition(value.kind == kind)
        return lastChange.withLock { change in
            let previous = decode(bits.exchange(Self.encode(value), ordering: .relaxed))
            change = FlagChange(actor: actor, reason: reason, atMilliseconds: atMilliseconds, previous: previous)
            return previous
        }
    }

    func snapshot() -> FlagSnapshot {
        FlagSnapshot(name: name, value: value, description: description, owner: owner, lastChange: lastChangeRecord)
    }
}
