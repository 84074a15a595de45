public import FuseboxBackend

extension AgentBackend {
    /// The `http://host:port` and `https://host:port` sources: one Fusebox agent.
    /// - Parameters:
    ///   - authorization: reads `Bearer <token>` from `--token-file` or `FUSEBOX_TOKEN`, if given;
    ///     called only for an agent source (a bad token never stops another kind of source), and
    ///     again for every request (a rotated token file is picked up).
    ///   - trustRootsFile: `--ca-file`, PEM certificates to trust for `https`.
    public static func scheme(
        authorization: @escaping @Sendable () throws(BackendError) -> String?, trustRootsFile: String? = nil
    ) -> SourceScheme {
        SourceScheme(
            usage: "http[s]://host:port", summary: "a Fusebox agent",
            matches: { $0.lowercased().hasPrefix("http://") || $0.lowercased().hasPrefix("https://") },
            make: { specification throws(BackendError) in
                try AgentBackend(
                    specification: specification, authorizationProvider: authorization, trustRootsFile: trustRootsFile)
            })
    }
}
