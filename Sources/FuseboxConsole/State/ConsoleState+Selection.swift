// The cursor: on a dependency by identity, and on a flag by instance and name.

extension ConsoleState {
    /// The dependency under the cursor; `nil` when none, or when it has left the data.
    public var selectedRow: DependencyRow? {
        guard !selectionGone, !visibleRows.isEmpty else { return nil }
        return visibleRows[min(max(0, selection), visibleRows.count - 1)]
    }

    /// Puts the cursor back on ``selectedID`` after the rows changed, or on the top row while it
    /// follows the top (``selectionFollowsTop``). If the filter hides it, the first row that
    /// matches is selected; if it left the data, nothing is (``selectionGone``).
    public mutating func syncSelection() {
        let flags = shown.flags
        if let id = selectedFlag,
            let index = flags.firstIndex(where: { $0.instance == id.instance && $0.flag.name == id.name })
        {
            flagSelection = index
        } else {
            flagSelection = max(0, min(flags.count - 1, flagSelection))
            selectedFlag =
                flags.isEmpty
                ? nil : FlagIdentity(instance: flags[flagSelection].instance, name: flags[flagSelection].flag.name)
        }
        guard !visibleRows.isEmpty else {
            selection = 0
            selectionGone = selectedID != nil && !shown.contains(selectedID!)
            return
        }
        if selectionFollowsTop {
            selection = 0
            selectedID = visibleRows[0].identity
            selectionGone = false
            return
        }
        guard let id = selectedID else {
            selection = min(max(0, selection), visibleRows.count - 1)
            selectedID = visibleRows[selection].identity
            return
        }
        // Most polls move nothing: look where it was first.
        if selection < visibleRows.count, visibleRows[selection].name == id.name,
            visibleRows[selection].identity == id
        {
            selectionGone = false
        } else if let index = visibleRows.firstIndex(where: { $0.name == id.name && $0.identity == id }) {
            selection = index
            selectionGone = false
        } else if shown.contains(id) {
            selection = 0
            selectedID = visibleRows[0].identity
            selectionGone = false
        } else {
            selection = min(selection, visibleRows.count - 1)
            selectionGone = true
        }
    }

    /// Moves the flags screen's cursor `delta` rows and selects the flag there.
    public mutating func moveFlagSelection(by delta: Int) {
        let flags = shown.flags
        guard !flags.isEmpty else { return }
        flagSelection = max(0, min(flags.count - 1, flagSelection + delta))
        selectedFlag = FlagIdentity(instance: flags[flagSelection].instance, name: flags[flagSelection].flag.name)
    }

    /// Moves the cursor `delta` rows and selects the dependency there.
    public mutating func moveSelection(by delta: Int) {
        guard !visibleRows.isEmpty else { return }
        selection = max(0, min(visibleRows.count - 1, selection + delta))
        selectedID = visibleRows[selection].identity
        selectionGone = false
        selectionFollowsTop = false
    }

    /// Keeps the cursor on the dependency it is on from now on, as rows re-sort: the operator is
    /// reading or acting on it.
    public mutating func pinSelection() {
        selectionFollowsTop = false
    }
}

extension Fleet {
    /// Whether a row with this identity is in the data (one instance's, or a fleet's).
    func contains(_ id: DependencyRow.Identity) -> Bool {
        id.instance.isEmpty ? fleetRows.contains { $0.identity == id } : rows.contains { $0.identity == id }
    }
}
