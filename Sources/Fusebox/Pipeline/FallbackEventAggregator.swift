import Synchronization

/// Turns fallback activations into at most one event per fallback and reason per second: the
/// first activation of a second is reported at once, the rest of that second in the next report.
/// The counts of all reports add up to all activations (those of the current second once flushed).
final class FallbackEventAggregator: Sendable {
    struct Report: Equatable {
        let key: FallbackKey
        let count: UInt64
    }

    private struct Window {
        var start: UInt64
        var pending: UInt64
    }

    private let interval: UInt64
    private let windows = Mutex<[FallbackKey: Window]>([:])

    init(intervalNanoseconds: UInt64 = 1_000_000_000) {
        self.interval = intervalNanoseconds
    }

    /// Counts one activation; returns a report if one is due now.
    func activated(_ key: FallbackKey, now: UInt64) -> Report? {
        windows.withLock { map in
            if var window = map[key], now &- window.start < interval {
                window.pending += 1
                map[key] = window
                return nil
            }
            let pending = map[key]?.pending ?? 0
            map[key] = Window(start: now, pending: 0)
            return Report(key: key, count: pending + 1)
        }
    }

    /// Reports activations held back in windows that have ended by `now` (or all, if `force`).
    func flush(now: UInt64, force: Bool = false) -> [Report] {
        windows.withLock { map in
            var reports: [Report] = []
            for (key, window) in map where window.pending > 0 && (force || now &- window.start >= interval) {
                reports.append(Report(key: key, count: window.pending))
                map[key] = Window(start: window.start, pending: 0)
            }
            return reports.sorted { ($0.key.name, $0.key.reason.rawValue) < ($1.key.name, $1.key.reason.rawValue) }
        }
    }
}
