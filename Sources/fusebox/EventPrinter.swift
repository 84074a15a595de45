import Fusebox
import FuseboxProtocol
import FuseboxSimulator
import Synchronization

/// Prints scenario steps and runtime events as they appear, oldest first, each once. Fallback
/// activations are summarised: one line per instance, fallback and reason per 10 seconds at most.
final class EventPrinter: Sendable {
    private struct Progress {
        var lastSequence: [Int: UInt64] = [:]
        var notesPrinted = 0
        var startMilliseconds: Int64?
        /// Per instance/fallback/reason: when it was last printed and what is held back since.
        var fallbackLines: [String: (printedAt: Int64, pending: UInt64)] = [:]
    }

    private static let fallbackSummaryMilliseconds: Int64 = 10_000

    private let progress = Mutex(Progress())

    func printNew(from simulation: Simulation, flush: Bool = false) {
        if flush { for registry in simulation.registries { registry.flushEvents() } }
        var lines: [(Int64, String)] = []
        progress.withLock { p in
            let notes = simulation.scenarioNotes
            if p.startMilliseconds == nil {
                p.startMilliseconds = simulation.clock.wallMilliseconds() - 1_000
            }
            for note in notes.dropFirst(p.notesPrinted) {
                lines.append((note.atMilliseconds, "scenario  \(note.text)"))
            }
            p.notesPrinted = notes.count
            for (index, registry) in simulation.registries.enumerated() {
                let after = p.lastSequence[index] ?? 0
                let events = registry.events.recent(after: after)
                for event in events {
                    guard event.kind == .fallback else {
                        lines.append((event.atMilliseconds, "\(registry.instance)  \(event.message)"))
                        continue
                    }
                    let reason = event.fallbackReason?.rawValue ?? ""
                    let key = "\(registry.instance) \(event.dependency ?? "") \(event.fallback ?? "") \(reason)"
                    var entry = p.fallbackLines[key] ?? (printedAt: Int64.min / 2, pending: 0)
                    entry.pending += event.count ?? 0
                    if event.atMilliseconds - entry.printedAt >= Self.fallbackSummaryMilliseconds || flush {
                        let text =
                            "\(event.dependency ?? "?"): \(event.fallback ?? "?") served \(entry.pending)x"
                            + " (\(event.fallbackReason?.rawValue ?? "?"))"
                        lines.append((event.atMilliseconds, "\(registry.instance)  \(text)"))
                        entry = (printedAt: event.atMilliseconds, pending: 0)
                    }
                    p.fallbackLines[key] = entry
                }
                if let last = events.last { p.lastSequence[index] = last.sequence }
            }
        }
        let origin = progress.withLock { $0.startMilliseconds ?? 0 }
        for (at, text) in lines.sorted(by: { $0.0 < $1.0 }) {
            let offset = Double(max(0, at - origin)) / 1000
            print("\(formatSeconds(offset))  \(text)")
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
