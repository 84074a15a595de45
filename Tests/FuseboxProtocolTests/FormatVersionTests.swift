import Foundation
import FuseboxProtocol
import Testing

/// The snapshot format is a contract with agents, recordings and other readers: a frozen v1.0
/// snapshot must keep decoding, newer minors must be read, newer majors refused with a clear error.
@Suite struct FormatVersionTests {
    static let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures/snapshot-v1.0.json")

    func fixtureObject() throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(contentsOf: Self.fixture)) as! [String: Any]
    }

    func decode(_ object: [String: Any]) throws -> Snapshot {
        try JSONDecoder().decode(Snapshot.self, from: JSONSerialization.data(withJSONObject: object))
    }

    @Test func theFrozenV1SnapshotKeepsDecoding() throws {
        let snapshot = try JSONDecoder().decode(Snapshot.self, from: Data(contentsOf: Self.fixture))
        #expect(snapshot.formatVersion == FormatVersion(major: 1, minor: 0))
        #expect(snapshot.service == "checkout" && snapshot.instance == "checkout-1")
        #expect(snapshot.dependencies.map(\.name) == ["payments", "search", "auth"])
        let payments = try #require(snapshot.dependency(named: "payments"))
        #expect(payments.breaker.state == .open && payments.breaker.windowKind == .count)
        #expect(payments.calls.rejectedByReason?[.breakerOpen] == 745)
        #expect(payments.latency.buckets?.isEmpty == false)
        #expect(snapshot.dependency(named: "search")?.bulkhead != nil)
        let kinds = snapshot.events.map(\.kind)
        #expect(kinds.contains(.transition) && kinds.contains(.flag) && kinds.contains(.command))
        #expect(snapshot.events.first { $0.kind == .transition }?.from == .breaker(.closed))
        #expect(snapshot.events.first { $0.kind == .flag }?.to == .flag(.boolean(true)))
        #expect(snapshot.events.first { $0.kind == .command }?.to == .breaker(.forcedOpen))
        // And what this build writes reads back the same.
        let again = try JSONDecoder().decode(Snapshot.self, from: JSONEncoder().encode(snapshot))
        #expect(again == snapshot)
    }

    @Test func aNewerMinorIsReadAndItsNewFieldsIgnored() throws {
        var object = try fixtureObject()
        object["formatVersion"] = "1.7"
        object["regions"] = ["eu-west-1"]
        var dependencies = object["dependencies"] as! [[String: Any]]
        dependencies[0]["adaptiveConcurrency"] = ["limit": 40]
        object["dependencies"] = dependencies
        let snapshot = try decode(object)
        #expect(snapshot.formatVersion == FormatVersion(major: 1, minor: 7))
        #expect(snapshot.dependencies.count == 3)
    }

    @Test func aNewerMajorIsRefusedWithWhatToDo() throws {
        var object = try fixtureObject()
        object["formatVersion"] = "2.0"
        #expect {
            try decode(object)
        } throws: { error in
            (error as? FormatVersionError)?.description
                == "format 2.0 is newer than this fusebox reads (1.x); upgrade fusebox"
        }
    }

    @Test func versionsParseCompareAndAcceptTheEarlyInteger() throws {
        #expect(FormatVersion(parsing: "1.12") == FormatVersion(major: 1, minor: 12))
        #expect(FormatVersion(parsing: "3") == FormatVersion(major: 3, minor: 0))
        for bad in ["", "x", "1.x", "-1.0", "1.2.3", "1."] { #expect(FormatVersion(parsing: bad) == nil, "\(bad)") }
        #expect(FormatVersion(major: 1, minor: 9) < FormatVersion(major: 2, minor: 0))
        var object = try fixtureObject()
        object["formatVersion"] = 1
        #expect(try decode(object).formatVersion == FormatVersion(major: 1, minor: 0))
        let encoded = String(decoding: try JSONEncoder().encode(FormatVersion.current), as: UTF8.self)
        #expect(encoded == "\"1.2\"")
    }

    @Test func snapshotsFromEarlyBuildsStillRead() throws {
        // Before 1.0: an integer version and events whose states were bare strings.
        var object = try fixtureObject()
        object["formatVersion"] = 1
        var events = object["events"] as! [[String: Any]]
        for index in events.indices {
            if let from = events[index]["from"] as? [String: Any] {
                events[index]["from"] = (from["breaker"] as? String) ?? "off"
            }
            if let to = events[index]["to"] as? [String: Any] {
                events[index]["to"] = (to["breaker"] as? String) ?? "on"
            }
        }
        object["events"] = events
        let snapshot = try decode(object)
        #expect(snapshot.events.first { $0.kind == .transition }?.from == .breaker(.closed))
        #expect(snapshot.events.first { $0.kind == .flag }?.to == .flag(.boolean(true)))
        let legacy = [
            ("\"half-open\"", TargetState.breaker(.halfOpen)), ("\"25.0%\"", .flag(.percentage(25))),
            ("\"read-only\"", .flag(.degradation(.readOnly))),
        ]
        for (json, expected) in legacy {
            #expect(try JSONDecoder().decode(TargetState.self, from: Data(json.utf8)) == expected)
        }
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(TargetState.self, from: Data("\"ajar\"".utf8)) }
    }

    @Test func unknownRejectionReasonsFromANewerMinorAreLeftOut() throws {
        let json =
            #"{"calls":5,"successes":2,"failures":1,"rejected":2,"rejectedByReason":{"back-in":1,"load-shed":1}}"#
        let counts = try JSONDecoder().decode(CallCounts.self, from: Data(json.utf8))
        #expect(counts.rejectedByReason == [.backIn: 1])
        #expect(counts.bypassed == nil && counts.cacheHits == nil, "absent means unknown, not zero")
    }

    @Test func targetStatesEncodeWhatTheyAreAbout() throws {
        let breaker = String(decoding: try JSONEncoder().encode(TargetState.breaker(.halfOpen)), as: UTF8.self)
        #expect(breaker == #"{"breaker":"half-open"}"#)
        #expect(TargetState.flag(.percentage(10)).description == "10.0%")
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(TargetState.self, from: Data("{}".utf8)) }
    }
}
