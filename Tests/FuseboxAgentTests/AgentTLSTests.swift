import AsyncHTTPClient
import Foundation
import FuseboxAgent
import FuseboxAgentBackend
import FuseboxBackend
import FuseboxTestSupport
import Logging
import NIOCore
import NIOSSL
import Testing

@Suite struct AgentTLSTests {
    let quiet = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })

    /// A self-signed certificate for 127.0.0.1 made by the real openssl, in a fresh directory.
    func withCertificate(_ body: (_ certificate: String, _ key: String) async throws -> Void) async throws {
        guard let openssl = which("openssl") else {
            Issue.record("openssl is not installed (apt-get install openssl); .ci/run installs it")
            return
        }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("fusebox-tls-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let certificate = directory.appendingPathComponent("cert.pem").path
        let key = directory.appendingPathComponent("key.pem").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: openssl)
        process.arguments = [
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", certificate, "-days", "1",
            "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
        ]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try await offThePool {
            try process.run()
            process.waitUntilExit()
        }
        try #require(process.terminationStatus == 0, "openssl could not make a certificate")
        try await body(certificate, key)
    }

    @Test func standaloneServerServesHTTPSWithTheGivenCertificate() async throws {
        try await withCertificate { certificate, key in
            let tls = try AgentServer.tlsConfiguration(certificatePath: certificate, keyPath: key)
            let agent = try FuseboxAgent(registry: try makeTestRegistry(), logger: quiet)
            let (ports, continuation) = AsyncStream<Int>.makeStream()
            let server = AgentServer(
                agent: agent, port: 0, tls: tls, logger: quiet, onListening: { continuation.yield($0.port ?? 0) })
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await server.run() }
                var iterator = ports.makeAsyncIterator()
                let port = try #require(await iterator.next())
                var configuration = HTTPClient.Configuration()
                var clientTLS = TLSConfiguration.makeClientConfiguration()
                clientTLS.trustRoots = .file(certificate)
                configuration.tlsConfiguration = clientTLS
                let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
                do {
                    let response = try await client.execute(
                        HTTPClientRequest(url: "https://127.0.0.1:\(port)/healthz"), timeout: .seconds(10))
                    #expect(response.status.code == 200)
                    // A client that does not trust the certificate is turned away by TLS, with a line that says so.
                    let backend = try AgentBackend(specification: "https://127.0.0.1:\(port)", authorization: nil)
                    let error = try #require(
                        await backendFailure("an untrusted certificate must fail") { () throws(BackendError) in
                            _ = try await backend.poll()
                        })
                    #expect(error.code == .unreachable)
                    #expect(error.message.contains("TLS"), "\(error.message)")
                    #expect(error.message.contains("--ca-file"))
                    // Trusting the certificate with --ca-file, the console reads the agent over https.
                    let trusting = try AgentBackend(
                        specification: "https://127.0.0.1:\(port)", authorization: nil, trustRootsFile: certificate)
                    let snapshots = try await trusting.poll()
                    #expect(snapshots.first?.instance == "checkout-1")
                } catch {
                    Issue.record("HTTPS request failed: \(error)")
                }
                try await client.shutdown()
                group.cancelAll()
            }
        }
    }

    @Test func unreadableCertificateOrKeyIsNamed() throws {
        do {
            _ = try AgentServer.tlsConfiguration(
                certificatePath: "/nonexistent/cert.pem", keyPath: "/nonexistent/key.pem")
            Issue.record("missing files must throw")
        } catch {
            #expect(error.description.contains("/nonexistent/cert.pem"))
        }
    }
}
