/// Which entries of a ring buffer's latest read were not in its previous read.
///
/// The actuator's event buffers have no ids: each read is the buffer's current window over one
/// breaker's (or retry's) events, oldest first. The new entries are those after the longest tail of
/// the previous read that starts the latest one; with no overlap (the buffer turned over between
/// two reads, or the service restarted) every entry is new.
enum NewEntries {
    /// The entries of `latest` after its overlap with `previous`.
    static func after<Entry: Equatable>(_ previous: [Entry], in latest: [Entry]) -> ArraySlice<Entry> {
        guard !previous.isEmpty else { return latest[...] }
        let earliest = max(0, previous.count - latest.count)
        for start in earliest..<previous.count {
            let tail = previous[start...]
            if latest.starts(with: tail) { return latest.dropFirst(tail.count) }
        }
        return latest[...]
    }
}
