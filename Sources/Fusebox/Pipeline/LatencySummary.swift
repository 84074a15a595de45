import FuseboxProtocol
import Histogram

/// Upper bounds (microseconds) of the buckets a ``LatencySnapshot`` carries; the last bucket is unbounded.
let latencyBucketBoundsMicros: [UInt64] = [
    500, 1_000, 2_000, 5_000, 10_000, 20_000, 50_000, 100_000, 200_000, 500_000, 1_000_000, 2_000_000, 5_000_000,
    10_000_000,
]

extension Histogram where Count == UInt32 {
    /// Percentiles and fixed buckets in one pass over the recorded values (microseconds in, milliseconds out).
    func latencySnapshot(windowMilliseconds: Int64) -> LatencySnapshot {
        guard totalCount > 0 else { return .empty(windowMilliseconds: windowMilliseconds) }
        let targets: [Double] = [50, 90, 99, 99.9]
        let thresholds = targets.map { Swift.max(1, UInt64((Double(totalCount) * $0 / 100).rounded(.up))) }
        var percentiles = [UInt64](repeating: 0, count: targets.count)
        var found = 0
        var buckets = [UInt64](repeating: 0, count: latencyBucketBoundsMicros.count + 1)
        var bucket = 0
        var cumulative: UInt64 = 0
        for step in recordedValues() {
            cumulative += UInt64(step.count)
            while found < thresholds.count && cumulative >= thresholds[found] {
                percentiles[found] = step.value
                found += 1
            }
            // A recorded value stands for a small range (2 significant digits); bucket by its low end.
            let low = lowestEquivalentForValue(step.value)
            while bucket < latencyBucketBoundsMicros.count && low > latencyBucketBoundsMicros[bucket] {
                bucket += 1
            }
            buckets[bucket] += UInt64(step.count)
        }
        func ms(_ micros: UInt64) -> Double { Double(micros) / 1000 }
        return LatencySnapshot(
            count: totalCount,
            windowMilliseconds: windowMilliseconds,
            min: ms(self.min),
            mean: self.mean / 1000,
            p50: ms(percentiles[0]),
            p90: ms(percentiles[1]),
            p99: ms(percentiles[2]),
            p999: ms(percentiles[3]),
            max: ms(self.max),
            buckets: buckets.enumerated().map { index, count in
                LatencyBucket(
                    upperBoundMilliseconds: index < latencyBucketBoundsMicros.count
                        ? ms(latencyBucketBoundsMicros[index]) : nil,
                    count: count)
            }
        )
    }
}
