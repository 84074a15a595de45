import Foundation
import FuseboxBackend
import FuseboxProtocol

/// An incident's timeline from a recording, for the post-mortem: every breaker transition, every
/// operator action with its actor and reason, annotations and source errors, and per dependency
/// its trips, time open and degraded, peak failure rate and fallback activations.
public struct IncidentReport: Codable, Sendable, Hashable {
    /// One line of the timeline.
    public struct Entry: Codable, Sendable, Hashable {
        public enum Kind: String, Codable, Sendable, Hashable {
            case transition, command, annotation
            case sourceError = "source-error"
            case sourceRecovered = "source-recovered"
        }

        public var atMilliseconds: Int64
        public var kind: Kind
        public var service: String?
        public var instance: String?
        public var dependency: String?
        /// Transitions: the breaker states before and after.
        public var from: String?
        public var to: String?
        public var actor: String?
        public var reason: String?
        /// What happened, in one line.
        public var text: String
    }

    /// One dependency of one service, across its instances.
    public struct DependencySummary: Codable, Sendable, Hashable {
        public var service: String
        public var dependency: String
        public var instances: Int
        /// Transitions into open (by the breaker) or forced open (by an operator).
        public var trips: Int
        /// Time with at least one instance's breaker open or forced open, to the poll interval.
        public var openMilliseconds: Int64
        /// Time with at least one instance's breaker not closed.
        public var degradedMilliseconds: Int64
        /// The highest failure rate (percent) any instance reported, and when.
        public var peakFailureRate: Double?
        public var peakFailureRateAtMilliseconds: Int64?
        /// Fallback activations during the recording, summed over instances.
        public var fallbackActivations: UInt64
        /// Calls no fallback could serve during the recording.
        public var unserved: UInt64
    }

    public var file: String
    public var formatVersion: String
    public var sources: [String]
    public var host: String
    public var fuseboxVersion: String
    public var fromMilliseconds: Int64?
    public var toMilliseconds: Int64?
    public var samples: Int
    /// What could not be read, in one line, if anything.
    public var damage: String?
    public var firstTrip: Entry?
    public var lastTrip: Entry?
    public var timeline: [Entry]
    public var dependencies: [DependencySummary]

    /// Reads the whole recording once.
    public init(reading reader: RecordingReader, file: String) {
        var builder = ReportBuilder(intervalMilliseconds: reader.header.intervalMilliseconds)
        reader.forEachFrame { builder.add($0) }
        self.file = file
        formatVersion = reader.header.formatVersion.description
        sources = reader.header.sources
        host = reader.header.host
        fuseboxVersion = reader.header.fuseboxVersion
        fromMilliseconds = builder.first
        toMilliseconds = builder.last
        samples = builder.samples
        damage = reader.damage
        timeline = builder.timeline(notes: reader.notes())
        let trips = timeline.filter { $0.kind == .transition && ReportBuilder.isTrip($0.to) }
        firstTrip = trips.first
        lastTrip = trips.last
        dependencies = builder.summaries()
    }
}

/// Folds frames into the report's figures, one frame at a time.
struct ReportBuilder {
    private struct Key: Hashable, Comparable {
        let service: String
        let dependency: String
        static func < (a: Key, b: Key) -> Bool { (a.service, a.dependency) < (b.service, b.dependency) }
    }

    private struct Tally {
        var instances: Set<String> = []
        var trips = 0
        var openMilliseconds: Int64 = 0
        var degradedMilliseconds: Int64 = 0
        var peak: (rate: Double, at: Int64)?
        var activations: UInt64 = 0
        var unserved: UInt64 = 0
    }

    let intervalMilliseconds: Int64
    private(set) var first: Int64?
    private(set) var last: Int64?
    private(set) var samples = 0
    private var tallies: [Key: Tally] = [:]
    /// Per instance and dependency: the last state, fallback total and unserved count seen.
    private var previous: [String: (state: BreakerState, fallbacks: UInt64, unserved: UInt64)] = [:]
    /// Per dependency, whether any instance was open / degraded at the previous frame.
    private var wasOpen: Set<Key> = []
    private var wasDegraded: Set<Key> = []
    private var sampledTransitions: [IncidentReport.Entry] = []
    private var eventTransitions: [IncidentReport.Entry] = []
    /// Instances whose snapshots carry transition events: their transitions come from the events
    /// (exact times and reasons) rather than from comparing samples.
    private var instancesWithEvents: Set<String> = []
    private var seenEvents: Set<String> = []

    init(intervalMilliseconds: Int64) {
        self.intervalMilliseconds = intervalMilliseconds
    }

    static func isTrip(_ state: String?) -> Bool {
        state == BreakerState.open.rawValue || state == BreakerState.forcedOpen.rawValue
    }

    mutating func add(_ frame: TimelineFrame) {
        let at = frame.atMilliseconds
        if let last {
            // Time since the last frame counts towards what that frame showed; a gap (the recorder
            // was down) counts for a few intervals at most.
            let gap = min(at - last, max(1_000, intervalMilliseconds) * 3)
            for key in wasOpen { tallies[key]?.openMilliseconds += gap }
            for key in wasDegraded { tallies[key]?.degradedMilliseconds += gap }
        }
        first = first ?? at
        last = at
        samples += 1
        var open: Set<Key> = []
        var degraded: Set<Key> = []
        for snapshot in frame.snapshots {
            collectEvents(snapshot)
            for dependency in snapshot.dependencies {
                let key = Key(service: snapshot.service, dependency: dependency.name)
                var tally = tallies[key] ?? Tally()
                tally.instances.insert(snapshot.instance)
                let state = dependency.breaker.state
                if Self.isTrip(state.rawValue) { open.insert(key) }
                if state != .closed { degraded.insert(key) }
                if let rate = dependency.breaker.failureRate, rate.isFinite, rate > (tally.peak?.rate ?? -1) {
                    tally.peak = (rate, at)
                }
                let id = snapshot.service + "\u{0}" + snapshot.instance + "\u{0}" + dependency.name
                let fallbacks = dependency.fallbacks.total
                let unserved = dependency.fallbacks.unserved
                if let before = previous[id] {
                    // A counter that went down started over (a restart): all of it is new.
                    tally.activations += fallbacks >= before.fallbacks ? fallbacks - before.fallbacks : fallbacks
                    tally.unserved += unserved >= before.unserved ? unserved - before.unserved : unserved
                    if before.state != state {
                        if Self.isTrip(state.rawValue) { tally.trips += 1 }
                        sampledTransitions.append(
                            IncidentReport.Entry(
                                atMilliseconds: at, kind: .transition, service: snapshot.service,
                                instance: snapshot.instance, dependency: dependency.name, from: before.state.rawValue,
                                to: state.rawValue, text: "\(before.state.rawValue) → \(state.rawValue)"))
                    }
                }
                previous[id] = (state, fallbacks, unserved)
                tallies[key] = tally
            }
        }
        wasOpen = open
        wasDegraded = degraded
    }

    private mutating func collectEvents(_ snapshot: Snapshot) {
        for event in snapshot.events where event.kind == .transition {
            instancesWithEvents.insert(snapshot.service + "\u{0}" + snapshot.instance)
            let id =
                "\(snapshot.service)\u{0}\(snapshot.instance)\u{0}\(snapshot.startedAtMilliseconds ?? 0)\u{0}\(event.sequence)"
            guard seenEvents.insert(id).inserted else { continue }
            guard case .breaker(let from)? = event.from, case .breaker(let to)? = event.to else { continue }
            // The first poll also carries what happened before the recording began.
            guard event.atMilliseconds >= (first ?? .min) - intervalMilliseconds else { continue }
            eventTransitions.append(
                IncidentReport.Entry(
                    atMilliseconds: event.atMilliseconds, kind: .transition, service: snapshot.service,
                    instance: snapshot.instance, dependency: event.dependency, from: from.rawValue, to: to.rawValue,
                    actor: event.actor, reason: event.reason, text: "\(from.rawValue) → \(to.rawValue)"))
        }
    }

    /// Transitions, commands, annotations and source errors in time order.
    func timeline(notes: [TimelineNote]) -> [IncidentReport.Entry] {
        var entries = eventTransitions
        entries += sampledTransitions.filter {
            !instancesWithEvents.contains(($0.service ?? "") + "\u{0}" + ($0.instance ?? ""))
        }
        for note in notes {
            switch note.kind {
            case .command:
                entries.append(
                    IncidentReport.Entry(
                        atMilliseconds: note.atMilliseconds, kind: .command, instance: note.instance,
                        dependency: note.target, actor: note.actor, reason: note.reason, text: note.text))
            case .annotation:
                entries.append(
                    IncidentReport.Entry(
                        atMilliseconds: note.atMilliseconds, kind: .annotation, actor: note.actor, text: note.text))
            case .error, .recovery:
                entries.append(
                    IncidentReport.Entry(
                        atMilliseconds: note.atMilliseconds,
                        kind: note.kind == .error ? .sourceError : .sourceRecovered,
                        instance: nil, actor: note.actor, text: note.text))
            }
        }
        // Stable: what happened at the same millisecond keeps its order of arrival.
        return entries.enumerated().sorted {
            ($0.element.atMilliseconds, $0.offset) < ($1.element.atMilliseconds, $1.offset)
        }
        .map(\.element)
    }

    func summaries() -> [IncidentReport.DependencySummary] {
        // Trips by events where an instance has them, so both counts agree with the timeline.
        var eventTrips: [Key: Int] = [:]
        for entry in eventTransitions where Self.isTrip(entry.to) {
            eventTrips[Key(service: entry.service ?? "", dependency: entry.dependency ?? ""), default: 0] += 1
        }
        return tallies.keys.sorted().map { key in
            let tally = tallies[key]!
            let usesEvents = tally.instances.contains { instancesWithEvents.contains(key.service + "\u{0}" + $0) }
            return IncidentReport.DependencySummary(
                service: key.service, dependency: key.dependency, instances: tally.instances.count,
                trips: usesEvents ? eventTrips[key] ?? 0 : tally.trips, openMilliseconds: tally.openMilliseconds,
                degradedMilliseconds: tally.degradedMilliseconds, peakFailureRate: tally.peak?.rate,
                peakFailureRateAtMilliseconds: tally.peak?.at, fallbackActivations: tally.activations,
                unserved: tally.unserved)
        }
    }
}
