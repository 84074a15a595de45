/// How a simulated downstream behaves at one moment: its latency distribution and error model.
public struct DownstreamModel: Sendable, Hashable {
    /// The kinds of failure a downstream produces, as weights.
    public struct ErrorMix: Sendable, Hashable {
        /// 503-like errors a retry may fix.
        public var transient: Double
        /// 400-like errors no retry fixes.
        public var permanent: Double
        /// The call hangs until the caller's timeout cuts it.
        public var hang: Double
        /// 429-like rejections carrying a retry-after hint.
        public var rejection: Double

        public init(transient: Double = 1, permanent: Double = 0, hang: Double = 0, rejection: Double = 0) {
            self.transient = transient
            self.permanent = permanent
            self.hang = hang
            self.rejection = rejection
        }

        public static let transientOnly = ErrorMix()
        public static let hangs = ErrorMix(transient: 0, hang: 1)
        public static let rejections = ErrorMix(transient: 0, rejection: 1)
    }

    /// Median latency in milliseconds.
    public var medianMilliseconds: Double
    /// Spread of the log-normal latency (sigma); 0.5 gives p99 about 3.2 times the median.
    public var spread: Double
    /// Multiplies every latency (a slow-down).
    public var slowdown: Double = 1
    /// Share of calls that fail, 0...1.
    public var errorRate: Double
    public var errorMix: ErrorMix = .transientOnly
    /// The retry-after hint rejections carry.
    public var retryAfterMilliseconds: Double = 200

    public init(medianMilliseconds: Double, spread: Double = 0.5, errorRate: Double = 0.002) {
        self.medianMilliseconds = medianMilliseconds
        self.spread = spread
        self.errorRate = errorRate
    }

    /// What one call does.
    public enum Draw: Sendable, Hashable {
        case success(milliseconds: Double)
        case failure(SimulatedError, milliseconds: Double)
        case hang
    }

    /// Draws one call's behaviour.
    public func draw(_ random: inout SimulationRandom) -> Draw {
        let latency = min(30_000, random.logNormal(median: medianMilliseconds, sigma: spread) * slowdown)
        guard random.chance(errorRate) else { return .success(milliseconds: latency) }
        let total = errorMix.transient + errorMix.permanent + errorMix.hang + errorMix.rejection
        var pick = random.unit() * max(total, 1e-9)
        if pick < errorMix.transient { return .failure(.unavailable, milliseconds: latency) }
        pick -= errorMix.transient
        if pick < errorMix.permanent { return .failure(.badRequest, milliseconds: latency * 0.2) }
        pick -= errorMix.permanent
        if pick < errorMix.hang { return .hang }
        return .failure(.rejected(retryAfterMilliseconds: retryAfterMilliseconds), milliseconds: 1)
    }
}
