import FuseboxBackend
import FuseboxProtocol
import FuseboxResilience4jBackend
import FuseboxTestSupport
import Hummingbird
import Testing

@Suite struct Resilience4jCommandTests {
    func command(_ action: Command.Action, id: String = "c1") -> Command {
        Command(id: id, actor: "alice", reason: "drill", action: action)
    }

    @Test func forceOpenCloseAndDisableRoundTripThroughTheActuator() async throws {
        let actuator = incidentActuator()
        try await withStandIn(actuator) { spec in
            let backend = try Resilience4jBackend(specification: spec, authorization: { "Bearer secret-token" })
            let instance = try #require(try await backend.poll().first?.instance)

            let forced = try #require(
                try await backend.send(command(.forceOpen(dependency: "search")), to: [instance]).first)
            #expect(forced.status == .applied)
            #expect(forced.commandId == "c1" && forced.instance == instance && forced.target == "search")
            #expect(forced.before == .breaker(.closed) && forced.after == .breaker(.forcedOpen))
            #expect(forced.message == "search state has been changed successfully")
            #expect(actuator.state.withLock { $0.breakers["search"]?.state } == "FORCED_OPEN")
            let seen = try #require(try await backend.poll().first)
            #expect(seen.dependency(named: "search")?.breaker.state == .forcedOpen)
            #expect(seen.dependency(named: "search")?.breaker.failureRate == nil, "FORCED_OPEN resets the metrics")
            #expect(seen.events.last?.message == "search: CLOSED -> FORCED-OPEN")

            let closed = try #require(
                try await backend.send(command(.close(dependency: "search")), to: [instance]).first)
            #expect(closed.before == .breaker(.forcedOpen) && closed.after == .breaker(.closed))
            let disabled = try #require(
                try await backend.send(command(.disable(dependency: "payments")), to: [instance]).first)
            #expect(disabled.before == .breaker(.open) && disabled.after == .breaker(.disabled))
            #expect(actuator.state.withLock { $0.breakers["payments"]?.state } == "DISABLED")

            let posts = actuator.state.withLock { $0.posts }
            #expect(
                posts.map(\.body) == [
                    "{\"updateState\":\"FORCE_OPEN\"}", "{\"updateState\":\"CLOSE\"}", "{\"updateState\":\"DISABLE\"}",
                ])
            #expect(posts.allSatisfy { $0.authorization == "Bearer secret-token" })
            #expect(actuator.state.withLock { $0.readsWithAuthorization } == 0)
        }
    }

    @Test func anUnknownBreakerIsRefusedWithoutAPost() async throws {
        let actuator = incidentActuator()
        try await withStandIn(actuator) { spec in
            let backend = try Resilience4jBackend(specification: spec)
            let instance = try #require(try await backend.poll().first?.instance)
            let result = try #require(
                try await backend.send(command(.forceOpen(dependency: "paymentz")), to: [instance]).first)
            #expect(result.status == .refused)
            #expect(result.refusal == .unknownTarget)
            #expect(result.message.contains("nothing was sent"))
            #expect(actuator.state.withLock { $0.posts.isEmpty && $0.breakers["paymentz"] == nil })
        }
    }

    @Test func flagsAndBackInAreRefusedAsUnsupported() async throws {
        let actuator = incidentActuator()
        try await withStandIn(actuator) { spec in
            let backend = try Resilience4jBackend(specification: spec)
            let instance = try #require(try await backend.poll().first?.instance)
            #expect(backend.capabilities.commands == [.forceOpen, .close, .disable])
            let reason = try #require(backend.capabilities.commandsUnavailableReason)
            #expect(reason.contains("no flags") && reason.contains("no controlled back-in"))
            for action in [
                Command.Action.setFlag(name: "x", value: .boolean(true)),
                .startBackIn(dependency: "payments", schedule: nil),
            ] {
                let error = try #require(
                    await backendFailure("\(action.verb) must be refused") { () throws(BackendError) in
                        _ = try await backend.send(command(action), to: [instance])
                    })
                #expect(error.code == .unsupportedCommand)
                #expect(!error.message.contains("\n"))
            }
            let stranger = try #require(
                await backendFailure("another instance must be refused") { () throws(BackendError) in
                    _ = try await backend.send(command(.close(dependency: "payments")), to: ["elsewhere:1"])
                })
            #expect(stranger.code == .unsupportedCommand)
            #expect(actuator.state.withLock { $0.posts.isEmpty })
        }
    }

    @Test func aWriteProtectedActuatorSaysHowToAllowWrites() async throws {
        let actuator = incidentActuator()
        try await withRouter({ router in
            actuator.addRoutes(to: router)
            router.post("/ro/circuitbreakers/:name") { _, _ -> Response in Response(status: .methodNotAllowed) }
            router.get("/ro/circuitbreakers") { _, _ in
                "{\"circuitBreakers\":{\"payments\":{\"state\":\"CLOSED\",\"failureRate\":\"-1.0%\"}}}"
            }
        }) { authority in
            let backend = try Resilience4jBackend(specification: "resilience4j+http://\(authority)/ro")
            let error = try #require(
                await backendFailure("a 405 must fail") { () throws(BackendError) in
                    _ = try await backend.send(command(.forceOpen(dependency: "payments")), to: [authority])
                })
            #expect(error.code == .unsupportedCommand)
            #expect(error.message.contains("access=unrestricted"))
        }
    }

    @Test func aCommandThatTimesOutMayStillHaveBeenApplied() async throws {
        try await withRouter({ router in
            router.get("/a/circuitbreakers") { _, _ in "{\"circuitBreakers\":{\"p\":{\"state\":\"CLOSED\"}}}" }
            router.post("/a/circuitbreakers/:name") { _, _ -> String in
                try await Task.sleep(for: .seconds(10))
                return "{}"
            }
        }) { authority in
            // Long enough for the read before the POST on a machine loaded by the whole suite, far
            // short of the POST's sleep.
            let backend = try Resilience4jBackend(
                specification: "resilience4j+http://\(authority)/a", requestTimeout: .seconds(6))
            let error = try #require(
                await backendFailure("the POST never answers") { () throws(BackendError) in
                    _ = try await backend.send(command(.forceOpen(dependency: "p")), to: [authority])
                })
            #expect(error.code == .timedOut)
            #expect(error.message.contains("may still have been applied"))
        }
    }
}
