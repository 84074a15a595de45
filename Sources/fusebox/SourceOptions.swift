import ArgumentParser
import FuseboxBackend
import FuseboxConsole

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

    @Option(
        name: .long,
        help: ArgumentHelp(
            "A named environment from the config file: its sources, token file and settings.",
            discussion: "The file is $XDG_CONFIG_HOME/fusebox/config.yaml (see docs/backends.md).",
            valueName: "name"))
    var env: String?

    @OptionGroup var simulation: SimulationOptions

    func validate() throws {
        if env != nil && !source.isEmpty {
            throw ValidationError("give --env or --source, not both")
        }
        if let repeated = Dictionary(grouping: source, by: { $0 }).first(where: { $0.value.count > 1 })?.key {
            throw ValidationError("--source '\(SourceAddress.redacted(repeated))' is given twice")
        }
    }

    /// The environment named by `--env`, or the config file's default when no `--source` is given.
    /// - Throws: ``UsageError`` (exit 2) for a bad config file or an unknown name.
    func environment() throws -> NamedEnvironment? {
        try EnvironmentConfiguration.environment(named: env, sourcesGiven: !source.isEmpty)
    }

    /// The backend for the sources (`--source`, else the environment's, else the simulator): the
    /// one source's own, or one that reads several at once. Starts no work.
    /// - Throws: ``UsageError`` (exit 2) for a source this build cannot read, with the sources it can.
    func makeBackend(for purpose: SourcePurpose = .watch, environment: NamedEnvironment? = nil) throws
        -> any ResilienceBackend
    {
        var options = self
        options.tokenFile = tokenFile ?? environment?.tokenFile
        options.caFile = caFile ?? environment?.caFile
        let table = try SourceCatalog.table(options, for: purpose)
        let specifications = environment?.sources ?? (source.isEmpty ? ["sim"] : source)
        var backends: [any ResilienceBackend] = []
        for specification in specifications {
            do {
                backends.append(try table.backend(for: specification))
            } catch {
                // From the config file: say where, so the fix is made there.
                let place = environment.map {
                    "config \(EnvironmentConfiguration.path), environment '\($0.name)', sources: "
                }
                guard error.code == .invalidSource else {
                    // A source that is named right but cannot be read (a damaged recording): exit 1.
                    FuseboxMain.printError((place ?? "") + error.message)
                    throw ExitCode(1)
                }
                throw UsageError((place ?? "") + error.message)
            }
        }
        guard backends.count > 1 else { return backends[0] }
        switch purpose {
        // Read once: every source gets its whole time limit.
        case .snapshot: return MultiSourceBackend(backends, waitMilliseconds: 7_000)
        case .watch: return MultiSourceBackend(backends)
        }
    }
}
