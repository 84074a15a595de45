import FuseboxProtocol

/// Everything about the selected dependency: histogram, timelines, thresholds, back-in, retries,
/// fallbacks, owner and its recent events.
func drawDetail(_ state: ConsoleState, _ body: BodyArea, _ canvas: inout Canvas) {
    guard let row = state.selectedRow else {
        canvas.put("no dependency selected; esc returns to the overview", x: 1, y: body.top, role: .dim)
        return
    }
    let d = row.dependency
    let b = d.breaker
    var y = body.top
    var x = canvas.put(d.name, x: 0, y: y, role: .title)
    x = canvas.put("  ", x: x, y: y)
    x = canvas.put(b.badge, x: x, y: y, role: b.state.role)
    x = canvas.put("  \(d.criticality.rawValue)", x: x, y: y, role: d.criticality == .critical ? .critical : .dim)
    canvas.put("  \(row.instance)", x: x, y: y, role: .dim)
    y += 1
    let owner = d.metadata["owner"] ?? "-"
    let runbook = d.metadata["runbook"] ?? "-"
    canvas.put("owner \(owner)   runbook \(runbook)", x: 0, y: y, role: .dim)
    y += 2

    let half = state.width / 2
    // Left: latency histogram with percentiles.
    let latency = d.latency
    canvas.put(
        "LATENCY (last \(Format.age(seconds: Double(latency.windowMilliseconds) / 1000)), \(latency.count) attempts)",
        x: 0, y: y, role: .header)
    let marks =
        [
            ("p50", latency.p50), ("p90", latency.p90), ("p99", latency.p99), ("p99.9", latency.p999),
            ("max", latency.max),
        ]
        .map { "\($0.0) \(Format.milliseconds($0.1))" }.joined(separator: "  ")
    canvas.put(Format.fit(marks, half - 1, ellipsis: state.glyphs.ellipsis), x: 0, y: y + 1)
    let biggest = max(1, latency.buckets.map(\.count).max() ?? 1)
    var histogramY = y + 2
    for (index, bucket) in latency.buckets.enumerated() where histogramY <= body.bottom - 8 {
        let low = index == 0 ? 0 : latency.buckets[index - 1].upperBoundMilliseconds ?? 0
        let high = bucket.upperBoundMilliseconds ?? .infinity
        if bucket.count == 0 && (low > latency.max || high < latency.min || latency.count == 0) { continue }
        let label =
            bucket.upperBoundMilliseconds.map { "<=" + Format.milliseconds($0) } ?? ">" + Format.milliseconds(low)
        var bx = canvas.put(Format.right(label, 8), x: 0, y: histogramY, role: .dim)
        let marker = percentileMarker(latency, low: low, high: bucket.upperBoundMilliseconds)
        bx = canvas.put(" ", x: bx, y: histogramY)
        let barWidth = max(1, half - 24)
        bx = canvas.put(
            Format.left(state.glyphs.bar(Double(bucket.count) / Double(biggest), width: barWidth), barWidth), x: bx,
            y: histogramY, role: .bar)
        canvas.put(" \(bucket.count) \(marker)", x: bx, y: histogramY, role: marker.isEmpty ? .dim : .warning)
        histogramY += 1
    }

    // Right: breaker, back-in, retries.
    var ry = y
    let right = half + 1
    func line(_ text: String, _ role: Role = .text) {
        guard ry <= body.bottom - 8 else { return }
        canvas.put(Format.fit(text, state.width - right, ellipsis: state.glyphs.ellipsis), x: right, y: ry, role: role)
        ry += 1
    }
    line("BREAKER", .header)
    line(
        "failures \(Format.percent(b.failureRate))% (trips at \(Format.percent(b.failureRateThreshold))%)"
            + "   slow \(Format.percent(b.slowCallRate))% (trips at \(Format.percent(b.slowCallRateThreshold))%,"
            + " >= \(Format.milliseconds(b.slowCallDurationMilliseconds)))"
    )
    line(
        "window \(b.windowKind) \(b.windowSize): \(b.windowCalls) calls, \(b.windowFailures) failed,"
            + " \(b.windowSlowCalls) slow; counts from \(b.minimumCalls)"
    )
    line("trips in a row \(b.consecutiveTrips)   half-open probes \(b.halfOpenProbesAdmitted)/\(b.halfOpenProbes)")
    if let backIn = b.backIn {
        line(
            "back-in step \(backIn.step + 1): \(Int((backIn.share * 100).rounded()))% admitted;"
                + " \(backIn.calls) calls, \(backIn.failures) failed, \(backIn.turnedAway) turned away",
            .stateRecovering)
    }
    let r = d.retry
    line("RETRIES", .header)
    line(
        "attempts \(r.attempts)  retries \(r.retries)  ok after retry \(r.successesAfterRetry)"
            + "  exhausted \(r.exhausted)"
    )
    let budget =
        r.budgetRatio.map {
            "budget \(Int(($0 * 100).rounded()))% of calls, \(r.budgetAvailable ?? 0) left, \(r.budgetDenied) denied"
        } ?? "no retry budget"
    line(budget)
    line("FALLBACKS (\(d.fallbacks.chain.joined(separator: " > ")))", .header)
    if d.fallbacks.activations.isEmpty { line("none served", .dim) }
    for activation in d.fallbacks.activations.prefix(4) {
        line(
            "\(activation.fallback) (\(activation.kind.rawValue))"
                + " for \(activation.reason.rawValue): \(activation.count)"
        )
    }
    if let staleness = d.fallbacks.maxStalenessMilliseconds {
        line("stalest data served: \(Format.age(seconds: staleness / 1000)) old", .warning)
    }

    // Timelines and events below.
    var ty = max(histogramY, ry) + 1
    if ty <= body.bottom - 3 {
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
    if ty <= body.bottom {
        let fallbackLines = state.log.filter {
            $0.instance == row.instance && $0.kind == "fallback" && $0.text.hasPrefix(d.name + ":")
        }.count
        canvas.put(
            "RECENT TRANSITIONS (and \(fallbackLines) fallback reports: e for the event log)", x: 0, y: ty,
            role: .header)
        ty += 1
        let events = state.log.filter {
            $0.instance == row.instance && $0.kind != "fallback" && $0.text.hasPrefix(d.name + ":")
        }
        for event in events.suffix(max(0, body.bottom - ty + 1)) {
            canvas.put(
                Format.fit(
                    "\(Format.clock(event.atMilliseconds))  \(event.text)", state.width, ellipsis: state.glyphs.ellipsis
                ), x: 0, y: ty, role: event.kind == "transition" ? .text : .dim)
            ty += 1
        }
    }
}

private func percentileMarker(_ latency: LatencySnapshot, low: Double, high: Double?) -> String {
    let marks: [(String, Double)] = [
        ("p50", latency.p50), ("p90", latency.p90), ("p99", latency.p99), ("p99.9", latency.p999),
    ]
    return marks.filter { $0.1 > low && $0.1 <= (high ?? .infinity) }.map(\.0).joined(separator: " ")
}
