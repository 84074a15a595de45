import FuseboxBackend
import FuseboxProtocol

/// One overview column: drops out, lowest priority first, when the terminal is narrow.
private struct Column: Sendable {
    enum Align { case left, right }

    let title: String
    let width: Int
    let priority: Int
    let align: Align
    /// What the source must provide for the column to mean anything.
    var requires: SnapshotFields = []
    let value: @Sendable (DependencyRow, ConsoleState) -> (String, Role)
}

private let columns: [Column] = [
    Column(title: "STATE", width: 15, priority: 0, align: .left) { row, _ in
        (row.dependency.breaker.badge, row.dependency.breaker.state.role)
    },
    Column(title: "SERVICE", width: 12, priority: 1, align: .left) { row, _ in (row.service, .title) },
    // Wide enough for the instances' names (see drawOverview); one of the first kept, since rows of
    // an expanded fleet differ by their instance alone.
    Column(title: "INSTANCE", width: 12, priority: 1, align: .left) { row, state in
        guard let members = row.fleetInstances else {
            // Data from a source that stopped answering is its last good data: say so on its rows.
            return (row.instance, state.staleInstances.contains(row.instance) ? .warning : .dim)
        }
        let stale = members.filter(state.staleInstances.contains).count
        return stale == 0
            ? ("\(members.count) inst", .dim) : ("\(members.count - stale)/\(members.count) live", .warning)
    },
    Column(title: "CALLS/s", width: 7, priority: 1, align: .right) { row, _ in (Format.rate(row.callsPerSecond), .text)
    },
    Column(title: "FAIL%/THR", width: 9, priority: 1, align: .right) { row, _ in
        let b = row.dependency.breaker
        return (
            "\(Format.percent(b.failureRate))/\(Format.percent(b.failureRateThreshold))",
            thresholdRole(b.failureRate, b.failureRateThreshold)
        )
    },
    Column(title: "P99", width: 7, priority: 2, align: .right, requires: .latencyPercentiles) { row, _ in
        (Format.milliseconds(row.dependency.latency.p99), .text)
    },
    Column(title: "FB/s", width: 6, priority: 2, align: .right, requires: .fallbacks) { row, _ in
        (Format.rate(row.fallbacksPerSecond), row.fallbacksPerSecond > 0 ? .warning : .text)
    },
    Column(title: "SLOW%/THR", width: 9, priority: 3, align: .right) { row, _ in
        let b = row.dependency.breaker
        let role: Role = thresholdRole(b.slowCallRate, b.slowCallRateThreshold) == .error ? .error : .text
        return ("\(Format.percent(b.slowCallRate))/\(Format.percent(b.slowCallRateThreshold))", role)
    },
    Column(title: "RETRY/s", width: 7, priority: 3, align: .right, requires: .retries) { row, _ in
        (Format.rate(row.retriesPerSecond), .text)
    },
    Column(title: "CRIT", width: 4, priority: 4, align: .left) { row, _ in
        row.dependency.criticality == .critical ? ("crit", .critical) : ("degr", .dim)
    },
    Column(title: "BURN", width: 5, priority: 4, align: .right, requires: .slo) { row, _ in
        guard let slo = row.dependency.slo else { return ("-", .dim) }
        return (Format.rate(slo.burnRate), slo.burnRate >= 1 ? .error : .text)
    },
    Column(title: "BULK", width: bulkWidth, priority: 5, align: .right, requires: .limits) { row, _ in
        guard let b = row.dependency.bulkhead else { return ("-", .dim) }
        return (bulkCell(b), b.inFlight >= b.maxConcurrent ? .error : .text)
    },
    Column(title: "ERRORS", width: 12, priority: 5, align: .left) { row, state in
        (state.glyphs.sparkline(row.failureHistory, width: 12, maximum: 100), .sparkline)
    },
]

/// The BULK column's width: `117/2.0k~` fits.
private let bulkWidth = 9

/// In flight over the limit, `~` marking an adaptive limit (where it has got to, not a setting).
/// Large numbers are shortened (`2.0k`), and if the cell still does not fit, the in-flight count
/// gives way (`/1.2M~`): the limit is never cut (a fleet's limits add up across instances).
func bulkCell(_ bulkhead: BulkheadSnapshot) -> String {
    let limit = Format.quantity(bulkhead.maxConcurrent) + (bulkhead.isAdaptive ? "~" : "")
    let full = Format.quantity(bulkhead.inFlight) + "/" + limit
    return full.count <= bulkWidth ? full : "/" + limit
}

extension Column {
    /// The column at another width.
    func resized(to width: Int) -> Column {
        Column(title: title, width: width, priority: priority, align: align, requires: requires, value: value)
    }
}

/// Red at or over the threshold, amber from half of it; plain when either is unknown.
private func thresholdRole(_ rate: Double?, _ threshold: Double?) -> Role {
    guard let rate, let threshold else { return .text }
    return rate >= threshold ? .error : (rate >= threshold / 2 ? .warning : .text)
}

/// With lines to spare below the table, the selected dependency's histogram and latest events, as
/// htop and k9s use the whole screen.
private func drawSelectionPreview(_ state: ConsoleState, below area: Rect, _ canvas: inout Canvas) {
    guard let row = state.selectedRow, area.height >= 12, area.width >= 60 else { return }
    let (gap, rest) = area.splitTop(1)
    let (rule, preview) = rest.splitTop(1)
    _ = gap
    let title =
        String(repeating: state.glyphs.horizontal, count: 2)
        + " \(row.name) \(state.glyphs.horizontal) \(row.instanceLabel) "
    canvas.put(
        Format.left(title, rule.width).replacingSpacesAfter(title.count, with: state.glyphs.horizontal), in: rule,
        role: .border)
    let halves = preview.split(columnFractions: [0.5, 0.5], gap: 1)
    _ = drawLatency(row.dependency.latency, glyphs: state.glyphs, in: halves[0], &canvas)
    drawRecentEvents(of: row, state, in: halves[1], &canvas)
}

extension String {
    /// The string with every space from character `index` on replaced by `fill`.
    fileprivate func replacingSpacesAfter(_ index: Int, with fill: String) -> String {
        String(prefix(index)) + dropFirst(index).map { $0 == " " ? fill : String($0) }.joined()
    }
}

func drawOverview(_ state: ConsoleState, _ body: Rect, _ canvas: inout Canvas) {
    let rows = state.visibleRows
    let multipleInstances = state.shown.instanceCount > 1
    // Columns the source can fill, and INSTANCE and SERVICE only when there are several.
    let instanceWidth = min(30, max(10, state.shown.longestInstance))
    let candidates = columns.filter {
        ($0.title != "INSTANCE" || multipleInstances) && ($0.title != "SERVICE" || state.shown.serviceCount > 1)
            && state.capabilities.fields.contains($0.requires)
    }.map { $0.title == "INSTANCE" ? $0.resized(to: instanceWidth) : $0 }
    let capacity = body.height - 1
    let selection = min(state.selection, rows.count - 1)
    let start = selection < capacity ? 0 : max(0, min(selection - capacity + 1, rows.count - capacity))
    // "21-40 of 500", and any filter, sit at the end of the title row; columns make room for them.
    var counterParts: [String] = []
    if state.selectionGone, let gone = state.selectedID {
        counterParts.append("\(gone.name) (\(gone.instance)) is gone")
    }
    if !state.filter.isEmpty {
        counterParts.append("filter '\(Format.fit(state.filter, 16, ellipsis: state.glyphs.ellipsis))'")
    }
    if rows.count > capacity {
        counterParts.append("\(start + 1)-\(min(rows.count, start + capacity)) of \(rows.count)")
    } else if !state.filter.isEmpty {
        counterParts.append("\(rows.count) of \(state.shown.rows.count)")
    }
    // Any order but the default is named first at the title row's end, and every column but the
    // state makes room for it; worst first is named beside DEPENDENCY when there is room.
    let sortPart = state.sort == .worst ? "" : "by \(state.sort.rawValue)"
    let counterText = [sortPart, counterParts.joined(separator: ": ")].filter { !$0.isEmpty }.joined(separator: "  ")
    // The counter (what is filtered out, what is gone, which rows) goes before the least needed
    // columns (criticality, burn, bulkhead, sparkline), after every other; it takes what they leave.
    let budget = state.width
    let reserved = counterText.isEmpty ? 0 : min(TextWidth.of(counterText), state.width / 3) + 1
    let sortReserved = sortPart.isEmpty ? 0 : TextWidth.of(sortPart) + 1
    // Fleet rows and the instances under them take two more columns (a marker, an indent).
    var nameWidth = min(28, max(14, state.shown.longestName + (state.shown.fleetRows.isEmpty ? 2 : 4)))
    // The state is never dropped: on a narrow terminal the name column gives way first.
    let stateWidth = candidates.filter { $0.priority == 0 }.reduce(0) { $0 + 1 + $1.width }
    if nameWidth + stateWidth > state.width { nameWidth = max(4, state.width - stateWidth) }
    var chosen: [Column] = []
    var used = nameWidth
    // The column the rows are sorted by goes first after the state: the order must be readable.
    let sortColumn: String? =
        switch state.sort {
        case .calls: "CALLS/s"
        case .failures: "FAIL%/THR"
        case .latency: "P99"
        case .worst, .name: nil
        }
    let ordered = candidates.filter { $0.title == sortColumn } + candidates.filter { $0.title != sortColumn }
    for priority in 0...5 {
        for column in ordered where (column.title == sortColumn ? 1 : column.priority) == priority {
            let limit = priority == 0 ? state.width : priority >= 4 ? budget - reserved : budget - sortReserved
            if used + 1 + column.width <= limit {
                chosen.append(column)
                used += 1 + column.width
            }
        }
    }
    chosen.sort { a, b in
        candidates.firstIndex { $0.title == a.title }! < candidates.firstIndex { $0.title == b.title }!
    }
    let nameColumn = min(28, max(nameWidth, budget - reserved - used + nameWidth))

    // Column titles.
    // The sort is always on screen: "DEPENDENCY  by worst".
    let sortNote = "  by \(state.sort.rawValue)"
    let titlesWidth = chosen.reduce(nameColumn) { $0 + 1 + $1.width }
    let room = state.width - titlesWidth - 1
    // Too narrow for the sort at the row's end: it takes DEPENDENCY's place (the rows say what they are).
    let sortInName = !sortPart.isEmpty && room < TextWidth.of(sortPart)
    let title =
        sortInName
        ? sortPart : "DEPENDENCY" + (state.sort == .worst && 10 + sortNote.count <= nameColumn - 1 ? sortNote : "")
    var x = canvas.put(
        Format.fit(Format.left(title, nameColumn), nameColumn, ellipsis: state.glyphs.ellipsis), x: 0, y: body.y,
        role: .header)
    for column in chosen {
        let title =
            column.align == .right ? Format.right(column.title, column.width) : Format.left(column.title, column.width)
        x = canvas.put(" " + title, x: x, y: body.y, role: .header)
    }
    canvas.paint(row: body.y, role: .header)
    let others = counterParts.joined(separator: ": ")
    let counter: String
    if TextWidth.of(counterText) <= room {
        counter = counterText
    } else if !sortPart.isEmpty && !sortInName && !state.selectionGone {
        // The sort whole, then what room is left for the rest (a gone selection comes first:
        // nothing else on the overview says where the cursor went).
        let rest = room - TextWidth.of(sortPart) - 2
        counter = sortPart + (rest >= 6 ? "  " + Format.fit(others, rest, ellipsis: state.glyphs.ellipsis) : "")
    } else {
        let text = sortInName || state.selectionGone ? others : counterText
        counter = room >= min(12, TextWidth.of(text)) ? Format.fit(text, room, ellipsis: state.glyphs.ellipsis) : ""
    }
    guard body.height > 1 else { return }
    if rows.isEmpty {
        let why = state.shown.rows.isEmpty ? "no data yet" : "no dependency matches '\(state.filter)'"
        canvas.put(why, x: 1, y: body.y + 1, role: .dim)
        return
    }
    // Rows from `start`, so the selection stays visible.
    for (offset, row) in rows[start..<min(rows.count, start + capacity)].enumerated() {
        let y = body.y + 1 + offset
        var x = canvas.put(
            row.rising ? state.glyphs.rising + " " : "  ", x: 0, y: y, role: row.rising ? .rising : .text)
        // A fleet row is marked open or shut; its instances sit indented under it.
        let name: String
        if row.isFleet {
            let open = state.expandedFleets.contains(row.identity)
            name = (open ? state.glyphs.expanded : state.glyphs.collapsed) + " " + row.name
        } else if state.expandedFleets.contains(.init(service: row.service, instance: "", name: row.name)) {
            name = "  " + row.name
        } else {
            name = row.name
        }
        x = canvas.put(
            Format.left(Format.fit(name, nameColumn - 2, ellipsis: state.glyphs.ellipsis), nameColumn - 2), x: x,
            y: y)
        let selected = start + offset == selection && !state.selectionGone
        if selected { canvas.paint(row: y, role: .selected) }
        for column in chosen {
            let (value, role) = column.value(row, state)
            let fitted = Format.fit(value, column.width, ellipsis: state.glyphs.ellipsis)
            let text = column.align == .right ? Format.right(fitted, column.width) : Format.left(fitted, column.width)
            x = canvas.put(" ", x: x, y: y, role: selected ? .selected : .text)
            // The selection bar keeps the state's colour, so the cursor never hides an OPEN breaker.
            let keepsRole = column.title == "STATE" || !selected
            x = canvas.put(text, x: x, y: y, role: keepsRole ? role : .selected)
        }
    }
    drawSelectionPreview(state, below: body.splitTop(1 + min(rows.count, capacity)).rest, &canvas)
    if !counter.isEmpty {
        canvas.put(" " + counter, x: max(0, state.width - TextWidth.of(counter) - 1), y: body.y, role: .dim)
    }
}
