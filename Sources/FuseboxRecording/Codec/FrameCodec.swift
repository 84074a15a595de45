import FuseboxProtocol

/// What the codec remembers of one dependency between samples.
struct DependencyTrack {
    var shapeID: Int64
    /// The shape itself (the encoder compares the next sample's with it).
    var shape: DependencySnapshot?
    var kinds: [SlotKind]
    var values: [UInt64]
    /// The last increment of each counter slot, for the next prediction.
    var steps: [Int64]
}

/// What the codec remembers of one instance between samples.
struct InstanceTrack {
    var shapeID: Int64
    var takenAtMilliseconds: Int64
    var lastEventSequence: UInt64
    var eventIDs: [Int64]
    var dependencies: [String: DependencyTrack]
}

/// The prediction and residual coding both directions share, so encoder and decoder cannot drift.
enum SlotCoding {
    static let keyframe: UInt8 = 0
    static let delta: UInt8 = 1

    /// `10^e` for the decimal forms a measurement may take (`4.191` is 4191 at e = 3).
    private static let powers: [Double] = (0...9).map { exponent in
        var value = 1.0
        for _ in 0..<exponent { value *= 10 }
        return value
    }
    private static let rawDouble: UInt64 = 15

    static func prediction(_ kind: SlotKind, previous: UInt64, step: Int64) -> UInt64 {
        kind == .counter ? previous &+ UInt64(bitPattern: step) : previous
    }

    static func writeInteger(_ value: UInt64, predicted: UInt64, to writer: inout ByteWriter) {
        writer.signed(Int64(bitPattern: value &- predicted))
    }

    static func readInteger(predicted: UInt64, from reader: inout ByteReader) throws(ByteReader.Truncated) -> UInt64 {
        predicted &+ UInt64(bitPattern: try reader.signed())
    }

    /// A measurement as the difference of two decimals when it is one exactly, else its raw bits.
    static func writeDouble(_ bits: UInt64, previous: UInt64, to writer: inout ByteWriter) {
        let value = Double(bitPattern: bits)
        if value.isFinite, abs(value) < 1e15 {
            for exponent in powers.indices {
                let scaled = (value * powers[exponent]).rounded()
                guard abs(scaled) < 9e15, (scaled / powers[exponent]).bitPattern == bits else { continue }
                let base = scaledPrevious(previous, exponent)
                let difference = Int64(scaled) &- base
                let zigzag = UInt64(bitPattern: (difference << 1) ^ (difference >> 63))
                if zigzag < (1 << 59) {
                    writer.varint(zigzag << 4 | UInt64(exponent))
                    return
                }
            }
        }
        writer.varint(rawDouble)
        writer.fixed64(bits)
    }

    static func readDouble(previous: UInt64, from reader: inout ByteReader) throws(ByteReader.Truncated) -> UInt64 {
        let tag = try reader.varint()
        let exponent = Int(tag & 15)
        if tag & 15 == rawDouble { return try reader.fixed64() }
        guard exponent < powers.count else { throw ByteReader.Truncated() }
        let zigzag = tag >> 4
        let difference = Int64(bitPattern: (zigzag >> 1) ^ (0 &- (zigzag & 1)))
        let scaled = scaledPrevious(previous, exponent) &+ difference
        return (Double(scaled) / powers[exponent]).bitPattern
    }

    private static func scaledPrevious(_ bits: UInt64, _ exponent: Int) -> Int64 {
        let scaled = (Double(bitPattern: bits) * powers[exponent]).rounded()
        return scaled.isFinite && abs(scaled) < 9e15 ? Int64(scaled) : 0
    }
}

/// Encodes a poll's snapshots as one sample: a keyframe (every value whole) or a delta against
/// the previous sample (only what differs from the prediction). Shapes and events are written
/// once, elsewhere, and referred to by id.
struct FrameEncoder {
    /// Where shapes and events get their ids (the writer inserts new ones).
    struct Registry {
        var dependencyShape: (DependencySnapshot) throws -> Int64
        var instanceShape: (Snapshot) throws -> Int64
        var eventIDs: (Snapshot) throws -> [Int64]
    }

    private(set) var tracks: [String: InstanceTrack] = [:]

    mutating func encode(
        _ snapshots: [Snapshot], atMilliseconds: Int64, keyframe: Bool, registry: Registry
    ) throws -> [UInt8] {
        if keyframe { tracks = [:] }
        var writer = ByteWriter(capacity: 64 + snapshots.count * 64)
        writer.byte(keyframe ? SlotCoding.keyframe : SlotCoding.delta)
        writer.varint(snapshots.count)
        var next: [String: InstanceTrack] = [:]
        for snapshot in snapshots {
            let key = instanceKey(service: snapshot.service, instance: snapshot.instance)
            let previous = tracks[key]
            let shapeID = try registry.instanceShape(snapshot)
            writer.varint(UInt64(shapeID))
            writer.signed(snapshot.takenAtMilliseconds &- atMilliseconds)
            writer.signed(Int64(bitPattern: snapshot.lastEventSequence &- (previous?.lastEventSequence ?? 0)))
            let eventIDs = try registry.eventIDs(snapshot)
            writeEvents(eventIDs, previous: previous?.eventIDs, to: &writer)
            writer.varint(snapshot.dependencies.count)
            var dependencies: [String: DependencyTrack] = [:]
            dependencies.reserveCapacity(snapshot.dependencies.count)
            for dependency in snapshot.dependencies {
                let track = try encode(
                    dependency, previous: previous?.dependencies[dependency.name], registry: registry, to: &writer)
                dependencies[dependency.name] = track
            }
            next[key] = InstanceTrack(
                shapeID: shapeID, takenAtMilliseconds: snapshot.takenAtMilliseconds,
                lastEventSequence: snapshot.lastEventSequence, eventIDs: eventIDs, dependencies: dependencies)
        }
        tracks = next
        return writer.bytes
    }

    private func encode(
        _ dependency: DependencySnapshot, previous: DependencyTrack?, registry: Registry, to writer: inout ByteWriter
    ) throws -> DependencyTrack {
        let shape = dependency.shape
        let shapeID: Int64
        let kinds: [SlotKind]
        if let previous, previous.shape == shape {
            shapeID = previous.shapeID
            kinds = previous.kinds
        } else {
            shapeID = try registry.dependencyShape(shape)
            kinds = slotKinds(of: shape)
        }
        writer.varint(UInt64(shapeID))
        let values = dependency.slotValues
        // Slots only carry over from a dependency of the same layout.
        let carried = previous.flatMap { $0.kinds == kinds ? $0 : nil }
        var steps = [Int64](repeating: 0, count: values.count)
        var changed = [UInt8](repeating: 0, count: (values.count + 7) / 8)
        var body = ByteWriter(capacity: values.count * 2)
        for index in values.indices {
            let before = carried?.values[index] ?? 0
            let step = carried?.steps[index] ?? 0
            let kind = kinds[index]
            let predicted = SlotCoding.prediction(kind, previous: before, step: step)
            if kind == .counter { steps[index] = Int64(bitPattern: values[index] &- before) }
            guard values[index] != predicted else { continue }
            changed[index / 8] |= 1 << UInt8(index % 8)
            if kind == .double {
                SlotCoding.writeDouble(values[index], previous: before, to: &body)
            } else {
                SlotCoding.writeInteger(values[index], predicted: predicted, to: &body)
            }
        }
        writer.append(changed)
        writer.append(body.bytes)
        return DependencyTrack(shapeID: shapeID, shape: shape, kinds: kinds, values: values, steps: steps)
    }
}

/// Rebuilds snapshots from samples, in order from a keyframe.
struct FrameDecoder {
    /// Where shapes and events are looked up by id.
    struct Lookup {
        var dependencyShape: (Int64) throws -> (shape: DependencySnapshot, kinds: [SlotKind])
        var instanceShape: (Int64) throws -> Snapshot
        var events: ([Int64]) throws -> [Event]
    }

    /// A sample that cannot be read.
    struct Damaged: Error, CustomStringConvertible {
        let description: String
    }

    private(set) var tracks: [String: InstanceTrack] = [:]
    /// Whether the decoder holds a keyframe's state (a delta needs one).
    private(set) var isPrimed = false

    mutating func reset() {
        tracks = [:]
        isPrimed = false
    }

    mutating func decode(_ bytes: [UInt8], atMilliseconds: Int64, lookup: Lookup) throws -> [Snapshot] {
        var reader = ByteReader(bytes)
        do {
            let kind = try reader.byte()
            if kind == SlotCoding.keyframe {
                tracks = [:]
            } else if kind != SlotCoding.delta {
                throw Damaged(description: "unknown sample kind \(kind)")
            } else if !isPrimed {
                throw Damaged(description: "a delta without its keyframe")
            }
            let count = try reader.count(atMost: 1 << 20)
            var snapshots: [Snapshot] = []
            snapshots.reserveCapacity(count)
            var next: [String: InstanceTrack] = [:]
            for _ in 0..<count {
                let shapeID = Int64(try reader.varint())
                var snapshot = try lookup.instanceShape(shapeID)
                let key = instanceKey(service: snapshot.service, instance: snapshot.instance)
                let previous = tracks[key]
                snapshot.takenAtMilliseconds = atMilliseconds &+ (try reader.signed())
                snapshot.lastEventSequence =
                    (previous?.lastEventSequence ?? 0) &+ UInt64(bitPattern: try reader.signed())
                let eventIDs = try readEvents(previous: previous?.eventIDs, from: &reader)
                snapshot.events = try lookup.events(eventIDs)
                let dependencyCount = try reader.count(atMost: 1 << 20)
                var dependencies: [DependencySnapshot] = []
                dependencies.reserveCapacity(dependencyCount)
                var dependencyTracks: [String: DependencyTrack] = [:]
                dependencyTracks.reserveCapacity(dependencyCount)
                for _ in 0..<dependencyCount {
                    let (dependency, track) = try decodeDependency(previous: previous, lookup: lookup, from: &reader)
                    dependencies.append(dependency)
                    dependencyTracks[dependency.name] = track
                }
                snapshot.dependencies = dependencies
                snapshots.append(snapshot)
                next[key] = InstanceTrack(
                    shapeID: shapeID, takenAtMilliseconds: snapshot.takenAtMilliseconds,
                    lastEventSequence: snapshot.lastEventSequence, eventIDs: eventIDs, dependencies: dependencyTracks)
            }
            guard reader.isAtEnd else { throw Damaged(description: "unexpected bytes after the last instance") }
            tracks = next
            isPrimed = true
            return snapshots
        } catch is ByteReader.Truncated {
            isPrimed = false
            throw Damaged(description: "the sample ends early")
        } catch {
            isPrimed = false
            throw error
        }
    }

    private func decodeDependency(
        previous: InstanceTrack?, lookup: Lookup, from reader: inout ByteReader
    ) throws -> (DependencySnapshot, DependencyTrack) {
        let shapeID = Int64(try reader.varint())
        let (shape, kinds) = try lookup.dependencyShape(shapeID)
        let carried = previous?.dependencies[shape.name].flatMap { $0.kinds == kinds ? $0 : nil }
        let changed = try reader.bytes((kinds.count + 7) / 8)
        var values = [UInt64](repeating: 0, count: kinds.count)
        var steps = [Int64](repeating: 0, count: kinds.count)
        for index in kinds.indices {
            let before = carried?.values[index] ?? 0
            let step = carried?.steps[index] ?? 0
            let kind = kinds[index]
            let predicted = SlotCoding.prediction(kind, previous: before, step: step)
            let isChanged = changed[changed.startIndex + index / 8] & (1 << UInt8(index % 8)) != 0
            if !isChanged {
                values[index] = predicted
            } else if kind == .double {
                values[index] = try SlotCoding.readDouble(previous: before, from: &reader)
            } else {
                values[index] = try SlotCoding.readInteger(predicted: predicted, from: &reader)
            }
            if kind == .counter { steps[index] = Int64(bitPattern: values[index] &- before) }
        }
        let dependency = filled(shape, with: values)
        return (dependency, DependencyTrack(shapeID: shapeID, shape: nil, kinds: kinds, values: values, steps: steps))
    }
}

/// An instance's identity across samples.
func instanceKey(service: String, instance: String) -> String { service + "\u{0}" + instance }

private func writeEvents(_ ids: [Int64], previous: [Int64]?, to writer: inout ByteWriter) {
    if let previous, previous == ids {
        writer.byte(0)
        return
    }
    writer.byte(1)
    writer.varint(ids.count)
    var last: Int64 = previous?.first ?? 0
    for id in ids {
        writer.signed(id &- last)
        last = id
    }
}

private func readEvents(previous: [Int64]?, from reader: inout ByteReader) throws -> [Int64] {
    let flag = try reader.byte()
    if flag == 0 {
        guard let previous else { throw FrameDecoder.Damaged(description: "events refer to a missing sample") }
        return previous
    }
    guard flag == 1 else { throw FrameDecoder.Damaged(description: "unknown events marker \(flag)") }
    let count = try reader.count(atMost: 1 << 20)
    var ids: [Int64] = []
    ids.reserveCapacity(count)
    var last: Int64 = previous?.first ?? 0
    for _ in 0..<count {
        last = last &+ (try reader.signed())
        ids.append(last)
    }
    return ids
}
