import Foundation
import FuseboxProtocol
import Testing

@Suite struct WireFormatTests {
    func roundTrip<T: Codable & Equatable>(_ value: T) throws -> T {
        try JSONDecoder().decode(T.self, from: JSONEncoder().encode(value))
    }

    @Test func commandsRoundTrip() throws {
        let actions: [Command.Action] = [
            .forceOpen(dependency: "payments"), .close(dependency: "payments"), .disable(dependency: "search"),
            .startBackIn(dependency: "payments", schedule: .standard),
            .startBackIn(dependency: "payments", schedule: nil),
            .startBackIn(
                dependency: "payments",
                schedule: .smooth(windowMilliseconds: 60_000, aggression: 2, minimumShare: 0.1)),
            .setFlag(name: "recommendations.static-fallback", value: .boolean(true)),
            .setFlag(name: "search.canary", value: .percentage(12.5)),
            .setFlag(name: "service.degradation", value: .degradation(.readOnly)),
        ]
        for action in actions {
            let command = Command(id: "c-1", actor: "alice", reason: "incident 42", action: action)
            #expect(try roundTrip(command) == command)
        }
    }

    @Test func commandJSONIsReadable() throws {
        let json =
            #"{"id":"x1","actor":"alice","reason":"flapping","action":{"type":"force-open","dependency":"payments"}}"#
        let command = try JSONDecoder().decode(Command.self, from: Data(json.utf8))
        #expect(command.action == .forceOpen(dependency: "payments"))
    }

    @Test func unknownCommandTypeSaysWhatIsAllowed() {
        let json = #"{"id":"x1","actor":"a","reason":"","action":{"type":"explode","dependency":"p"}}"#
        #expect {
            try JSONDecoder().decode(Command.self, from: Data(json.utf8))
        } throws: { error in
            String(describing: error).contains("use force-open, close, disable, start-back-in or set-flag")
        }
    }

    @Test func backInScheduleValidation() {
        #expect(BackInSchedule.standard.validationProblem() == nil)
        #expect(BackInSchedule.standard.totalMilliseconds == 120_000)
        #expect(BackInSchedule.steps(shares: [], holdMilliseconds: 1).validationProblem() != nil)
        #expect(
            BackInSchedule.steps(shares: [0.5, 0.2], holdMilliseconds: 1).validationProblem()
                == "back-in shares must not decrease")
        #expect(BackInSchedule.steps(shares: [1.5], holdMilliseconds: 1).validationProblem() != nil)
        #expect(
            BackInSchedule.smooth(windowMilliseconds: 0, aggression: 1, minimumShare: 0.1).validationProblem() != nil)
    }

    @Test func breakerStateLabels() {
        #expect(BreakerState.halfOpen.label == "HALF-OPEN")
        #expect(BreakerState.forcedOpen.label == "FORCED-OPEN")
        #expect(!BreakerState.forcedOpen.admitsCalls && BreakerState.recovering.admitsCalls)
        #expect(BreakerState(rawValue: "forced-open") == .forcedOpen)
    }

    @Test func flagValuesEncodeTheirKind() throws {
        let data = try JSONEncoder().encode(FlagValue.percentage(25))
        let text = String(decoding: data, as: UTF8.self)
        #expect(text.contains(#""kind":"percentage""#))
        #expect(try roundTrip(FlagValue.degradation(.reduced)) == .degradation(.reduced))
        #expect(DegradationLevel.normal < DegradationLevel.readOnly)
    }
}
