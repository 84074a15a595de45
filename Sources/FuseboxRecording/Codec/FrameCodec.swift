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

    /// A counter's next expected increment: its recent increments smoothed (3/4 the old, 1/4 the
    /// new), which follows a steady rate more closely than the last increment alone.
    static func nextStep(_ step: Int64, increment: Int64, carried: Bool) -> Int64 {
        carried && step != 0 ? (step &* 3 &+ increment) / 4 : increment
    }

    static func writeInteger(_ value: UInt64, predicted: UInt64, to writer: inout ByteWriter) {
        writer.signed(Int64(bitPattern: value &- predicted))
    }

    static func readInteger(predicted: UInt64, from reader: inout ByteReader) throws(ByteReader.Truncated) -> UInt64 {
        predicted &+ UInt64(bitPattern: try reader.signed())
    }

    /// A measurement, as the first of these that gives it back exactly: the difference of two
    /// decimals (`4.191` is 4191 at e = 3); a ratio of an integer to one of the dependency's
    /// counts (`good / total`, `sum / count / 1000`: most of a snapshot's rates and means); else
    /// the bits that differ from the previous value's.
    ///
    /// The low 4 bits of the tag say which: 0-9 a decimal's exponent, 13 and 14 a ratio (by 1000,
    /// or not) with the count's slot in the next 6 bits, 15 raw bits.
    static func writeDouble(
        _ bits: UInt64, previous: UInt64, slots: ArraySlice<UInt64>, kinds: ArraySlice<SlotKind>,
        to writer: inout ByteWriter
    ) {
        let value = Double(bitPattern: bits)
        // -0.0 goes by its bits: as an integer it would come back +0.0.
        if value.isFinite, abs(value) < 1e15, bits != (-0.0).bitPattern {
            for exponent in powers.indices {
                let scaled = (value * powers[exponent]).rounded()
                guard abs(scaled) < 9e15, (scaled / powers[exponent]).bitPattern == bits else { continue }
                let zigzag = zigzag(Int64(scaled) &- scaledPrevious(previous, exponent))
                if zigzag < (1 << 59) {
                    writer.varint(zigzag << 4 | UInt64(exponent))
                    return
                }
            }
            for slot in slots.indices.reversed() where slot < 64 && (kinds[slot] == .counter || kinds[slot] == .gauge) {
                let denominator = slots[slot]
                guard denominator > 0, denominator < 1 << 40 else { continue }
                for form in [ratio, ratioByThousand] {
                    let numerator = (value * Double(denominator) * (form == ratio ? 1 : 1_000)).rounded()
                    guard abs(numerator) < 9e15, Self.ratio(numerator, denominator, form).bitPattern == bits else {
                        continue
                    }
                    let predicted = Self.numerator(previous, denominator, form)
                    let zigzag = zigzag(Int64(numerator) &- predicted)
                    guard zigzag < (1 << 53) else { continue }
                    writer.varint(zigzag << 10 | UInt64(slot) << 4 | form)
                    return
                }
            }
        }
        // Else the bits that differ from the previous value's (as Gorilla does): a slowly moving
        // measurement shares its sign, exponent and leading mantissa bits with the last one.
        let difference = bits ^ previous
        let leading = min(7, difference.leadingZeroBitCount / 8)
        let trailing = difference == 0 ? 0 : min(7 - leading, difference.trailingZeroBitCount / 8)
        writer.varint(rawDouble | UInt64(leading << 3 | trailing) << 4)
        for index in trailing..<(8 - leading) {
            writer.byte(UInt8(truncatingIfNeeded: difference >> UInt64(index * 8)))
        }
    }

    static func readDouble(
        previous: UInt64, slots: ArraySlice<UInt64>, from reader: inout ByteReader
    ) throws(ByteReader.Truncated) -> UInt64 {
        let tag = try reader.varint()
        let kind = tag & 15
        switch kind {
        case rawDouble:
            let leading = Int(tag >> 7 & 7)
            let trailing = Int(tag >> 4 & 7)
            guard leading + trailing <= 8, tag >> 10 == 0 else { throw ByteReader.Truncated() }
            var difference: UInt64 = 0
            for index in trailing..<(8 - leading) { difference |= UInt64(try reader.byte()) << UInt64(index * 8) }
            return previous ^ difference
        case ratio, ratioByThousand:
            let slot = Int(tag >> 4 & 63)
            guard slot < slots.count else { throw ByteReader.Truncated() }
            let denominator = slots[slots.startIndex + slot]
            guard denominator > 0, denominator < 1 << 40 else { throw ByteReader.Truncated() }
            let numerator = numerator(previous, denominator, kind) &+ unzigzag(tag >> 10)
            return Self.ratio(Double(numerator), denominator, kind).bitPattern
        default:
            guard kind < UInt64(powers.count) else { throw ByteReader.Truncated() }
            let exponent = Int(kind)
            let scaled = scaledPrevious(previous, exponent) &+ unzigzag(tag >> 4)
            return (Double(scaled) / powers[exponent]).bitPattern
        }
    }

    private static let ratio: UInt64 = 14
    private static let ratioByThousand: UInt64 = 13

    /// The runtime's own arithmetic: `n / d`, or `n / d / 1000` (a mean of microseconds in milliseconds).
    private static func ratio(_ numerator: Double, _ denominator: UInt64, _ form: UInt64) -> Double {
        form == ratio ? numerator / Double(denominator) : numerator / Double(denominator) / 1_000
    }

    private static func numerator(_ previous: UInt64, _ denominator: UInt64, _ form: UInt64) -> Int64 {
        let value = (Double(bitPattern: previous) * Double(denominator) * (form == ratio ? 1 : 1_000)).rounded()
        return value.isFinite && abs(value) < 9e15 ? Int64(value) : 0
    }

    private static func zigzag(_ value: Int64) -> UInt64 { UInt64(bitPattern: (value << 1) ^ (value >> 63)) }

    private static func unzigzag(_ value: UInt64) -> Int64 { Int64(bitPattern: (value >> 1) ^ (0 &- (value & 1))) }

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
        let (values, asDerived) = dependency.slotValuesAndDerivations
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
            if kind == .counter {
                steps[index] = SlotCoding.nextStep(
                    step, increment: Int64(bitPattern: values[index] &- before), carried: carried != nil)
            }
            // A derived slot is unchanged when its formula holds; a measurement when it stayed put.
            if kind == .derived ? asDerived[index] : values[index] == predicted { continue }
            changed[index / 8] |= 1 << UInt8(index % 8)
            if kind == .double || kind == .derived {
                SlotCoding.writeDouble(
                    values[index], previous: before, slots: values[..<index], kinds: kinds[..<index], to: &body)
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
        var asDerived = [Bool](repeating: false, count: kinds.count)
        var steps = [Int64](repeating: 0, count: kinds.count)
        for index in kinds.indices {
            let before = carried?.values[index] ?? 0
            let step = carried?.steps[index] ?? 0
            let kind = kinds[index]
            let predicted = SlotCoding.prediction(kind, previous: before, step: step)
            let isChanged = changed[changed.startIndex + index / 8] & (1 << UInt8(index % 8)) != 0
            if !isChanged {
                values[index] = predicted
                asDerived[index] = kind == .derived
            } else if kind == .double || kind == .derived {
                values[index] = try SlotCoding.readDouble(previous: before, slots: values[..<index], from: &reader)
            } else {
                values[index] = try SlotCoding.readInteger(predicted: predicted, from: &reader)
            }
            if kind == .counter {
                steps[index] = SlotCoding.nextStep(
                    step, increment: Int64(bitPattern: values[index] &- before), carried: carried != nil)
            }
        }
        let dependency = filled(shape, with: values, asDerived: asDerived)
        // A derived value is known only once filled in: the next sample compares with that.
        if asDerived.contains(true) { values = dependency.slotValues }
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
