#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A value-type SplitMix64 generator. Each request and each downstream call derives its own from
/// the run's seed, so the numbers a call draws do not depend on how calls interleave.
public struct SimulationRandom: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) {
        self.state = seed
    }

    /// A generator for one purpose within a run, e.g. `derived(seed, 3, "inventory")`.
    public static func derived(_ seed: UInt64, _ parts: UInt64...) -> SimulationRandom {
        var mixed = seed ^ 0x5851_F42D_4C95_7F2D
        for part in parts {
            mixed = Self.mix(mixed &+ part &* 0x9E37_79B9_7F4A_7C15)
        }
        return SimulationRandom(seed: mixed)
    }

    /// A stable number for a name (FNV-1a), to derive generators by name.
    public static func code(_ name: String) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in name.utf8 {
            hash ^= UInt64(byte)
            hash &*= 0x100_0000_01b3
        }
        return hash
    }

    private static func mix(_ value: UInt64) -> UInt64 {
        var z = value
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        return Self.mix(state)
    }

    /// Uniform in `0 ..< 1`.
    public mutating func unit() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }

    /// True with probability `p`.
    public mutating func chance(_ p: Double) -> Bool {
        unit() < p
    }

    /// A standard normal sample (Box–Muller).
    public mutating func normal() -> Double {
        let u1 = max(unit(), 1e-12)
        let u2 = unit()
        return sqrt(-2 * log(u1)) * cos(2 * Double.pi * u2)
    }

    /// A log-normal sample with the given median and spread (sigma of the underlying normal):
    /// most values sit near the median, with a long right tail.
    public mutating func logNormal(median: Double, sigma: Double) -> Double {
        median * exp(sigma * normal())
    }

    /// An exponential sample with the given mean (Poisson arrivals).
    public mutating func exponential(mean: Double) -> Double {
        -mean * log(1 - unit())
    }
}
