import Fusebox
import FuseboxProtocol
import Testing

@Suite struct FlagTests {
    @Test func percentageFlagsAreStickyAndGrowMonotonically() throws {
        let registry = makeRegistry()
        let flag = try registry.defineFlag("search.new-ranker", initial: .percentage(10), description: "canary")
        let keys = (0..<10_000).map { "user-\($0)" }
        let on10 = Set(keys.filter { flag.isOn(for: $0) })
        #expect(abs(on10.count - 1000) < 150, "about 10%: \(on10.count)")
        #expect(Set(keys.filter { flag.isOn(for: $0) }) == on10, "sticky")
        _ = registry.apply(
            Command(
                id: "p", actor: "a", reason: "", action: .setFlag(name: "search.new-ranker", value: .percentage(30))))
        let on30 = Set(keys.filter { flag.isOn(for: $0) })
        #expect(on10.isSubset(of: on30))
        #expect(abs(on30.count - 3000) < 250)
    }

    @Test func degradationLevelIsAFlag() {
        let registry = makeRegistry()
        #expect(registry.degradationLevel == .normal)
        let result = registry.apply(
            Command(
                id: "d", actor: "sre", reason: "db failover",
                action: .setFlag(name: FuseboxRegistry.degradationFlagName, value: .degradation(.readOnly))))
        #expect(
            result.status == .applied && result.before == .flag(.degradation(.normal))
                && result.after == .flag(.degradation(.readOnly)))
        #expect(registry.degradationLevel == .readOnly)
        #expect(registry.degradation.isOn)
    }

    @Test func flagChangesAreEventsWithActorAndReason() throws {
        let registry = makeRegistry()
        try registry.defineFlag("recs.static", initial: .boolean(false), description: "d", owner: "recs-team")
        _ = registry.apply(
            Command(
                id: "1", actor: "alice", reason: "recs p99 5s",
                action: .setFlag(name: "recs.static", value: .boolean(true))))
        let snapshot = registry.snapshot()
        let flag = snapshot.flag(named: "recs.static")!
        #expect(flag.value == .boolean(true) && flag.owner == "recs-team")
        #expect(flag.lastChange?.actor == "alice" && flag.lastChange?.reason == "recs p99 5s")
        #expect(flag.lastChange?.previous == .boolean(false))
        let event = snapshot.events.first { $0.kind == .flag }!
        #expect(
            event.flag == "recs.static" && event.from == .flag(.boolean(false)) && event.to == .flag(.boolean(true))
                && event.actor == "alice")
    }

    @Test func invalidFlagDefinitionsAreRejected() throws {
        let registry = makeRegistry()
        #expect(throws: FuseboxConfigurationError.self) {
            try registry.defineFlag("x", initial: .percentage(140), description: "")
        }
        try registry.defineFlag("y", initial: .boolean(true), description: "")
        #expect(throws: FuseboxConfigurationError.duplicate("y")) {
            try registry.defineFlag("y", initial: .boolean(true), description: "")
        }
    }
}

@Suite struct CommandTests {
    func registry() throws -> FuseboxRegistry {
        let registry = makeRegistry()
        var payments = DependencyConfiguration(name: "payments", criticality: .critical)
        payments.allowedActions = [.forceOpen, .close, .startBackIn]
        try registry.register(payments)
        try registry.register(DependencyConfiguration(name: "search"))
        try registry.defineFlag("recs.static", initial: .boolean(false), description: "")
        try registry.defineFlag("locked", initial: .boolean(false), description: "", operatorControllable: false)
        return registry
    }

    @Test func commandsReportBeforeAndAfter() throws {
        let r = try registry()
        let open = r.apply(
            Command(id: "1", actor: "alice", reason: "flapping", action: .forceOpen(dependency: "payments")))
        #expect(open.status == .applied && open.before == .breaker(.closed) && open.after == .breaker(.forcedOpen))
        let backIn = r.apply(
            Command(
                id: "2", actor: "alice", reason: "fixed", action: .startBackIn(dependency: "payments", schedule: nil)))
        #expect(backIn.before == .breaker(.forcedOpen) && backIn.after == .breaker(.recovering))
        #expect(r.snapshot().dependency(named: "payments")!.breaker.backIn?.schedule == .standard)
        let disable = r.apply(Command(id: "3", actor: "bob", reason: "", action: .disable(dependency: "search")))
        #expect(disable.after == .breaker(.disabled))
        let close = r.apply(Command(id: "4", actor: "bob", reason: "", action: .close(dependency: "search")))
        #expect(close.before == .breaker(.disabled) && close.after == .breaker(.closed))
    }

    @Test func sameIdTwiceIsANoOpReturningTheFirstResult() throws {
        let r = try registry()
        let first = r.apply(
            Command(id: "same", actor: "alice", reason: "r", action: .forceOpen(dependency: "payments")))
        _ = r.apply(Command(id: "other", actor: "alice", reason: "r", action: .close(dependency: "payments")))
        let again = r.apply(
            Command(id: "same", actor: "alice", reason: "r", action: .forceOpen(dependency: "payments")))
        #expect(again == first)
        #expect(r.dependency(named: "payments")!.breaker.state == .closed, "the repeat changed nothing")
        #expect(r.events.recent().filter { $0.kind == .command }.count == 2)
    }

    /// Issue 12 (read-only finding): a reused id with another action is refused, not answered with
    /// the first command's result as if the new one had run.
    @Test func aReusedIdWithAnotherActionIsRefused() throws {
        let r = try registry()
        _ = r.apply(Command(id: "x", actor: "alice", reason: "r", action: .forceOpen(dependency: "payments")))
        let reused = r.apply(Command(id: "x", actor: "bob", reason: "r", action: .close(dependency: "payments")))
        #expect(reused.status == .refused && reused.refusal == .invalidArgument)
        #expect(r.dependency(named: "payments")!.breaker.state == .forcedOpen, "the close did not run")
    }

    @Test func refusalsSayWhy() throws {
        let r = try registry()
        let unknown = r.apply(Command(id: "1", actor: "a", reason: "", action: .forceOpen(dependency: "paymnets")))
        #expect(unknown.status == .refused && unknown.refusal == .unknownTarget)
        #expect(unknown.message.contains("no dependency named 'paymnets'"))
        let notAllowed = r.apply(Command(id: "2", actor: "a", reason: "", action: .disable(dependency: "payments")))
        #expect(
            notAllowed.refusal == .notAllowed && notAllowed.before == .breaker(.closed)
                && notAllowed.after == .breaker(.closed))
        let locked = r.apply(
            Command(id: "3", actor: "a", reason: "", action: .setFlag(name: "locked", value: .boolean(true))))
        #expect(locked.refusal == .notAllowed)
        let wrongKind = r.apply(
            Command(id: "4", actor: "a", reason: "", action: .setFlag(name: "recs.static", value: .percentage(5))))
        #expect(wrongKind.refusal == .invalidArgument && wrongKind.message.contains("boolean flag"))
        let badSchedule = r.apply(
            Command(
                id: "5", actor: "a", reason: "",
                action: .startBackIn(dependency: "payments", schedule: .steps(shares: [], holdMilliseconds: 1))))
        #expect(badSchedule.refusal == .invalidArgument)
        #expect(r.dependency(named: "payments")!.breaker.state == .closed)
        let events = r.events.recent().filter { $0.kind == .command }
        #expect(events.count == 5 && events.allSatisfy { $0.message.contains("refused") })
    }

    @Test func operatorTransitionsAreEventsWithActor() throws {
        let r = try registry()
        _ = r.apply(
            Command(id: "1", actor: "alice", reason: "gateway flapping", action: .forceOpen(dependency: "payments")))
        let transition = r.events.recent().first { $0.kind == .transition }!
        #expect(transition.dependency == "payments" && transition.actor == "alice")
        #expect(transition.from == .breaker(.closed) && transition.to == .breaker(.forcedOpen))
        #expect(transition.reason!.contains("gateway flapping"))
    }
}
