import Foundation
import FuseboxBackend
import FuseboxProtocol
import FuseboxRecording
import Testing

/// The report of a scripted incident matches what the scenario did: its transitions (from the
/// services' own events), the operator's actions and notes, and each dependency's figures.
@Suite struct IncidentReportTests {
    @Test func theReportOfAScriptedIncidentMatchesItsTimeline() async throws {
        let polls = await RecordedScenario.polls
        let forcedAt = polls[60].atMilliseconds - 400
        let command = Command(
            id: "c-9", actor: "alice", reason: "payments | timing out", action: .forceOpen(dependency: "payments"))
        let result = CommandResult(
            commandId: "c-9", instance: "checkout-2", status: .applied, target: "payments", before: nil, after: nil,
            refusal: nil, message: "payments forced open", atMilliseconds: forcedAt)
        let path = try RecordedScenario.record(polls) { recorder in
            recorder.annotate("customer reports started", author: "bob", atMilliseconds: polls[10].atMilliseconds)
            recorder.annotate(
                "rolled *back* <b>4.2.1</b> | see `#42`\nthen waited", author: "bob",
                atMilliseconds: polls[11].atMilliseconds)
            recorder.record(
                BackendError(.unreachable, "refused"), source: "http://a:1", atMilliseconds: polls[12].atMilliseconds)
            recorder.recordRecovery(source: "http://a:1", atMilliseconds: polls[14].atMilliseconds)
            recorder.record(command, results: [result], atMilliseconds: forcedAt)
        }
        let report = IncidentReport(reading: try RecordingReader(path: path), file: "incident.fuserec")

        // Every transition the instances reported during the recording, in order, with its reason.
        var expected: [(Int64, String, String, String, String)] = []
        var seen: Set<String> = []
        for poll in polls {
            for snapshot in poll.snapshots {
                for event in snapshot.events where event.kind == .transition {
                    guard event.atMilliseconds >= polls[0].atMilliseconds - 1_000,
                        seen.insert("\(snapshot.instance)/\(event.sequence)").inserted,
                        case .breaker(let from)? = event.from, case .breaker(let to)? = event.to
                    else { continue }
                    expected.append(
                        (event.atMilliseconds, snapshot.instance, event.dependency ?? "", from.rawValue, to.rawValue))
                }
            }
        }
        expected.sort { $0.0 < $1.0 }
        let transitions = report.timeline.filter { $0.kind == .transition }
        #expect(transitions.count == expected.count)
        for (entry, want) in zip(transitions, expected) {
            #expect(entry.atMilliseconds == want.0)
            #expect(entry.instance == want.1 && entry.dependency == want.2)
            #expect(entry.from == want.3 && entry.to == want.4)
            #expect(entry.reason?.isEmpty == false)
        }
        let trips = expected.filter { $0.4 == "open" || $0.4 == "forced-open" }
        #expect(report.firstTrip?.atMilliseconds == trips.first?.0)
        #expect(report.lastTrip?.atMilliseconds == trips.last?.0)
        #expect(!trips.isEmpty, "the scenario trips breakers")

        // The operator's action and note, where they happened.
        let action = try #require(report.timeline.first { $0.kind == .command })
        #expect(action.actor == "alice" && action.reason == "payments | timing out")
        #expect(action.instance == "checkout-2" && action.atMilliseconds == forcedAt)
        let recovered = try #require(report.timeline.first { $0.kind == .sourceRecovered })
        #expect(recovered.atMilliseconds == polls[14].atMilliseconds && recovered.actor == "http://a:1")
        let note = try #require(report.timeline.first { $0.kind == .annotation })
        #expect(note.text == "customer reports started" && note.actor == "bob")

        // Per dependency: trips agree with the timeline; peaks and fallbacks with the data.
        for summary in report.dependencies {
            let tripsHere = trips.filter { $0.2 == summary.dependency }.count
            #expect(summary.trips == tripsHere, "\(summary.dependency)")
            let rates = polls.flatMap { $0.snapshots }.compactMap {
                $0.dependency(named: summary.dependency)?.breaker.failureRate
            }
            #expect(summary.peakFailureRate == rates.max())
            let firstTotal = polls[0].snapshots.reduce(UInt64(0)) {
                $0 + ($1.dependency(named: summary.dependency)?.fallbacks.total ?? 0)
            }
            let lastTotal = polls[polls.count - 1].snapshots.reduce(UInt64(0)) {
                $0 + ($1.dependency(named: summary.dependency)?.fallbacks.total ?? 0)
            }
            #expect(summary.fallbackActivations == lastTotal - firstTotal, "\(summary.dependency)")
            #expect(summary.instances == 3)
            #expect(summary.openMilliseconds <= summary.degradedMilliseconds)
        }
        let payments = try #require(report.dependencies.first { $0.dependency == "payments" })
        #expect(payments.openMilliseconds > 0)

        // The Markdown says the same, with the pipe in the reason escaped so the table holds.
        let markdown = report.markdown
        #expect(markdown.hasPrefix("# Incident report: incident.fuserec\n"))
        #expect(markdown.contains("| alice | payments \\| timing out |"))
        #expect(markdown.contains("note: customer reports started"))
        // What an operator typed shows as typed: no emphasis, HTML or broken table.
        #expect(markdown.contains("note: rolled \\*back\\* &lt;b>4.2.1&lt;/b> \\| see \\`\\#42\\` then waited"))
        #expect(markdown.contains("source error: refused (unreachable)"))
        // The first trip's reason follows a colon (its own parentheses are not doubled), with `>=`
        // as the breaker wrote it, in the summary as in the timeline.
        let firstTrip = try #require(report.firstTrip)
        let tripLine = try #require(markdown.split(separator: "\n").first { $0.hasPrefix("- First breaker trip:") })
        #expect(tripLine.hasSuffix("\(firstTrip.text): \(firstTrip.reason ?? "")"), "\(tripLine)")
        #expect(firstTrip.reason?.contains(">=") == true && !markdown.contains("&gt;"))
        #expect(markdown.contains("| \(firstTrip.reason ?? "") |"), "the timeline's reason cell reads the same")
        #expect(markdown.contains("| source answers again |"))
        #expect(
            markdown.contains(
                "- \(expected.count) breaker transitions, 1 operator action, 2 annotations, 1 source error"))
        // JSON round-trips.
        let json = try JSONEncoder().encode(report)
        #expect(try JSONDecoder().decode(IncidentReport.self, from: json) == report)
    }
}
