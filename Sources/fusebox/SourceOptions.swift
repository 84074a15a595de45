import ArgumentParser
import FuseboxBackend

/// Options shared by the commands that read a source.
struct SourceOptions: ParsableArguments {
    @Option(
        name: .long,
        help: ArgumentHelp(
            "Where to read from (default: sim).", discussion: "This build reads: \(SourceCatalog.usage).",
            valueName: "spec"))
    var source: [String] = []

    @Option(
        name: .long,
        help: ArgumentHelp(
            "File holding the agent's token, for commands and guarded reads (else FUSEBOX_TOKEN).",
            valueName: "file"))
    var tokenFile: String?

    @Option(
        name: .long,
        help: ArgumentHelp("PEM certificates to trust for an https:// agent (a private CA).", valueName: "file"))
    var caFile: String?

    @OptionGroup var simulation: SimulationOptions

    func validate() throws {
        if source.count > 1 {
            throw ValidationError("this build reads one --source at a time")
        }
    }

    /// The source as given, or the default.
    var specification: String { source.first ?? "sim" }

    /// The backend for the source; starts no work.
    /// - Throws: ``UsageError`` (exit 2) for a source this build cannot read, with the sources it can.
    func makeBackend(for purpose: SourcePurpose = .watch) throws -> any ResilienceBackend {
        let table = try SourceCatalog.table(self, for: purpose)
        do {
            return try table.backend(for: specification)
        } catch {
            throw UsageError(error.message)
        }
    }
}
