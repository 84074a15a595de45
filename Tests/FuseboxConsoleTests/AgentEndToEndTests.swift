import Foundation
import FuseboxProtocol
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The whole on-call loop over a real network path: `fusebox demo-service` as a real process, the
/// console on `http://...` in tmux, a breaker forced open through the dialog, the demo service's
/// own snapshot and audit trail showing it, and the service killed and restarted under the console.
extension TerminalEndToEndTests {
    static let e2eToken = "e2e-token-0123456789abcdef"

    /// Starts a demo service on a free port; returns it and its port.
    static func startDemoService(tokenFile: String, auditLog: String, port: Int = 0) async throws -> (
        BackgroundProcess, Int
    ) {
        let process = try BackgroundProcess([
            binary, "demo-service", "--port", "\(port)", "--token-file", tokenFile, "--audit-log", auditLog,
        ])
        let line: String
        do {
            line = try await process.waitForLine(containing: "listening on http://127.0.0.1:")
        } catch {
            await process.stop(SIGKILL)
            throw error
        }
        guard let address = line.range(of: "http://127.0.0.1:"),
            let port = Int(line[address.upperBound...].prefix(while: \.isNumber))
        else {
            await process.stop(SIGKILL)
            throw SessionError(description: "no port in '\(line)'")
        }
        return (process, port)
    }

    @Test func theConsoleForcesABreakerOpenOnARealAgentAndSeesItGoStaleAndComeBack() async throws {
        guard Self.tmuxInstalled else { return }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("fusebox-agent-e2e-\(getpid())")
        try? FileManager.default.removeItem(at: directory)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let tokenFile = directory.appendingPathComponent("token").path
        try (Self.e2eToken + "\n").write(toFile: tokenFile, atomically: true, encoding: .utf8)
        let auditLog = directory.appendingPathComponent("audit.jsonl").path

        var (service, port) = try await Self.startDemoService(tokenFile: tokenFile, auditLog: auditLog)
        do {
            try await Self.withSession(
                "agent",
                arguments: "console --source http://127.0.0.1:\(port) --token-file \(Self.shellQuoted(tokenFile))"
            ) { session in
                try await session.waitFor("http://127.0.0.1:\(port)")
                try await session.waitFor("LIVE [RW]")
                try await Self.filterToPayments(session)
                try await Self.forceOpenPayments(session, reason: "agent e2e drill")

                // The service itself says so: its snapshot, and the audit trail with the reason.
                let snapshot = try await Self.run("curl", ["-s", "http://127.0.0.1:\(port)/fusebox/v1/snapshot"])
                let served = try JSONDecoder().decode(Snapshot.self, from: Data(snapshot.output.utf8))
                #expect(served.dependency(named: "payments")?.breaker.state == .forcedOpen)
                let audit = try await Self.run("curl", ["-s", "http://127.0.0.1:\(port)/fusebox/v1/audit"])
                #expect(audit.output.contains("\"reason\":\"agent e2e drill\""))
                #expect(audit.output.contains("\"outcome\":\"applied\""))
                let file = (try? String(contentsOfFile: auditLog, encoding: .utf8)) ?? ""
                #expect(file.contains("agent e2e drill") && !file.contains(Self.e2eToken))

                // Killed: the console keeps the last data and says it is stale.
                await service.stop(SIGKILL)
                try await session.waitFor("STALE with a source error", seconds: 20) { screen in
                    screen.contains("STALE") && screen.contains("source error") && screen.contains("FORCED-OPEN")
                }
                // Restarted on the same port: picked up unaided (a new process, so payments starts closed).
                (service, port) = try await Self.startDemoService(tokenFile: tokenFile, auditLog: auditLog, port: port)
                try await session.waitFor("LIVE again", seconds: 45) { screen in
                    screen.contains("LIVE [RW]") && !screen.contains("STALE")
                }
                try await session.keys("q")
                let (status, restored) = try await session.ended()
                #expect(status == "0")
                #expect(restored)
            }
        } catch {
            await service.stop(SIGKILL)
            throw error
        }
        #expect(await service.stop(SIGTERM) == 0, "the demo service stops cleanly on SIGTERM")
        #expect(service.output.contains("fusebox demo-service: stopped"))
    }
}
