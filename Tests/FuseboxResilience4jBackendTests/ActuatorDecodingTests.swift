import Foundation
import FuseboxProtocol
import Testing

@testable import FuseboxResilience4jBackend

@Suite struct ActuatorDecodingTests {
    @Test(arguments: [
        ("53.84%", 53.84), ("60.0%", 60.0), ("66.666664%", 66.666664), ("50.0%", 50.0), ("0.0%", 0.0),
        ("100.0%", 100.0),
    ])
    func ratesAreReadAsPercentages(_ text: String, _ value: Double) {
        #expect(ActuatorValues.percentage(text) == value)
    }

    @Test(arguments: ["-1.0%", "-1%", "NaN%", "Infinity%", "abc", "", "%", "101.0%", "1e999%"])
    func belowTheMinimumAndNonsenseAreUnknown(_ text: String) {
        #expect(ActuatorValues.percentage(text) == nil)
    }

    @Test(arguments: [
        ("2026-11-29T08:30:22.536921906Z[Etc/UTC]", 22_536),
        ("2026-11-29T08:30:22.536921Z[Etc/UTC]", 22_536),
        ("2026-11-29T08:30:22.536Z[Etc/UTC]", 22_536),
        ("2026-11-29T08:30:22Z[UTC]", 22_000),
        ("2026-11-29T08:30Z[Etc/UTC]", 0),
        ("2026-11-29T08:30Z", 0),
        ("2026-11-29T09:30:22.536+01:00[Europe/Paris]", 22_536),
        ("2026-11-29T03:30:22.5-05:00[America/New_York]", 22_500),
        ("2026-11-29T08:30:22.5+00:00:00", 22_500),
    ])
    func javaZonedDateTimesAreRead(_ text: String, _ offset: Int64) {
        #expect(JavaDateTime.milliseconds(text) == halfPastEight + offset)
    }

    @Test func datesMatchTheCalendar() {
        #expect(JavaDateTime.milliseconds("1970-01-01T00:00Z") == 0)
        #expect(JavaDateTime.milliseconds("2000-02-29T00:00Z") == 951_782_400_000)
        #expect(JavaDateTime.milliseconds("1969-12-31T23:59:59.999Z") == -1)
    }

    @Test(arguments: [
        "", "2026-11-29", "2026-11-29T08:30", "2026-11-29T08:30:22.Z", "2026-13-01T00:00Z", "2026-02-30T00:00Z",
        "2026-11-29T24:00Z", "2026-11-29T08:30:22.1234567890Z", "+10000-01-01T00:00Z", "2026-11-29T08:30Z[Etc/UTC",
        "2026-11-29T08:30+25:00", "2026-11-29T08:30:22.536Z[Etc/UTC]x", "２０２６-11-29T08:30Z",
    ])
    func otherTextIsNoDate(_ text: String) {
        #expect(JavaDateTime.milliseconds(text) == nil)
    }

    @Test func statesAndTransitionsMap() {
        #expect(ActuatorValues.state("METRICS_ONLY") == .disabled)
        #expect(ActuatorValues.state("FORCED_OPEN") == .forcedOpen)
        #expect(ActuatorValues.state("closed") == nil)
        #expect(
            ActuatorValues.transition("HALF_OPEN_TO_METRICS_ONLY").map { [$0.from, $0.to] } == [
                "HALF_OPEN", "METRICS_ONLY",
            ])
        #expect(
            ActuatorValues.transition("FORCED_OPEN_TO_CLOSED").map { [$0.from, $0.to] } == ["FORCED_OPEN", "CLOSED"])
        #expect(ActuatorValues.transition("CLOSED_TO_NOWHERE").map { [$0.from, $0.to] } == nil)
        #expect(ActuatorValues.transition(nil).map { [$0.from, $0.to] } == nil)
    }

    @Test func eventsKeepTheirNulls() throws {
        let body = """
            {"circuitBreakerEvents":[{"circuitBreakerName":"a","type":"SUCCESS",\
            "creationTime":"2026-11-29T08:30Z[Etc/UTC]","errorMessage":null,"durationInMs":3,"stateTransition":null}]}
            """
        let events = try ActuatorDecoding.decode(CircuitBreakerEventsResponse.self, from: Data(body.utf8)).get()
        #expect(events.circuitBreakerEvents?.first?.stateTransition == nil)
        #expect(events.circuitBreakerEvents?.first?.durationInMs == 3)
    }

    @Test func newEntriesAreThoseAfterTheOverlap() {
        #expect(Array(NewEntries.after([], in: [1, 2])) == [1, 2])
        #expect(Array(NewEntries.after([1, 2, 3], in: [1, 2, 3])) == [])
        #expect(Array(NewEntries.after([1, 2, 3], in: [2, 3, 4, 5])) == [4, 5], "the ring dropped 1")
        #expect(Array(NewEntries.after([1, 2, 3], in: [7, 8])) == [7, 8], "the ring turned over")
        #expect(Array(NewEntries.after([5, 5, 5], in: [5, 5, 5, 5])) == [5], "identical entries counted once each")
        #expect(Array(NewEntries.after([1, 2], in: [])) == [])
    }

    @Test func printableTextIsOneShortLine() {
        #expect(Printable.clipped("a\nb\u{1B}[2Jc") == "a?b?[2Jc")
        #expect(Printable.clipped(String(repeating: "x", count: 100), to: 10) == "xxxxxxxxxx…")
    }
}
