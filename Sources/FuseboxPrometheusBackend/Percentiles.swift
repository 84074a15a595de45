import FuseboxProtocol

/// Percentiles from histogram buckets, as PromQL's `histogram_quantile` computes them: find the
/// bucket holding the rank and interpolate linearly between its bounds (the first bucket starts
/// at 0). A rank in the `+Inf` bucket gives the highest finite bound: the histogram cannot say more.
enum Percentiles {
    /// The `quantile` (0...1) of `buckets` (per-bucket counts, bounds ascending, `nil` = `+Inf`);
    /// `nil` when they hold no values or have no finite bound.
    static func value(_ quantile: Double, of buckets: [LatencyBucket]) -> Double? {
        let total = buckets.reduce(0.0) { $0 + Double($1.count) }
        guard total > 0 else { return nil }
        let rank = quantile * total
        var below = 0.0
        var highest: Double?
        for bucket in buckets {
            let count = Double(bucket.count)
            guard let upper = bucket.upperBoundMilliseconds else { return highest }
            let lower = highest ?? 0
            if count > 0, below + count >= rank {
                return lower + (upper - lower) * Swift.max(0, rank - below) / count
            }
            below += count
            highest = upper
        }
        return highest
    }
}
