import Foundation

extension IncidentReport {
    /// The report as Markdown a person can paste into a post-mortem. Times are UTC.
    public var markdown: String {
        // A recording over midnight names each time's day.
        let spansDays = (fromMilliseconds.map { $0 / 86_400_000 }) != (toMilliseconds.map { $0 / 86_400_000 })
        let clock = { (milliseconds: Int64) in spansDays ? dateTime(milliseconds) : clockText(milliseconds) }
        var out = "# Incident report: \(cell(file))\n\n"
        if let from = fromMilliseconds, let to = toMilliseconds {
            out +=
                "Recorded \(dateTime(from)) to \(dateTime(to)) UTC (\(duration(to - from))), \(counted(samples, "sample"))"
        } else {
            out += "Nothing readable was recorded"
        }
        out += " from \(sources.map { "`\($0)`" }.joined(separator: ", ")) on \(host) by fusebox \(fuseboxVersion)"
        out += " (recording format \(formatVersion)).\n"
        if let damage { out += "\n> **Damaged:** \(damage)\n" }

        out += "\n## Summary\n\n"
        if damage != nil { out += "From what could be read; see the damage above.\n\n" }
        out += "- First breaker trip: \(describeTrip(firstTrip, clock))\n"
        out += "- Last breaker trip: \(describeTrip(lastTrip, clock))\n"
        let count = { (kind: Entry.Kind) in timeline.filter { $0.kind == kind }.count }
        out +=
            "- \(counted(count(.transition), "breaker transition")), \(counted(count(.command), "operator action")), "
        out += "\(counted(count(.annotation), "annotation")), \(counted(count(.sourceError), "source error"))\n"

        out += "\n## Timeline (UTC)\n\n"
        if timeline.isEmpty {
            out += "Nothing happened: no transitions, actions or annotations.\n"
        } else {
            out += "| Time | Where | What | Who | Why |\n|---|---|---|---|---|\n"
            for entry in timeline {
                let place = [entry.instance, entry.dependency].compactMap { $0 }.joined(separator: " ")
                let what: String
                switch entry.kind {
                case .transition: what = "breaker \(entry.text)"
                case .command: what = entry.text
                case .annotation: what = "note: \(entry.text)"
                case .sourceError: what = "source error: \(entry.text)"
                case .sourceRecovered: what = "source answers again"
                }
                out += "| \(clock(entry.atMilliseconds)) | \(cell(place)) | \(cell(what)) | \(cell(entry.actor ?? "")) "
                out += "| \(cell(entry.reason ?? "")) |\n"
            }
        }

        out += "\n## Dependencies\n\n"
        if dependencies.isEmpty {
            out += "No dependencies were recorded.\n"
        } else {
            out +=
                "| Dependency | Instances | Trips | Open | Degraded | Peak failure rate | Fallbacks served | Unserved |\n"
            out += "|---|---:|---:|---:|---:|---:|---:|---:|\n"
            for summary in dependencies {
                let peak =
                    summary.peakFailureRate.map { rate in
                        "\(percent(rate))" + (summary.peakFailureRateAtMilliseconds.map { " at \(clock($0))" } ?? "")
                    } ?? "-"
                out +=
                    "| \(cell(summary.service + "/" + summary.dependency)) | \(summary.instances) | \(summary.trips) "
                out += "| \(duration(summary.openMilliseconds)) | \(duration(summary.degradedMilliseconds)) | \(peak) "
                out += "| \(summary.fallbackActivations) | \(summary.unserved) |\n"
            }
        }
        return out
    }

    private func describeTrip(_ entry: Entry?, _ clock: (Int64) -> String) -> String {
        guard let entry else { return "none" }
        let place = [entry.instance, entry.dependency].compactMap { $0 }.joined(separator: " ")
        let why = entry.reason.map { ": \($0)" } ?? ""
        return "\(clock(entry.atMilliseconds)) UTC, \(cell(place)) \(cell(entry.text + why))"
    }
}

/// Text safe inside a Markdown table cell or list item, shown as typed: no pipes or line breaks to
/// break the table, no emphasis, code or HTML made of what an operator wrote.
private func cell(_ text: String) -> String {
    var out = ""
    for character in text {
        switch character {
        case "\\", "|", "*", "_", "`", "[", "]", "#": out += "\\\(character)"
        // `>` starts a quote only at a line's start, never inside a line: it stays as typed, as
        // in `failure rate 55% >= 50%`.
        case "<": out += "&lt;"
        case "&": out += "&amp;"
        case "\n", "\r", "\t": out += " "
        default: out.append(character)
        }
    }
    return out
}

/// `1 annotation`, `3 annotations`.
private func counted(_ count: Int, _ noun: String) -> String { "\(count) \(noun)\(count == 1 ? "" : "s")" }

private func dateTime(_ milliseconds: Int64) -> String {
    let formatter = ISO8601DateFormatter()
    formatter.formatOptions = [.withFullDate, .withDashSeparatorInDate]
    let date = Date(timeIntervalSince1970: Double(milliseconds) / 1000)
    return formatter.string(from: date) + " " + clockText(milliseconds)
}

/// `1h05m`, `3m20s`, `45s`.
func duration(_ milliseconds: Int64) -> String {
    let seconds = max(0, milliseconds) / 1000
    if seconds >= 3600 { return "\(seconds / 3600)h\(pad(seconds % 3600 / 60))m" }
    if seconds >= 60 { return "\(seconds / 60)m\(pad(seconds % 60))s" }
    return "\(seconds)s"
}

private func pad(_ value: Int64) -> String { value < 10 ? "0\(value)" : "\(value)" }

private func percent(_ value: Double) -> String {
    value == value.rounded() ? "\(Int(value))%" : String(format: "%.1f%%", value)
}
