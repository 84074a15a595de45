import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// `fusebox demo-service` and `fusebox status --source http://...` as a user runs them.
extension CommandLineTests {
    /// A demo service on a free port for the duration of `body`; stopped with SIGTERM after.
    func withDemoService(
        _ arguments: [String] = [], _ body: (_ port: Int, _ service: BackgroundProcess) async throws -> Void
    ) async throws {
        let service = try BackgroundProcess([Self.binary.path, "demo-service", "--port", "0"] + arguments)
        do {
            let line = try await service.waitForLine(containing: "listening on http://127.0.0.1:")
            let start = try #require(line.range(of: "http://127.0.0.1:"))
            let port = try #require(Int(line[start.upperBound...].prefix(while: \.isNumber)))
            try await body(port, service)
        } catch {
            await service.stop(SIGKILL)
            throw error
        }
        #expect(await service.stop(SIGINT) == 0, "SIGINT stops the demo service cleanly: \(service.output)")
    }

    @Test func statusReadsAnAgentAndSaysInOneLineWhenItCannot() async throws {
        try await withDemoService { port, service in
            #expect(service.output.contains("read-only: no token"), "the banner says commands are off")
            let text = try await fusebox("status", "--source", "http://127.0.0.1:\(port)", "--interval", "0.2")
            #expect(text.status == 0, "\(text.errors)")
            let lines = text.output.split(separator: "\n")
            #expect(lines.first?.hasPrefix("Fusebox | http://127.0.0.1:\(port) |") == true, "\(lines.first ?? "")")
            #expect(lines.contains { $0.contains("payments") })
            let json = try await fusebox(
                "status", "--source", "http://127.0.0.1:\(port)", "--json", "--interval", "0.2")
            let snapshots = try JSONSerialization.jsonObject(with: Data(json.output.utf8)) as? [[String: Any]]
            #expect(snapshots?.first?["instance"] as? String == "checkout-1")
        }
        // Nothing listens any more on a port of ours that just closed... use one that never listened.
        let dead = try await fusebox("status", "--source", "http://127.0.0.1:1", "--interval", "0.1")
        expectOneLine(dead, status: 1, containing: "cannot reach 127.0.0.1:1")
        let missingToken = try await fusebox(
            "status", "--source", "http://127.0.0.1:1", "--token-file", "/nonexistent/token")
        expectOneLine(missingToken, status: 2, containing: "/nonexistent/token")
        // A token is read only for an agent: a bad FUSEBOX_TOKEN does not stop the simulator.
        let sim = try await fusebox(["status", "--at", "2"], environment: ["FUSEBOX_TOKEN": "short"])
        #expect(sim.status == 0, "\(sim.errors)")
        let agent = try await fusebox(
            ["status", "--source", "http://127.0.0.1:1"], environment: ["FUSEBOX_TOKEN": "short"])
        expectOneLine(agent, status: 2, containing: "FUSEBOX_TOKEN")
    }

    @Test func statusShowsAFleetAndNamesTheSourcesItCouldNotRead() async throws {
        try await withDemoService(["--instance-number", "1"]) { first, _ in
            try await withDemoService(["--instance-number", "2"]) { second, _ in
                let sources = [first, second, 1].flatMap { ["--source", "http://127.0.0.1:\($0)"] }
                let text = try await fusebox(["status", "--interval", "0.2"] + sources)
                #expect(text.status == 0, "some sources could be read: \(text.errors)")
                let lines = text.output.split(separator: "\n").map(String.init)
                #expect(lines.first?.hasPrefix("Fusebox | 2/3 sources live |") == true, "\(lines.first ?? "")")
                let payments = lines.filter { $0.contains("payments ") }
                #expect(payments.count == 3, "the fleet row, then each instance:\n\(text.output)")
                #expect(payments.first?.contains("2 inst") == true)
                #expect(payments.dropFirst().contains { $0.contains("checkout-1") })
                #expect(payments.dropFirst().contains { $0.contains("checkout-2") })
                expectOneLine(
                    text, status: 0, containing: "could not read http://127.0.0.1:1: cannot reach 127.0.0.1:1")

                let json = try await fusebox(["status", "--json", "--interval", "0.2"] + sources)
                let snapshots = try JSONSerialization.jsonObject(with: Data(json.output.utf8)) as? [[String: Any]]
                #expect(Set(snapshots?.compactMap { $0["instance"] as? String } ?? []) == ["checkout-1", "checkout-2"])
            }
        }
        let none = try await fusebox(
            ["status", "--source", "http://127.0.0.1:1", "--source", "http://127.0.0.1:2", "--interval", "0.1"])
        expectOneLine(none, status: 1, containing: "no source could be read (2 of 2): http://127.0.0.1:1: cannot reach")
    }

    @Test func demoServiceRefusesBadSetupsInOneLine() async throws {
        let short = FileManager.default.temporaryDirectory.appendingPathComponent("short-token-\(getpid())").path
        try "abc\n".write(toFile: short, atomically: true, encoding: .utf8)
        defer { unlink(short) }
        let tooShort = try await fusebox(["demo-service", "--port", "0", "--token-file", short], timeLimit: 20)
        expectOneLine(tooShort, status: 2, containing: "at least 16")
        #expect(!tooShort.errors.contains("abc"), "the token itself is never printed")
        let halfTLS = try await fusebox(["demo-service", "--port", "0", "--tls-certificate", "/x.pem"], timeLimit: 20)
        expectOneLine(halfTLS, status: 2, containing: "--tls-key")
        let readsWithoutToken = try await fusebox(
            ["demo-service", "--port", "0", "--reads-require-token"], environment: ["FUSEBOX_TOKEN": ""],
            timeLimit: 20)
        expectOneLine(readsWithoutToken, status: 2, containing: "needs a token")
        let badPort = try await fusebox(["demo-service", "--port", "70000"], timeLimit: 20)
        #expect(badPort.status == 2)

        try await withDemoService { port, _ in
            let taken = try await fusebox(["demo-service", "--port", "\(port)"], timeLimit: 20)
            expectOneLine(taken, status: 1, containing: "already in use")
        }
    }

    @Test func demoServiceWithATokenSaysCommandsAreEnabledWithoutShowingIt() async throws {
        let token = FileManager.default.temporaryDirectory.appendingPathComponent("token-\(getpid())").path
        try "demo-token-0123456789abcdef\n".write(toFile: token, atomically: true, encoding: .utf8)
        defer { unlink(token) }
        try await withDemoService(["--token-file", token]) { _, service in
            #expect(service.output.contains("commands enabled with the token from \(token)"))
            #expect(!service.output.contains("demo-token-0123456789abcdef"))
        }
    }
}
