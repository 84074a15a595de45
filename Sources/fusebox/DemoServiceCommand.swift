import ArgumentParser
import Foundation
import Fusebox
import FuseboxAgent
import FuseboxSimulator
import Logging
import Metrics
import NIOCore
import NIOSSL
import Prometheus
import ServiceLifecycle

/// `fusebox demo-service`: a simulated service in real time, with the HTTP agent in front of it.
struct DemoServiceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo-service",
        abstract: "Run a simulated service with the Fusebox agent, to watch and steer it over HTTP.",
        discussion: """
            Serves /fusebox/v1/snapshot, /fusebox/v1/commands, /fusebox/v1/events, /fusebox/v1/audit, \
            /metrics and /healthz. Commands need a token (--token-file or FUSEBOX_TOKEN); without one the \
            agent is read-only. Stops cleanly on SIGTERM or SIGINT.
            """
    )

    @Option(
        name: .long, parsing: .unconditional,
        help: ArgumentHelp("Port to listen on (0 picks a free one).", valueName: "port"),
        transform: OptionValue.integer(0...65535))
    var port: Int

    @Option(
        name: .long, help: ArgumentHelp("Address to bind (default: 127.0.0.1, this machine only).", valueName: "addr"))
    var host = "127.0.0.1"

    @Option(
        name: .long,
        help: ArgumentHelp(
            "File holding the token that authorises commands (else FUSEBOX_TOKEN; without either, read-only).",
            valueName: "file"))
    var tokenFile: String?

    @Option(name: .long, help: "The scenario (see 'fusebox scenarios').")
    var scenario = Scenario.defaultScenario.name

    @Option(
        name: .long, parsing: .unconditional,
        help: ArgumentHelp(
            "Numbers the instance, checkout-N (1...1000; default: 1): one number per demo service of a fleet.",
            valueName: "n"),
        transform: OptionValue.integer(1...1000, "instance number"))
    var instanceNumber = 1

    @Flag(name: .long, help: "Refuse every command with 403, even with a token.")
    var readOnly = false

    @Flag(name: .long, help: "Require the token for reads too (snapshot, events, audit, metrics).")
    var readsRequireToken = false

    @Option(name: .long, help: ArgumentHelp("Append every command attempt to this JSON-lines file.", valueName: "file"))
    var auditLog: String?

    @Flag(name: .long, help: "Refuse commands (503) that --audit-log cannot record first.")
    var auditRequired = false

    @Option(
        name: .long,
        help: ArgumentHelp("Serve HTTPS with this PEM certificate chain (needs --tls-key).", valueName: "file"))
    var tlsCertificate: String?

    @Option(name: .long, help: ArgumentHelp("The PEM private key for --tls-certificate.", valueName: "file"))
    var tlsKey: String?

    @OptionGroup var simulation: SimulationOptions

    func validate() throws {
        guard Scenario.named(scenario) != nil else {
            throw ValidationError(
                "unknown scenario '\(scenario)'; choose one of: \(Scenario.all.map(\.name).joined(separator: ", "))")
        }
        if simulation.instances != 1 {
            throw ValidationError(
                "demo-service serves one instance; for a fleet, run one demo-service per instance on its own --port")
        }
        if (tlsCertificate == nil) != (tlsKey == nil) {
            throw ValidationError("--tls-certificate and --tls-key go together; give both or neither")
        }
    }

    func run() async throws {
        let token: AgentToken?
        do {
            token = try AgentToken.resolve(file: tokenFile, environment: ProcessInfo.processInfo.environment)
        } catch {
            throw UsageError(error.description)
        }
        if auditRequired && auditLog == nil {
            throw UsageError("--audit-required needs --audit-log FILE")
        }
        if readsRequireToken && token == nil {
            throw UsageError("--reads-require-token needs a token: give --token-file or set FUSEBOX_TOKEN")
        }
        let tls: TLSConfiguration?
        do {
            tls = try tlsCertificate.map { certificate throws(AgentServerError) in
                try AgentServer.tlsConfiguration(certificatePath: certificate, keyPath: tlsKey ?? "")
            }
        } catch {
            throw UsageError(error.description)
        }

        if let tokenFile, AgentToken.isReadableByOthers(tokenFile) {
            FuseboxMain.printError("warning: every user on this machine can read \(tokenFile); chmod 600 \(tokenFile)")
        }
        OpenFileLimit.raiseToHard()

        // Only the executable chooses the metrics backend; the runtime and the agent just use it.
        let prometheus = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(FuseboxMetricsFactory(registry: prometheus))
        var logger = Logger(label: "fusebox.agent")
        logger.logLevel = .notice
        var serverLogger = Logger(label: "fusebox.agent.http")
        serverLogger.logLevel = .warning

        let quiet = Logger(label: "fusebox.simulator", factory: { _ in SwiftLogNoOpLogHandler() })
        let simulation: Simulation
        do {
            simulation = try Simulation(
                configuration: try {
                    var configuration = try self.simulation.configuration(scenario: scenario)
                    configuration.firstInstanceNumber = instanceNumber
                    return configuration
                }(), clock: SystemClock(),
                logger: quiet)
        } catch let error as ValidationError {
            throw error
        } catch {
            throw ValidationError("\(error)")
        }
        let registry = simulation.registries[0]
        let agent: FuseboxAgent
        do {
            agent = try FuseboxAgent(
                registry: registry,
                configuration: AgentConfiguration(
                    token: token, readsRequireToken: readsRequireToken, readOnly: readOnly, auditLogPath: auditLog,
                    auditRequired: auditRequired),
                metrics: prometheus, logger: logger)
        } catch {
            throw UsageError(error.description)
        }

        let commands: String
        if readOnly {
            commands = "commands refused (--read-only)"
        } else if token == nil {
            commands = "read-only: no token (give --token-file or FUSEBOX_TOKEN to enable commands)"
        } else {
            commands = "commands enabled with the token from \(tokenFile ?? "FUSEBOX_TOKEN")"
        }
        let scheme = tls == nil ? "http" : "https"
        let service = "\(registry.service)/\(registry.instance)"
        let scenarioName = scenario
        let server = AgentServer(
            agent: agent, host: host, port: port, tls: tls, logger: serverLogger,
            onListening: { address in
                let where_ = address.ipAddress.map { address.protocol == .inet6 ? "[\($0)]" : $0 } ?? host
                // Unbuffered: scripts wait for this line to know the port.
                let line =
                    "fusebox demo-service: \(service) (scenario \(scenarioName)) listening on "
                    + "\(scheme)://\(where_):\(address.port ?? 0); \(commands)\n"
                FileHandle.standardOutput.write(Data(line.utf8))
            })
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: [
                    .init(service: SimulationService(simulation: simulation)),
                    .init(service: server),
                ],
                gracefulShutdownSignals: [.sigterm, .sigint], logger: serverLogger))
        do {
            try await group.run()
        } catch {
            FuseboxMain.printError("demo-service stopped: \(Self.describe(error, host: host, port: port))")
            throw ExitCode(1)
        }
        FileHandle.standardOutput.write(Data("fusebox demo-service: stopped\n".utf8))
    }

    /// One line for a server failure; binding errors say which address.
    static func describe(_ error: any Error, host: String, port: Int) -> String {
        let text = String(describing: error)
        if text.contains("Address already in use") || text.contains("EADDRINUSE") {
            return "\(host):\(port) is already in use; pick another --port"
        }
        if text.contains("Cannot assign requested address") || text.contains("EADDRNOTAVAIL") {
            return "cannot bind \(host): this machine has no such address"
        }
        if text.contains("UnknownHost") {
            return "cannot resolve --host \(host); give an address such as 127.0.0.1 or 0.0.0.0"
        }
        return text
    }
}

/// Runs the simulation's traffic and scenario until the service group shuts down.
struct SimulationService: Service {
    let simulation: Simulation

    func run() async throws {
        await cancelWhenGracefulShutdown {
            await simulation.run(for: nil)
        }
    }
}
