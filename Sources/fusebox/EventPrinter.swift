import Fusebox
import FuseboxProtocol
import FuseboxSimulator
import Synchronization

/// Prints scenario steps and runtime events once each, in the order they happened. Fallback
/// activations are summarised per instance, fallback and reason: a line once 10 seconds have passed
/// since the last one, stamped with the time of the last activation it counts. A summary is also
/// printed before a transition of its dependency (it comes before the transition that ended it) and
/// once it has seen no activation for 10 seconds. A line waits while an open summary may still be
/// printed before it.
final class EventPrinter: Sendable {
    /// The fallback activations of one instance, dependency, fallback and reason not yet printed.
    private struct Summary {
        let instance: String
        let dependency: String
        let fallback: String
        let reason: String
        /// When its last line was printed (stamped); long ago if never.
        var printedAt = Int64.min / 2
        var pending: UInt64 = 0
        /// When the last activation counted in `pending` happened.
        var lastAt: Int64 = 0
    }

    private struct Line {
        let at: Int64
        /// Tie-break for lines of the same millisecond: the order they were found in.
        let order: Int
        let text: String
    }

    private struct Progress {
        var lastSequence: [Int: UInt64] = [:]
        var notesPrinted = 0
        var startMilliseconds: Int64?
        var summaries: [String: Summary] = [:]
        var held: [Line] = []
        var found = 0

        mutating func hold(_ at: Int64, _ text: String) {
            held.append(Line(at: at, order: found, text: text))
            found += 1
        }

        /// Counts a fallback event; prints the summary if its 10 seconds are over.
        mutating func count(_ event: Event, instance: String) {
            let dependency = event.dependency ?? "?"
            let fallback = event.fallback ?? "?"
            let reason = event.fallbackReason?.rawValue ?? "?"
            let key = "\(instance) \(dependency) \(fallback) \(reason)"
            var summary =
                summaries[key]
                ?? Summary(instance: instance, dependency: dependency, fallback: fallback, reason: reason)
            summary.pending += event.count ?? 0
            summary.lastAt = max(summary.lastAt, event.atMilliseconds)
            summaries[key] = summary
            if event.atMilliseconds - summary.printedAt >= EventPrinter.summaryMilliseconds { close(key) }
        }

        /// Prints what a summary holds, at the time of its last activation.
        mutating func close(_ key: String) {
            guard var summary = summaries[key], summary.pending > 0 else { return }
            let text = "\(summary.dependency): \(summary.fallback) served \(summary.pending)x (\(summary.reason))"
            hold(summary.lastAt, "\(summary.instance)  \(text)")
            summary.printedAt = summary.lastAt
            summary.pending = 0
            summaries[key] = summary
        }

        /// Prints the summaries of a dependency, before its transition.
        mutating func closeAll(instance: String, dependency: String) {
            for (key, summary) in summaries where summary.instance == instance && summary.dependency == dependency {
                close(key)
            }
        }

        /// Takes the held lines up to `watermark` (inclusive), oldest first.
        mutating func release(upTo watermark: Int64) -> [Line] {
            let ready = held.filter { $0.at <= watermark }
            held.removeAll { $0.at <= watermark }
            return ready.sorted { ($0.at, $0.order) < ($1.at, $1.order) }
        }
    }

    fileprivate static let summaryMilliseconds: Int64 = 10_000

    private let progress = Mutex(Progress())

    /// Prints what happened since the last call. Every call reports the fallback activations the
    /// runtime holds back, so everything up to now is known; `flush` also prints every open summary
    /// and every held line (at the end).
    func printNew(from simulation: Simulation, flush: Bool = false) {
        let now = simulation.clock.wallMilliseconds()
        for registry in simulation.registries { registry.flushEvents() }
        let (lines, origin) = progress.withLock { p -> ([Line], Int64) in
            let origin = p.startMilliseconds ?? now - 1_000
            p.startMilliseconds = origin
            let notes = simulation.scenarioNotes
            for note in notes.dropFirst(p.notesPrinted) { p.hold(note.atMilliseconds, "scenario  \(note.text)") }
            p.notesPrinted = notes.count
            for (index, registry) in simulation.registries.enumerated() {
                let events = registry.events.recent(after: p.lastSequence[index] ?? 0)
                for event in events {
                    switch event.kind {
                    case .fallback:
                        p.count(event, instance: registry.instance)
                    case .transition:
                        p.closeAll(instance: registry.instance, dependency: event.dependency ?? "")
                        p.hold(event.atMilliseconds, "\(registry.instance)  \(event.message)")
                    default:
                        p.hold(event.atMilliseconds, "\(registry.instance)  \(event.message)")
                    }
                }
                if let last = events.last { p.lastSequence[index] = last.sequence }
            }
            // A summary that has seen no activation for 10 seconds is over.
            for (key, summary) in p.summaries
            where summary.pending > 0 && (flush || now - summary.lastAt >= Self.summaryMilliseconds) {
                p.close(key)
            }
            // An open summary will be printed at its last activation or later: hold what comes after that.
            let open = p.summaries.values.filter { $0.pending > 0 }.map(\.lastAt).min()
            let watermark = open.map { min(now, $0 - 1) } ?? now
            return (p.release(upTo: flush ? .max : watermark), origin)
        }
        for line in lines {
            let offset = Double(max(0, line.at - origin)) / 1000
            print("\(formatSeconds(offset))  \(line.text)")
        }
    }

    func printSummary(of simulation: Simulation) {
        for service in simulation.services {
            let counts = service.requestCounts
            print(
                "\(service.registry.instance): \(counts.requests) requests, \(counts.degraded) served degraded,"
                    + " \(counts.failed) failed")
        }
    }
}
