import FuseboxProtocol
import Testing

@testable import FuseboxConsole

/// The BULK column never cuts the limit: a fleet's limits add up across instances (issue 12 trial:
/// `117/199…` for a limit of 1,990 read as 199, and lost the adaptive `~`).
@Suite struct BulkColumnTests {
    func bulkhead(_ inFlight: Int, _ limit: Int, adaptive: Bool) -> BulkheadSnapshot {
        BulkheadSnapshot(
            maxConcurrent: limit, inFlight: inFlight, waiting: 0, maxWaiting: 0, rejected: 0,
            adaptiveMinLimit: adaptive ? 1 : nil, adaptiveMaxLimit: adaptive ? limit * 2 : nil)
    }

    @Test func largeLimitsAreShortenedAndNeverCut() {
        #expect(bulkCell(bulkhead(0, 2, adaptive: true)) == "0/2~")
        #expect(bulkCell(bulkhead(24, 4_000, adaptive: false)) == "24/4.0k")
        #expect(bulkCell(bulkhead(117, 1_990, adaptive: true)) == "117/2.0k~")
        #expect(bulkCell(bulkhead(1_234, 19_900, adaptive: true)) == "1.2k/20k~")
        #expect(bulkCell(bulkhead(123_456, 1_234_567, adaptive: true)) == "/1.2M~", "in flight gives way")
    }

    @Test func aFleetRowShowsTheWholeLimitOnScreen() {
        var dependency = SnapshotBuilder.dependency("recommendations")
        dependency.bulkhead = bulkhead(117, 1_990, adaptive: true)
        var builder = SnapshotBuilder(at: ConsoleFixtures.origin)
        builder.dependencies = [dependency]
        var state = ConsoleState(source: "test", readOnly: false, intervalSeconds: 1, width: 130, height: 20)
        _ = update(&state, .data([builder.build()], atMilliseconds: ConsoleFixtures.origin))
        let row = render(state).text.split(separator: "\n").first { $0.contains("recommendations") } ?? ""
        #expect(row.contains(" 117/2.0k~"), "\(row)")
    }
}

/// `status --source FILE.fuserec` printed "1-11 of 12": the replay's timeline bar took a row.
@Suite struct PlainOverviewTests {
    @Test func aRecordingsLastMomentListsEveryDependency() {
        var builder = SnapshotBuilder(at: ConsoleFixtures.origin)
        builder.dependencies = (0..<12).map { SnapshotBuilder.dependency("dependency-\($0)") }
        var state = ConsoleState(source: "test", readOnly: true, intervalSeconds: 1, width: 120, height: 40)
        _ = update(&state, .data([builder.build()], atMilliseconds: ConsoleFixtures.origin))
        state.replay = ReplayState(
            origin: .recording("incident.fuserec"), frameTimes: [ConsoleFixtures.origin], markers: [], damage: nil)
        state.paused = true
        let printed = plainOverview(state)
        for index in 0..<12 { #expect(printed.contains("dependency-\(index) "), "dependency-\(index) missing") }
        #expect(!printed.contains("of 12"), "no row range: every row is printed")
    }
}
