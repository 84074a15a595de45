public import FuseboxBackend

extension PrometheusBackend {
    /// The `prometheus+http://host:9090` and `prometheus+https://...` sources: a fleet through Prometheus.
    public static func scheme() -> SourceScheme {
        SourceScheme(
            usage: "prometheus+http[s]://host:9090", summary: "a fleet through Prometheus, read-only",
            matches: { $0.lowercased().hasPrefix(PrometheusEndpoint.prefix) },
            make: { specification throws(BackendError) in try PrometheusBackend(specification: specification) })
    }
}
