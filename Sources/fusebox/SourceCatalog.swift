import Foundation
import FuseboxAgent
import FuseboxAgentBackend
import FuseboxBackend
import FuseboxPrometheusBackend
import FuseboxRecording
import FuseboxResilience4jBackend
import FuseboxSimulator
import FuseboxSimulatorBackend

/// What a command wants from its source.
enum SourcePurpose {
    /// Watch it live (the console).
    case watch
    /// Read it once (`fusebox status`); a simulated source first plays this many seconds.
    case snapshot(atSeconds: Int)
}

/// Every source this build reads: one entry per backend target, each reading the options it needs.
/// Adding a backend is its target, one entry here and, if it has settings, their options in
/// `SourceOptions`.
enum SourceCatalog {
    /// - Throws: `ValidationError` (exit 2) when an entry's options are out of range.
    static func table(_ options: SourceOptions, for purpose: SourcePurpose) throws -> SourceTable {
        let tokenFile = options.tokenFile
        return table(
            simulation: try options.simulation.configuration(),
            authorization: { () throws(BackendError) -> String? in
                do throws(AgentTokenError) {
                    return try AgentToken.resolve(file: tokenFile, environment: ProcessInfo.processInfo.environment)?
                        .authorizationHeader
                } catch {
                    throw BackendError(.invalidSource, error.description)
                }
            },
            trustRootsFile: options.caFile, for: purpose)
    }

    /// The table itself, from each entry's settings.
    private static func table(
        simulation: SimulationConfiguration,
        authorization: @escaping @Sendable () throws(BackendError) -> String? = { nil }, trustRootsFile: String? = nil,
        for purpose: SourcePurpose
    ) -> SourceTable {
        let pacing: SimulatorBackend.Pacing
        switch purpose {
        case .watch: pacing = .realTime
        case .snapshot(let seconds): pacing = .virtualTime(seconds: seconds)
        }
        return SourceTable([
            SimulatorBackend.scheme(configuration: simulation, pacing: pacing),
            AgentBackend.scheme(authorization: authorization, trustRootsFile: trustRootsFile),
            Resilience4jBackend.scheme(authorization: authorization),
            PrometheusBackend.scheme(),
            RecordingBackend.scheme(),
        ])
    }

    /// `sim[:SCENARIO] (the built-in outage simulator), ...` for help texts.
    static var usage: String {
        table(simulation: SimulationConfiguration(), for: .watch).schemes.map { "\($0.usage) (\($0.summary))" }
            .joined(separator: ", ")
    }
}
