public import Hummingbird
import HummingbirdCore
import HummingbirdTLS
public import Logging
public import NIOCore
public import NIOSSL
public import ServiceLifecycle

/// The request context of the standalone server: it knows each client's address, so the audit
/// trail and the per-client rate limit can use it.
public struct AgentRequestContext: RequestContext, RemoteAddressRequestContext {
    /// Hummingbird's own per-request state.
    public var coreContext: CoreRequestContextStorage
    /// The client's address, from the connection.
    public let remoteAddress: SocketAddress?

    /// The context of one request on `source`'s connection.
    public init(source: ApplicationRequestContextSource) {
        coreContext = CoreRequestContextStorage(source: source)
        remoteAddress = source.channel.remoteAddress
    }
}

/// A standalone admin server for an agent, for services that do not use Hummingbird themselves.
/// Binds loopback unless given another host. Run it in the service's `ServiceGroup`, or call ``run()``.
public struct AgentServer: Service {
    /// The agent served.
    public let agent: FuseboxAgent
    /// The address bound.
    public let host: String
    /// The port bound (0: a free one, see `onListening`).
    public let port: Int
    let tls: TLSConfiguration?
    /// Connections served at once; beyond it, new ones wait in the listen backlog.
    public let maxConnections: Int
    /// How long a connection may sit without sending a request (or mid-way through its headers).
    public let idleTimeout: Duration
    let logger: Logger
    let onListening: @Sendable (SocketAddress) async -> Void

    /// - Parameters:
    ///   - agent: the agent to serve.
    ///   - host: the address to bind; loopback by default, so only this machine can reach it.
    ///   - port: the port; 0 picks a free one (``onListening`` says which).
    ///   - tls: serve HTTPS with this configuration (see ``AgentServer/tlsConfiguration(certificatePath:keyPath:)``).
    ///   - maxConnections: connections served at once, so idle clients cannot use up the process's
    ///     file descriptors; keep it well below `ulimit -n`.
    ///   - idleTimeout: how long a connection may stay silent outside a request (a stream that is
    ///     being answered is never cut).
    ///   - onListening: called once the socket is bound, with its address.
    public init(
        agent: FuseboxAgent, host: String = "127.0.0.1", port: Int, tls: TLSConfiguration? = nil,
        maxConnections: Int = 256, idleTimeout: Duration = .seconds(30), logger: Logger,
        onListening: @escaping @Sendable (SocketAddress) async -> Void = { _ in }
    ) {
        self.agent = agent
        self.host = host
        self.port = port
        self.tls = tls
        self.maxConnections = max(1, maxConnections)
        self.idleTimeout = idleTimeout
        self.logger = logger
        self.onListening = onListening
    }

    /// Serves until the task is cancelled or the service group shuts down gracefully.
    public func run() async throws {
        let router = Router(context: AgentRequestContext.self)
        agent.addRoutes(to: router)
        let http1 = HTTPServerBuilder.http1(
            configuration: HTTP1Channel.Configuration(idleTimeout: TimeAmount(idleTimeout)))
        let server: HTTPServerBuilder = try tls.map { try .tls(http1, tlsConfiguration: $0) } ?? http1
        let onListening = self.onListening
        let application = Application(
            router: router, server: server,
            configuration: ApplicationConfiguration(
                address: .hostname(host, port: port), serverName: "fusebox-agent",
                availableConnectionsDelegate: .maximum(Self.connectionCap(maxConnections), logger: logger)),
            onServerRunning: { channel in
                if let address = channel.localAddress { await onListening(address) }
            },
            logger: logger)
        try await application.run()
    }

    /// `requested`, or half the process's open-file limit if that is lower: a server that runs out
    /// of descriptors spins on failing `accept` calls, and the service needs descriptors of its own.
    static func connectionCap(_ requested: Int) -> Int {
        guard let soft = OpenFileLimit.soft else { return requested }
        return max(1, min(requested, soft / 2))
    }

    /// A TLS server configuration from PEM files: the certificate chain and its private key.
    /// - Throws: ``AgentServerError`` naming the file that could not be read.
    public static func tlsConfiguration(certificatePath: String, keyPath: String) throws(AgentServerError)
        -> TLSConfiguration
    {
        let chain: [NIOSSLCertificate]
        do {
            chain = try NIOSSLCertificate.fromPEMFile(certificatePath)
        } catch {
            throw AgentServerError("cannot read the TLS certificate \(certificatePath): \(error)")
        }
        guard !chain.isEmpty else { throw AgentServerError("no PEM certificate in \(certificatePath)") }
        let key: NIOSSLPrivateKey
        do {
            key = try NIOSSLPrivateKey(file: keyPath, format: .pem)
        } catch {
            throw AgentServerError("cannot read the TLS private key \(keyPath): \(error)")
        }
        let configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key))
        do {
            // Fails now, in one line, for a key that does not belong to the certificate.
            _ = try NIOSSLContext(configuration: configuration)
        } catch {
            throw AgentServerError(
                "the TLS key \(keyPath) does not go with the certificate \(certificatePath): \(error)")
        }
        return configuration
    }
}

/// The standalone server could not be configured; says which file or setting and why.
public struct AgentServerError: Error, CustomStringConvertible, Sendable {
    public let description: String
    init(_ description: String) { self.description = description }
}
