import Synchronization

/// Turns fallback activations into about one event per fallback and reason per second: the first
/// activation of a second is reported at once, the rest of that second with the next one reported
/// at once, or by the next flush once the second has ended; earlier by force (a transition), and
/// whenever another fallback of the dependency reports at once, so that the events of a dependency
/// stay in the order of their times.
/// The counts of all reports add up to all activations (those of the current second once flushed).
///
/// Every report carries the times of the first and the last activation it counts, so an event
/// says when the activations happened, not when they were reported.
final class FallbackEventAggregator: Sendable {
    struct Report: Equatable {
        let key: FallbackKey
        let count: UInt64
        /// Monotonic nanoseconds of the first activation counted.
        let firstNanoseconds: UInt64
        /// Monotonic nanoseconds of the last activation counted.
        let lastNanoseconds: UInt64
    }

    private struct Window {
        var start: UInt64
        var pending: UInt64 = 0
        /// When the first and the last held-back activation happened (meaningful if `pending > 0`).
        var firstPending: UInt64 = 0
        var lastPending: UInt64 = 0

        /// Reports what is held back and keeps the window open.
        mutating func take(_ key: FallbackKey) -> Report {
            let report = Report(key: key, count: pending, firstNanoseconds: firstPending, lastNanoseconds: lastPending)
            pending = 0
            return report
        }
    }

    private let interval: UInt64
    private let windows = FuseboxMutex<[FallbackKey: Window]>([:])

    init(intervalNanoseconds: UInt64 = 1_000_000_000) {
        self.interval = intervalNanoseconds
    }

    /// Counts one activation; returns the reports due now, oldest first. If it opens a window, that is
    /// everything held back (of every fallback and reason), then this activation, which carries what
    /// its own fallback held back if that ran until less than a second ago (a steady stream: one
    /// event per second) and leaves it to a report of its own otherwise (so a count is never stamped
    /// long after its activations). If it does not, what windows that have ended hold back.
    func activated(_ key: FallbackKey, now: UInt64) -> [Report] {
        windows.withLock { map in
            if var window = map[key], now &- window.start < interval {
                if window.pending == 0 { window.firstPending = now }
                window.pending += 1
                window.lastPending = now
                map[key] = window
                return Self.ended(in: &map, now: now, interval: interval)
            }
            var carried: UInt64 = 0
            var first = now
            if let window = map[key], window.pending > 0, now &- window.lastPending < interval {
                carried = window.pending
                first = window.firstPending
                map[key] = Window(start: now)
            }
            var reports = Self.ended(in: &map, now: now, interval: 0)
            map[key] = Window(start: now)
            reports.append(Report(key: key, count: carried + 1, firstNanoseconds: first, lastNanoseconds: now))
            return reports
        }
    }

    /// Reports activations held back in windows that have ended by `now` (or all, if `force`),
    /// oldest last activation first.
    func flush(now: UInt64, force: Bool = false) -> [Report] {
        windows.withLock { map in
            Self.ended(in: &map, now: now, interval: force ? 0 : interval)
        }
    }

    /// Takes what windows open for at least `interval` hold back, in the order of their last activation.
    private static func ended(in map: inout [FallbackKey: Window], now: UInt64, interval: UInt64) -> [Report] {
        var reports: [Report] = []
        // Walk by index and update in place: iterating a copy would copy the storage on the first change.
        var index = map.startIndex
        while index != map.endIndex {
            let window = map.values[index]
            if window.pending > 0 && now &- window.start >= interval {
                reports.append(map.values[index].take(map.keys[index]))
            }
            map.formIndex(after: &index)
        }
        guard reports.count > 1 else { return reports }
        return reports.sorted {
            ($0.lastNanoseconds, $0.key.name, $0.key.reason.rawValue)
                < ($1.lastNanoseconds, $1.key.name, $1.key.reason.rawValue)
        }
    }
}
