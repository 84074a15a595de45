// The cursor: on a dependency by identity, and on a flag by instance and name.

extension ConsoleState {
    /// The dependency under the cursor; `nil` when none, or when it has left the data.
    public var selectedRow: DependencyRow? {
        guard !selectionGone, !visibleRows.isEmpty else { return nil }
        return visibleRows[min(max(0, selection), visibleRows.count - 1)]
    }

    /// Puts the cursor back on ``selectedID`` after the rows changed, or on the worst dependency
    /// while it follows the worst (``selectionFollowsWorst``). If the filter hides it, the first
    /// row that matches is selected; if it left the data, nothing is (``selectionGone``).
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
        if selectionFollowsWorst {
            followWorst()
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
        selectionFollowsWorst = false
        // The operator put it there and sees it. A move the data made just before still counts:
        // a step from a row they had not seen lands on one they did not mean.
        selectionLastShown = selectedID
    }

    /// How long after the cursor moved by itself an action key asks again. A person reacts to a
    /// frame a few hundred milliseconds after it is drawn: a key meant for the dependency before
    /// may be landing on this one.
    public static let followGuardMilliseconds: Int64 = 1_500

    /// Keeps the cursor on the dependency it is on from now on, as rows re-sort: the operator is
    /// reading or acting on it.
    mutating func pinSelection() {
        selectionFollowsWorst = false
    }

    /// Whether an action may go to the selected row now. Not when the cursor moved by itself (the
    /// data, a filter, fleets forming) too recently to be sure it is the one the operator meant:
    /// then the status line says so, and an action key again acts, unless the cursor moves again
    /// first. Asking pins nothing.
    mutating func selectionIsSettledForAction() -> Bool {
        guard let moved = selectionFollowedAtMilliseconds, nowMilliseconds - moved < Self.followGuardMilliseconds,
            let row = selectedRow
        else { return true }
        selectionFollowedAtMilliseconds = nil
        status = .init(text: "the cursor just moved to \(row.name): press again to act on it", isError: true)
        status?.isSelectionQuestion = true
        return false
    }

    /// The first tripped row in display order (a breaker open, forced open, half-open or
    /// recovering), unless the selected row is tripped too: a breaker probing (open, half-open,
    /// open again) or rows swapping places never move the cursor, nor do passing signs of trouble.
    private mutating func followWorst() {
        selectionGone = false
        // Most polls move nothing: look where it was first.
        let stayed = selection < visibleRows.count && visibleRows[selection].identity == selectedID
        if let id = selectedID,
            let current = stayed ? selection : visibleRows.firstIndex(where: { $0.identity == id })
        {
            selection = current
            if visibleRows[current].isTripped { return }
        }
        guard let tripped = visibleRows.firstIndex(where: \.isTripped) else {
            if selectedID == nil || !visibleRows.indices.contains(selection)
                || visibleRows[selection].identity != selectedID
            {
                selection = 0
                selectedID = visibleRows[0].identity
            }
            return
        }
        selection = tripped
        selectedID = visibleRows[tripped].identity
    }

    /// Notes what the overview shows under the cursor after a message: a dependency it did not
    /// show there before, and the operator did not move to, is one they may not have seen yet (the
    /// data moved it, a filter was cleared, fleets formed, another screen was open), and arms
    /// ``selectionIsSettledForAction()``.
    mutating func noteSelectionShown() {
        // Only a drawn overview shows anything (``render(_:)`` draws no rows below 20x6).
        guard screen == .overview, width >= 20, height >= 6, selectedID != selectionLastShown else { return }
        // The first one too: a key pressed as the first data appears was aimed at nothing seen.
        selectionFollowedAtMilliseconds = nowMilliseconds
        selectionLastShown = selectedID
    }
}

extension Fleet {
    /// Whether a row with this identity is in the data (one instance's, or a fleet's).
    func contains(_ id: DependencyRow.Identity) -> Bool {
        id.instance.isEmpty ? fleetRows.contains { $0.identity == id } : rows.contains { $0.identity == id }
    }
}
