public import FuseboxBackend

extension AgentBackend {
    /// The `http://host:port` and `https://host:port` sources: one Fusebox agent.
    /// - Parameters:
    ///   - authorization: `Bearer <token>` from `--token-file` or `FUSEBOX_TOKEN`, if given.
    ///   - trustRootsFile: `--ca-file`, PEM certificates to trust for `https`.
    public static func scheme(authorization: String?, trustRootsFile: String? = nil) -> SourceScheme {
        SourceScheme(
            usage: "http[s]://host:port", summary: "a Fusebox agent",
            matches: { $0.lowercased().hasPrefix("http://") || $0.lowercased().hasPrefix("https://") },
            make: { specification throws(BackendError) in
                try AgentBackend(
                    specification: specification, authorization: authorization, trustRootsFile: trustRootsFile)
            })
    }
}
