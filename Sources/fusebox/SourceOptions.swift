import ArgumentParser
import FuseboxBackend

/// Options shared by the commands that read a source.
struct SourceOptions: ParsableArguments {
    @Option(
        name: .long,
        help: ArgumentHelp(
            "Where to read from (default: sim); repeat it to watch several sources as one fleet.",
            discussion: "This build reads: \(SourceCatalog.usage).",
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
        if let repeated = Dictionary(grouping: source, by: { $0 }).first(where: { $0.value.count > 1 })?.key {
            throw ValidationError("--source '\(SourceAddress.redacted(repeated))' is given twice")
        }
    }

    /// The sources as given, or the default.
    var specifications: [String] { source.isEmpty ? ["sim"] : source }

    /// The backend for the sources: the one source's own, or one that reads several at once.
    /// Starts no work.
    /// - Throws: ``UsageError`` (exit 2) for a source this build cannot read, with the sources it can.
    func makeBackend(for purpose: SourcePurpose = .watch) throws -> any ResilienceBackend {
        let table = try SourceCatalog.table(self, for: purpose)
        var backends: [any ResilienceBackend] = []
        for specification in specifications {
            do {
                backends.append(try table.backend(for: specification))
            } catch {
                throw UsageError(error.message)
            }
        }
        return backends.count == 1 ? backends[0] : MultiSourceBackend(backends)
    }
}
