import Fusebox
import Synchronization

/// Keeps a flood of rate-limited attempts out of the audit file: per client, one record a
/// second at most, the next one saying how many were refused in between. What a burst leaves
/// unrecorded is written within a second or so by a flush (``takeUnrecorded()``), so no refusal
/// waits for a next one to be counted.
final class RefusalThrottle: Sendable {
    private let intervalNanoseconds: UInt64 = 1_000_000_000
    /// Clients remembered at most; beyond it, the quiet ones are forgotten.
    private let maxClients = 4096

    private struct Entry {
        var lastRecordedAt: UInt64
        var unrecorded: Int
    }

    private let state = Mutex<(entries: [String: Entry], flushScheduled: Bool)>(([:], false))

    /// Whether to record this refusal for `client`, and how many went unrecorded before it.
    func shouldRecord(client: String) -> (record: Bool, unrecorded: Int) {
        let now = SystemClock().nanoseconds()
        return state.withLock { state in
            if var entry = state.entries[client], now &- entry.lastRecordedAt < intervalNanoseconds {
                entry.unrecorded += 1
                state.entries[client] = entry
                return (false, 0)
            }
            let unrecorded = state.entries[client]?.unrecorded ?? 0
            if state.entries.count >= maxClients {
                state.entries = state.entries.filter {
                    now &- $0.value.lastRecordedAt < intervalNanoseconds || $0.value.unrecorded > 0
                }
            }
            state.entries[client] = Entry(lastRecordedAt: now, unrecorded: 0)
            return (true, unrecorded)
        }
    }

    /// Whether the caller should schedule a flush (true once until ``takeUnrecorded()`` runs).
    func claimFlush() -> Bool {
        state.withLock { state in
            guard !state.flushScheduled else { return false }
            state.flushScheduled = true
            return true
        }
    }

    /// The refusals not recorded yet, per client, now counted as recorded.
    func takeUnrecorded() -> [(client: String, count: Int)] {
        let now = SystemClock().nanoseconds()
        return state.withLock { state in
            state.flushScheduled = false
            var taken: [(client: String, count: Int)] = []
            for (client, entry) in state.entries where entry.unrecorded > 0 {
                taken.append((client, entry.unrecorded))
                state.entries[client] = Entry(lastRecordedAt: now, unrecorded: 0)
            }
            return taken.sorted { $0.client < $1.client }
        }
    }
}
