import Fusebox
import Synchronization

/// Keeps a flood of rate-limited attempts out of the audit file: per client, one record a
/// second at most, the next one saying how many were refused in between.
final class RefusalThrottle: Sendable {
    private let intervalNanoseconds: UInt64 = 1_000_000_000
    /// Clients remembered at most; beyond it, the quiet ones are forgotten.
    private let maxClients = 4096

    private struct Entry {
        var lastRecordedAt: UInt64
        var unrecorded: Int
    }

    private let entries = Mutex<[String: Entry]>([:])

    /// Whether to record this refusal for `client`, and how many went unrecorded before it.
    func shouldRecord(client: String) -> (record: Bool, unrecorded: Int) {
        let now = SystemClock().nanoseconds()
        return entries.withLock { entries in
            if var entry = entries[client], now &- entry.lastRecordedAt < intervalNanoseconds {
                entry.unrecorded += 1
                entries[client] = entry
                return (false, 0)
            }
            let unrecorded = entries[client]?.unrecorded ?? 0
            if entries.count >= maxClients {
                entries = entries.filter { now &- $0.value.lastRecordedAt < intervalNanoseconds }
            }
            entries[client] = Entry(lastRecordedAt: now, unrecorded: 0)
            return (true, unrecorded)
        }
    }
}
