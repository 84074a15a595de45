import FuseboxProtocol

/// Everything about the selected dependency: histogram, thresholds, back-in, retries, fallbacks,
/// owner, timelines and its recent events. Laid out in rects, and every write is clipped to its
/// rect, so no line can run into its neighbour.
func drawDetail(_ state: ConsoleState, _ body: Rect, _ canvas: inout Canvas) {
    guard let row = state.selectedRow else {
        let why =
            state.selectionGone && state.selectedID != nil
            ? "\(state.selectedID!.name) on \(state.selectedID!.instance) is no longer reported by the source;"
                + " esc returns to the overview"
            : "no dependency selected; esc returns to the overview"
        canvas.put(clip(why, body.width - 1, state), in: body, column: 1, role: .warning)
        return
    }
    let d = row.dependency
    let b = d.breaker
    let (heading, rest) = body.splitTop(3)
    var x = canvas.put(d.name, in: heading, role: .title)
    x = canvas.put("  ", in: heading, column: x)
    x = canvas.put(b.badge, in: heading, column: x, role: b.state.role)
    x = canvas.put(
        "  \(d.criticality.rawValue)", in: heading, column: x, role: d.criticality == .critical ? .critical : .dim)
    canvas.put(
        clip("  \(row.service) \(row.instanceLabel)", heading.width - x, state), in: heading, column: x, role: .dim)
    let owner = d.metadata["owner"] ?? Format.unknown
    let runbook = d.metadata["runbook"] ?? Format.unknown
    canvas.put(clip("owner \(owner)   runbook \(runbook)", heading.width, state), in: heading, row: 1, role: .dim)

    // Leave the bottom to the timelines and events when the screen is tall enough, and the facts
    // still fit beside it: the facts come first (the event log has the events too).
    let facts = breakerFacts(d, state)
    let bottom = rest.height >= 22 && rest.height - 8 >= facts.count ? 8 : 0
    let (columnsArea, _) = rest.splitBottom(bottom)
    let halves = columnsArea.split(columnFractions: [0.5, 0.5], gap: 1)
    let leftUsed = drawLatency(d.latency, glyphs: state.glyphs, in: halves[0], &canvas)
    let rightUsed = drawFacts(facts, state, in: halves[1], &canvas)

    let (_, below) = rest.splitTop(max(leftUsed, rightUsed) + 1)
    guard !below.isEmpty else { return }
    let (timelines, events) = below.splitTop(below.height >= 4 ? 3 : 0)
    if !timelines.isEmpty {
        // The label (12 columns), the sparkline, then the latest value (up to 14 columns).
        let sparkWidth = max(10, timelines.width - 12 - 14)
        canvas.put("error rate", in: timelines, role: .dim)
        canvas.put(
            state.glyphs.sparkline(row.failureHistory, width: sparkWidth, maximum: 100), in: timelines, column: 12,
            role: .sparkline)
        // No calls in the last interval (an open breaker rejects them): no rate, rather than a healthy-looking 0%.
        let rejecting = !d.breaker.state.admitsCalls
        let rate =
            rejecting
            ? "- (rejecting)"
            : row.callsPerSecond > 0 ? Format.percent(row.intervalFailurePercent) + "%" : "- (no calls)"
        canvas.put(" " + rate, in: timelines, column: 12 + sparkWidth)
        canvas.put("p99", in: timelines, row: 1, role: .dim)
        canvas.put(
            state.glyphs.sparkline(row.latencyHistory, width: sparkWidth), in: timelines, row: 1, column: 12,
            role: .sparkline)
        canvas.put(" \(Format.milliseconds(d.latency.p99))", in: timelines, row: 1, column: 12 + sparkWidth)
    }
    drawRecentEvents(of: row, state, in: events, &canvas)
}

/// Breaker thresholds and window, back-in, retries and hedges, fallbacks, and the bulkhead and
/// rate limit, one fact per line.
private func breakerFacts(_ d: DependencySnapshot, _ state: ConsoleState) -> [(text: String, role: Role)] {
    let b = d.breaker
    var lines: [(text: String, role: Role)] = []
    func line(_ text: String, _ role: Role = .text) { lines.append((text, role)) }
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
        line("back-in step \(backIn.step + 1): \(Format.whole(backIn.share * 100))% admitted", .stateRecovering)
        line("  \(backIn.calls) calls, \(backIn.failures) failed, \(backIn.turnedAway) turned away", .stateRecovering)
    }
    let r = d.retry
    line("RETRIES", .header)
    line(
        "attempts \(Format.count(r.attempts))  retries \(Format.count(r.retries))"
            + "  ok after retry \(Format.count(r.successesAfterRetry))  exhausted \(Format.count(r.exhausted))")
    if let hedges = r.hedges, hedges > 0 {
        line("hedged attempts \(Format.count(hedges)), won \(Format.count(r.hedgeWins))")
    }
    line(
        r.budgetRatio.map {
            "budget \(Format.whole($0 * 100))% of calls, \(Format.count(r.budgetAvailable)) left,"
                + " \(Format.count(r.budgetDenied)) denied"
        } ?? "no retry budget")
    line(
        d.fallbacks.chain.isEmpty
            ? "FALLBACKS: none configured" : "FALLBACKS (\(d.fallbacks.chain.joined(separator: " > ")))", .header)
    if d.fallbacks.activations.isEmpty && !d.fallbacks.chain.isEmpty { line("none served", .dim) }
    for activation in d.fallbacks.activations.prefix(4) {
        line(
            "\(activation.fallback) (\(activation.kind.rawValue)) for \(activation.reason.rawValue): \(activation.count)"
        )
    }
    if let staleness = d.fallbacks.maxStalenessMilliseconds {
        line("stalest data served: \(Format.age(seconds: staleness / 1000)) old", .warning)
    }
    if d.bulkhead != nil || d.rateLimiter != nil { line("LIMITS", .header) }
    if let bulkhead = d.bulkhead {
        let limit =
            bulkhead.isAdaptive
            ? "limit \(bulkhead.maxConcurrent), adaptive"
                + " \(Format.count(bulkhead.adaptiveMinLimit))...\(Format.count(bulkhead.adaptiveMaxLimit))"
            : "limit \(bulkhead.maxConcurrent)"
        let full = bulkhead.inFlight >= bulkhead.maxConcurrent
        line("in flight \(bulkhead.inFlight), \(limit)", full ? .warning : .text)
        let queue = bulkhead.maxWaiting > 0 ? "waiting \(bulkhead.waiting) of \(bulkhead.maxWaiting)" : "no queue"
        line("  \(queue), \(bulkhead.rejected) turned away")
    }
    if let limiter = d.rateLimiter {
        // Whole tokens only: 0.6 of a token admits no call.
        let tokens = Int(max(0, limiter.availableTokens).rounded(.down))
        line("rate \(Format.number(limiter.ratePerSecond))/s, burst \(limiter.burst)")
        line("  \(limiter.rejected) turned away, \(tokens) token\(tokens == 1 ? "" : "s") left")
    }
    return lines
}

/// The facts, one per row; what does not fit is not dropped without a word: the last row says
/// how much more there is. - Returns: the rows used.
private func drawFacts(
    _ lines: [(text: String, role: Role)], _ state: ConsoleState, in area: Rect, _ canvas: inout Canvas
) -> Int {
    var shown = lines.count > area.height ? max(0, area.height - 1) : lines.count
    // A heading whose lines are all cut goes with them.
    if shown < lines.count, shown > 0, lines[shown - 1].role == .header, lines[shown].role != .header { shown -= 1 }
    for (row, line) in lines.prefix(shown).enumerated() {
        canvas.put(clip(line.text, area.width, state), in: area, row: row, role: line.role)
    }
    guard shown < lines.count, area.height > 0 else { return shown }
    let more = lines.count - shown
    canvas.put(
        clip(
            "\(state.glyphs.ellipsis) \(more) more line\(more == 1 ? "" : "s")"
                + (area.width >= 46 ? "; a taller terminal shows them" : ""),
            area.width, state),
        in: area, row: shown, role: .dim)
    return shown + 1
}

/// The latency histogram with its percentiles, inside `area`.
/// - Returns: the rows used.
func drawLatency(_ latency: LatencySnapshot, glyphs: Glyphs, in area: Rect, _ canvas: inout Canvas) -> Int {
    guard area.height > 0, area.width > 0 else { return 0 }
    let fit = { (text: String) in Format.fit(text, area.width, ellipsis: glyphs.ellipsis) }
    let window = latency.windowMilliseconds.map { "last " + Format.age(seconds: Double($0) / 1000) + ", " } ?? ""
    let attempts = latency.count.map { "\($0) attempts" } ?? "attempts unknown"
    canvas.put(fit("LATENCY (\(window)\(attempts))"), in: area, role: .header)
    let marks = [
        ("p50", latency.p50), ("p90", latency.p90), ("p99", latency.p99), ("p99.9", latency.p999), ("max", latency.max),
    ]
    canvas.put(fit(marks.map { "\($0.0) \(Format.milliseconds($0.1))" }.joined(separator: "  ")), in: area, row: 1)
    var used = min(2, area.height)
    guard let buckets = latency.buckets else {
        if used < area.height {
            canvas.put(fit("no histogram from this source"), in: area, row: used, role: .dim)
            used += 1
        }
        return used
    }
    let biggest = max(1, buckets.map(\.count).max() ?? 1)
    let count = latency.count ?? 0
    // Each row: an 8-column label, a space, the bar, then " count marker" in what is left.
    let barWidth = max(1, min(40, area.width - 9 - 14))
    for (index, bucket) in buckets.enumerated() where used < area.height {
        let low = index == 0 ? 0 : buckets[index - 1].upperBoundMilliseconds ?? 0
        let high = bucket.upperBoundMilliseconds ?? .infinity
        if bucket.count == 0 && (low > (latency.max ?? 0) || high < (latency.min ?? 0) || count == 0) { continue }
        let label =
            bucket.upperBoundMilliseconds.map { "<=" + Format.milliseconds($0) } ?? ">" + Format.milliseconds(low)
        var x = canvas.put(Format.right(label, 8) + " ", in: area, row: used, role: .dim)
        let bar = glyphs.bar(Double(bucket.count) / Double(biggest), width: barWidth)
        x = canvas.put(Format.left(bar, barWidth), in: area, row: used, column: x, role: .bar)
        let marker = percentileMarker(latency, low: low, high: bucket.upperBoundMilliseconds)
        canvas.put(
            Format.fit(" \(bucket.count) \(marker)", area.width - x, ellipsis: glyphs.ellipsis), in: area, row: used,
            column: x, role: marker.isEmpty ? .dim : .warning)
        used += 1
    }
    return used
}

/// The selected dependency's transitions and commands from the event log, newest last.
func drawRecentEvents(of row: DependencyRow, _ state: ConsoleState, in area: Rect, _ canvas: inout Canvas) {
    guard !area.isEmpty else { return }
    let name = row.dependency.name
    // This dependency's lines: from its instance, and the console's own commands aimed at it.
    let mine = state.log.filter {
        $0.dependency == name
            && ($0.instance == row.instance || (row.fleetInstances?.contains($0.instance) ?? false)
                || ($0.instance.isEmpty && $0.kind == .command))
    }
    let fallbackLines = state.fallbackLog.filter {
        $0.dependency == name && ($0.instance == row.instance || (row.fleetInstances?.contains($0.instance) ?? false))
    }.count
    canvas.put(
        clip(
            "RECENT EVENTS (\(fallbackLines) fallback \(fallbackLines == 1 ? "report" : "reports") hidden; e: event log)",
            area.width, state), in: area,
        role: .header)
    let events = mine.filter { $0.kind != .fallback }.suffix(max(0, area.height - 1))
    for (index, event) in events.enumerated() {
        canvas.put(
            // A fleet's lines come from several instances: each says which.
            clip(
                "\(Format.clock(event.atMilliseconds))  "
                    + (row.isFleet && !event.instance.isEmpty ? "\(event.instance): " : "") + event.text, area.width,
                state), in: area, row: index + 1,
            role: event.kind == .transition ? .text : .dim)
    }
}

/// `text` cut to `width` columns with the state's ellipsis.
func clip(_ text: String, _ width: Int, _ state: ConsoleState) -> String {
    Format.fit(text, max(0, width), ellipsis: state.glyphs.ellipsis)
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
