import Foundation
import FuseboxProtocol
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The fleet view in a real terminal over three real agents: one row per dependency for the
/// fleet, expanded to its instances, a command fanned out to all three, then one agent killed
/// and the next command reporting exactly where it applied.
extension TerminalEndToEndTests {
    @Test func theConsoleShowsAFleetOfThreeAgentsAndFansCommandsOut() async throws {
        guard Self.tmuxInstalled else { return }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("fusebox-fleet-e2e-\(getpid())")
        try? FileManager.default.removeItem(at: directory)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let tokenFile = directory.appendingPathComponent("token").path
        try (Self.e2eToken + "\n").write(toFile: tokenFile, atomically: true, encoding: .utf8)

        var services: [(process: BackgroundProcess, port: Int)] = []
        defer { for service in services { kill(service.process.pid, SIGKILL) } }
        for number in 1...3 {
            let process = try BackgroundProcess([
                Self.binary, "demo-service", "--port", "0", "--token-file", tokenFile, "--instance-number", "\(number)",
                "--audit-log", directory.appendingPathComponent("audit-\(number).jsonl").path,
            ])
            services.append((process, 0))
            let line = try await process.waitForLine(containing: "listening on http://127.0.0.1:")
            let address = try #require(line.range(of: "http://127.0.0.1:"))
            services[number - 1].port = try #require(Int(line[address.upperBound...].prefix(while: \.isNumber)))
        }
        let sources = services.map { "--source http://127.0.0.1:\($0.port)" }.joined(separator: " ")
        try await Self.withSession(
            "fleet", arguments: "console \(sources) --token-file \(Self.shellQuoted(tokenFile))"
        ) { session in
            try await session.waitFor("3 sources")
            try await Self.filterToPayments(session)
            try await session.waitFor("one fleet row for payments") { screen in
                let rows = Self.tableRows(screen)
                return rows.first.map { $0.contains("▸ payments ") && $0.contains("3 inst") } == true
                    && !rows.contains { $0.contains("checkout-") }
            }
            try await session.keys("Right")
            try await session.waitFor("its three instances under it") { screen in
                let rows = Self.tableRows(screen)
                return rows.first?.contains("▾ payments ") == true
                    && (1...3).allSatisfy { n in rows.prefix(4).contains { $0.contains("checkout-\(n)") } }
            }
            try await session.keys("Left")
            try await session.waitFor("collapsed again") { !Self.tableRows($0).contains { $0.contains("checkout-") } }

            // A command on the fleet row: the count first, the service's name typed.
            try await Self.openDialog(session, key: "o", title: "3 instances of checkout: force open payments?")
            try await session.type("fleet drill")
            try await session.keys("Tab", "Tab")
            try await session.waitFor("Type 'checkout' to confirm")
            try await session.type("checkout")
            try await session.keys("Tab", "Tab")
            try await session.waitFor("[ Confirm ]")
            try await session.keys("Enter")
            try await session.waitFor("applied on all 3 instances", seconds: 15)
            for service in services {
                let snapshot = try await Self.run(
                    "curl", ["-s", "http://127.0.0.1:\(service.port)/fusebox/v1/snapshot"])
                let served = try JSONDecoder().decode(Snapshot.self, from: Data(snapshot.output.utf8))
                #expect(served.dependency(named: "payments")?.breaker.state == .forcedOpen)
            }

            // One agent dies: the header and status line say so, and a fan-out names it.
            await services[2].process.stop(SIGKILL)
            try await session.waitFor("2/3 sources live", seconds: 20)
            try await Self.openDialog(session, key: "c", title: "3 instances of checkout: close (reset) payments?")
            try await session.type("end of drill")
            try await session.keys("Tab", "Tab")
            try await session.type("checkout")
            try await session.keys("Tab", "Tab", "Enter")
            try await session.waitFor("applied on 2 of 3; checkout-3 failed", seconds: 20)
            let audit = try await Self.run("curl", ["-s", "http://127.0.0.1:\(services[0].port)/fusebox/v1/audit"])
            #expect(audit.output.contains("\"reason\":\"end of drill\""))

            // Restarted on its port, it is picked up again.
            let restarted = try BackgroundProcess([
                Self.binary, "demo-service", "--port", "\(services[2].port)", "--token-file", tokenFile,
                "--instance-number", "3",
            ])
            defer { kill(restarted.pid, SIGKILL) }
            _ = try await restarted.waitForLine(containing: "listening on http://127.0.0.1:")
            try await session.waitFor("all 3 sources live again", seconds: 45) { screen in
                screen.contains("3 sources") && !screen.contains("2/3 sources")
            }
            try await session.keys("q")
            let (status, restored) = try await session.ended()
            #expect(status == "0")
            #expect(restored)
        }
        for service in services.prefix(2) { #expect(await service.process.stop(SIGTERM) == 0) }
    }
}
