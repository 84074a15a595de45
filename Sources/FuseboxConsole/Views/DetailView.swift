import FuseboxProtocol

/// Everything about the selected dependency: histogram, thresholds, back-in, retries, fallbacks,
/// owner, timelines and its recent events. Two columns; every line is cut to its column.
func drawDetail(_ state: ConsoleState, _ body: BodyArea, _ canvas: inout Canvas) {
    guard let row = state.selectedRow else {
        canvas.put("no dependency selected; esc returns to the overview", x: 1, y: body.top, role: .dim)
        return
    }
    let d = row.dependency
    let b = d.breaker
    let fit = { (text: String, width: Int) in Format.fit(text, width, ellipsis: state.glyphs.ellipsis) }
    var y = body.top
    var x = canvas.put(d.name, x: 0, y: y, role: .title)
    x = canvas.put("  ", x: x, y: y)
    x = canvas.put(b.badge, x: x, y: y, role: b.state.role)
    x = canvas.put("  \(d.criticality.rawValue)", x: x, y: y, role: d.criticality == .critical ? .critical : .dim)
    canvas.put(fit("  \(row.service) \(row.instance)", max(0, state.width - x)), x: x, y: y, role: .dim)
    y += 1
    let owner = d.metadata["owner"] ?? Format.unknown
    let runbook = d.metadata["runbook"] ?? Format.unknown
    canvas.put(fit("owner \(owner)   runbook \(runbook)", state.width), x: 0, y: y, role: .dim)
    y += 2

    // Reserve the bottom for timelines and events when there is room.
    let columnsBottom = body.bottom - (body.bottom - y >= 14 ? 8 : 0)
    let leftWidth = state.width / 2 - 1
    let histogramBottom = drawLatency(
        d.latency, glyphs: state.glyphs, x: 0, top: y, width: leftWidth, bottom: columnsBottom, &canvas)

    // Right: breaker, back-in, retries, fallbacks.
    var ry = y
    let right = leftWidth + 2
    let rightWidth = max(0, state.width - right)
    func line(_ text: String, _ role: Role = .text) {
        guard ry <= columnsBottom else { return }
        canvas.put(fit(text, rightWidth), x: right, y: ry, role: role)
        ry += 1
    }
    line("BREAKER", .header)
    line("failures \(Format.percent(b.failureRate))% (trips at \(Format.percent(b.failureRateThreshold))%)")
    line(
        "slow calls \(Format.percent(b.slowCallRate))% (trips at \(Format.percent(b.slowCallRateThreshold))%;"
            + " slow from \(Format.milliseconds(b.slowCallDurationMilliseconds)))")
    if b.windowKind != nil || b.windowCalls != nil {
        let size = b.windowSize.map { b.windowKind == .time ? "\($0)s" : "\($0) calls" } ?? Format.unknown
        line(
            "window \(b.windowKind?.rawValue ?? Format.unknown) \(size): \(Format.count(b.windowCalls)) calls,"
                + " \(Format.count(b.windowFailures)) failed, \(Format.count(b.windowSlowCalls)) slow")
        line("counts from \(Format.count(b.minimumCalls)) calls")
    }
    line(
        "trips in a row \(Format.count(b.consecutiveTrips))   half-open probes"
            + " \(Format.count(b.halfOpenProbesAdmitted))/\(Format.count(b.halfOpenProbes))")
    if let backIn = b.backIn {
        line("back-in step \(backIn.step + 1): \(Int((backIn.share * 100).rounded()))% admitted", .stateRecovering)
        line(
            "  \(backIn.calls) calls, \(backIn.failures) failed, \(backIn.turnedAway) turned away", .stateRecovering)
    }
    let r = d.retry
    line("RETRIES", .header)
    line(
        "attempts \(Format.count(r.attempts))  retries \(Format.count(r.retries))"
            + "  ok after retry \(Format.count(r.successesAfterRetry))  exhausted \(Format.count(r.exhausted))")
    let budget =
        r.budgetRatio.map {
            "budget \(Int(($0 * 100).rounded()))% of calls, \(Format.count(r.budgetAvailable)) left,"
                + " \(Format.count(r.budgetDenied)) denied"
        } ?? "no retry budget"
    line(budget)
    line("FALLBACKS (\(d.fallbacks.chain.joined(separator: " > ")))", .header)
    if d.fallbacks.activations.isEmpty { line("none served", .dim) }
    for activation in d.fallbacks.activations.prefix(4) {
        line("\(activation.fallback) (\(activation.kind.rawValue)) for \(activation.reason.rawValue): \(activation.count)")
    }
    if let staleness = d.fallbacks.maxStalenessMilliseconds {
        line("stalest data served: \(Format.age(seconds: staleness / 1000)) old", .warning)
    }

    // Timelines and events below.
    var ty = max(histogramBottom, ry) + 1
    if ty + 1 <= body.bottom {
        let width = max(10, state.width - 24)
        canvas.put("error rate", x: 0, y: ty, role: .dim)
        canvas.put(
            state.glyphs.sparkline(row.failureHistory, width: width, maximum: 100), x: 12, y: ty, role: .sparkline)
        canvas.put(" \(Format.percent(row.intervalFailurePercent))%", x: 12 + width, y: ty)
        ty += 1
        canvas.put("p99", x: 0, y: ty, role: .dim)
        canvas.put(state.glyphs.sparkline(row.latencyHistory, width: width), x: 12, y: ty, role: .sparkline)
        canvas.put(" \(Format.milliseconds(d.latency.p99))", x: 12 + width, y: ty)
        ty += 2
    }
    drawRecentEvents(of: row, state, x: 0, width: state.width, top: ty, bottom: body.bottom, &canvas)
}

/// The latency histogram with its percentiles, inside `x ..< x + width`, rows `top ... bottom`.
/// - Returns: the row after the last one drawn.
func drawLatency(
    _ latency: LatencySnapshot, glyphs: Glyphs, x: Int, top: Int, width: Int, bottom: Int, _ canvas: inout Canvas
) -> Int {
    let fit = { (text: String, width: Int) in Format.fit(text, width, ellipsis: glyphs.ellipsis) }
    guard top <= bottom, width > 0 else { return top }
    let window = latency.windowMilliseconds.map { "last " + Format.age(seconds: Double($0) / 1000) + ", " } ?? ""
    let attempts = latency.count.map { "\($0) attempts" } ?? "attempts unknown"
    canvas.put(fit("LATENCY (\(window)\(attempts))", width), x: x, y: top, role: .header)
    var y = top + 1
    guard y <= bottom else { return y }
    let marks = [
        ("p50", latency.p50), ("p90", latency.p90), ("p99", latency.p99), ("p99.9", latency.p999), ("max", latency.max),
    ]
    canvas.put(fit(marks.map { "\($0.0) \(Format.milliseconds($0.1))" }.joined(separator: "  "), width), x: x, y: y)
    y += 1
    guard let buckets = latency.buckets else {
        if y <= bottom { canvas.put(fit("no histogram from this source", width), x: x, y: y, role: .dim) }
        return y + 1
    }
    let biggest = max(1, buckets.map(\.count).max() ?? 1)
    let count = latency.count ?? 0
    // label (8) + space + bar + " count marker"
    let barWidth = max(1, min(40, width - 8 - 1 - 14))
    for (index, bucket) in buckets.enumerated() where y <= bottom {
        let low = index == 0 ? 0 : buckets[index - 1].upperBoundMilliseconds ?? 0
        let high = bucket.upperBoundMilliseconds ?? .infinity
        if bucket.count == 0 && (low > (latency.max ?? 0) || high < (latency.min ?? 0) || count == 0) { continue }
        let label = bucket.upperBoundMilliseconds.map { "<=" + Format.milliseconds($0) } ?? ">" + Format.milliseconds(low)
        var bx = canvas.put(Format.right(label, 8), x: x, y: y, role: .dim, limit: width)
        bx = canvas.put(" ", x: bx, y: y)
        bx = canvas.put(
            Format.left(glyphs.bar(Double(bucket.count) / Double(biggest), width: barWidth), barWidth), x: bx, y: y,
            role: .bar, limit: max(0, x + width - bx))
        let marker = percentileMarker(latency, low: low, high: bucket.upperBoundMilliseconds)
        canvas.put(
            fit(" \(bucket.count) \(marker)", max(0, x + width - bx)), x: bx, y: y, role: marker.isEmpty ? .dim : .warning)
        y += 1
    }
    return y
}

/// The selected dependency's transitions and commands from the event log, newest last.
func drawRecentEvents(
    of row: DependencyRow, _ state: ConsoleState, x: Int, width: Int, top: Int, bottom: Int, _ canvas: inout Canvas
) {
    guard top <= bottom, width > 0 else { return }
    let name = row.dependency.name
    let mine = state.log.filter { $0.instance == row.instance && $0.text.hasPrefix(name + ":") }
    let fallbackLines = mine.filter { $0.kind == "fallback" }.count
    canvas.put(
        Format.fit(
            "RECENT EVENTS (\(fallbackLines) fallback reports hidden; e: event log)", width,
            ellipsis: state.glyphs.ellipsis), x: x, y: top, role: .header)
    let events = mine.filter { $0.kind != "fallback" }
    var y = top + 1
    for event in events.suffix(max(0, bottom - y + 1)) {
        canvas.put(
            Format.fit("\(Format.clock(event.atMilliseconds))  \(event.text)", width, ellipsis: state.glyphs.ellipsis),
            x: x, y: y, role: event.kind == "transition" ? .text : .dim)
        y += 1
    }
}

private func percentileMarker(_ latency: LatencySnapshot, low: Double, high: Double?) -> String {
    let marks: [(String, Double?)] = [
        ("p50", latency.p50), ("p90", latency.p90), ("p99", latency.p99), ("p99.9", latency.p999),
    ]
    return marks.filter { mark in
        guard let value = mark.1 else { return false }
        return value > low && value <= (high ?? .infinity)
    }.map(\.0).joined(separator: " ")
}
