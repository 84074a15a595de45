import FuseboxProtocol
import Histogram

/// Upper bounds (microseconds) of the buckets a ``LatencySnapshot`` carries; the last bucket is unbounded.
let latencyBucketBoundsMicros: [UInt64] = [
    500, 1_000, 2_000, 5_000, 10_000, 20_000, 50_000, 100_000, 200_000, 500_000, 1_000_000, 2_000_000, 5_000_000,
    10_000_000,
]

/// Percentiles, mean and fixed buckets of two histograms taken together (microseconds in,
/// milliseconds out), in one merged pass over their recorded values and without copying either.
func latencySnapshot(
    merging first: Histogram<UInt32>, _ second: Histogram<UInt32>, windowMilliseconds: Int64
) -> LatencySnapshot {
    let total = first.totalCount + second.totalCount
    guard total > 0 else { return .empty(windowMilliseconds: windowMilliseconds) }
    let targets: [Double] = [50, 90, 99, 99.9]
    let thresholds = targets.map { Swift.max(1, UInt64((Double(total) * $0 / 100).rounded(.up))) }
    var percentiles = [UInt64](repeating: 0, count: targets.count)
    var found = 0
    var buckets = [UInt64](repeating: 0, count: latencyBucketBoundsMicros.count + 1)
    var bucket = 0
    var cumulative: UInt64 = 0
    var weightedSum: Double = 0

    var left = first.recordedValues().makeIterator()
    var right = second.recordedValues().makeIterator()
    var a = left.next()
    var b = right.next()
    while a != nil || b != nil {
        // Both histograms share one layout, so equal values are the same bucket.
        let value: UInt64
        var count: UInt64 = 0
        if let x = a, b == nil || x.value <= b!.value {
            value = x.value
        } else {
            value = b!.value
        }
        if let x = a, x.value == value {
            count += UInt64(x.count)
            a = left.next()
        }
        if let y = b, y.value == value {
            count += UInt64(y.count)
            b = right.next()
        }
        cumulative += count
        while found < thresholds.count && cumulative >= thresholds[found] {
            percentiles[found] = value
            found += 1
        }
        // A recorded value stands for a small range (2 significant digits); bucket by its low end.
        let low = first.lowestEquivalentForValue(value)
        while bucket < latencyBucketBoundsMicros.count && low > latencyBucketBoundsMicros[bucket] { bucket += 1 }
        buckets[bucket] += count
        weightedSum += Double(first.medianEquivalentForValue(value)) * Double(count)
    }
    func ms(_ micros: UInt64) -> Double { Double(micros) / 1000 }
    var minimum = UInt64.max
    if first.totalCount > 0 { minimum = first.min }
    if second.totalCount > 0 { minimum = Swift.min(minimum, second.min) }
    return LatencySnapshot(
        count: total,
        windowMilliseconds: windowMilliseconds,
        min: ms(minimum),
        mean: weightedSum / Double(total) / 1000,
        p50: ms(percentiles[0]),
        p90: ms(percentiles[1]),
        p99: ms(percentiles[2]),
        p999: ms(percentiles[3]),
        max: ms(Swift.max(first.max, second.max)),
        buckets: trimmedBuckets(buckets).map { index in
            LatencyBucket(
                upperBoundMilliseconds: index < latencyBucketBoundsMicros.count
                    ? ms(latencyBucketBoundsMicros[index]) : nil,
                count: buckets[index])
        }
    )
}

/// The indices of the buckets worth sending: from the first non-empty bounded bucket to the last,
/// then the unbounded one. Empty buckets outside that span carry nothing a reader needs (each
/// bucket holds the values above the previous one's bound), and leaving them out keeps a snapshot
/// under 1.5 KB per dependency.
func trimmedBuckets(_ counts: [UInt64]) -> [Int] {
    guard let unbounded = counts.indices.last else { return [] }
    let bounded = counts.indices.dropLast()
    guard let first = bounded.first(where: { counts[$0] > 0 }), let last = bounded.last(where: { counts[$0] > 0 })
    else { return [unbounded] }
    return Array(first...last) + [unbounded]
}
