import FuseboxBackend
import FuseboxSimulator
import FuseboxSimulatorBackend

/// Every source this build reads: one entry per backend target. Adding a backend is one line here.
enum SourceCatalog {
    static func table(
        simulation: SimulationConfiguration, simulatorPacing: SimulatorBackend.Pacing = .realTime
    ) -> SourceTable {
        SourceTable([
            SimulatorBackend.scheme(configuration: simulation, pacing: simulatorPacing)
        ])
    }

    /// `sim[:SCENARIO], ...` for help texts.
    static var usage: String { table(simulation: SimulationConfiguration()).usage }
}
