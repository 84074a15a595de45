import Synchronization

/// A lock-free, seedable source of random numbers (SplitMix64), shared by the policies that need
/// jitter or sampling. The same seed gives the same sequence when used from one task.
public final class SeededRandom: Sendable {
    private let state: Atomic<UInt64>

    /// - Parameter seed: a fixed seed for reproducible runs, or `nil` for a random one.
    public init(seed: UInt64? = nil) {
        self.state = Atomic(seed ?? UInt64.random(in: .min ... .max))
    }

    /// The next 64 random bits.
    public func next() -> UInt64 {
        var z = state.wrappingAdd(0x9E37_79B9_7F4A_7C15, ordering: .relaxed).newValue
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A uniform value in `0 ..< 1`.
    public func unit() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }

    /// A uniform value in `range`.
    public func uniform(in range: ClosedRange<Double>) -> Double {
        range.lowerBound + (range.upperBound - range.lowerBound) * unit()
    }
}

/// A stable 64-bit FNV-1a hash, the same in every process (unlike `Hasher`), for sticky percentages.
func stableHash(_ parts: String...) -> UInt64 {
    var hash: UInt64 = 0xcbf2_9ce4_8422_2325
    for part in parts {
        for byte in part.utf8 {
            hash ^= UInt64(byte)
            hash &*= 0x100_0000_01b3
        }
        hash ^= 0xff
        hash &*= 0x100_0000_01b3
    }
    return hash
}
