public import FuseboxBackend

extension Resilience4jBackend {
    /// The `resilience4j+http://host:port/actuator` and `resilience4j+https://...` sources: one
    /// Spring Boot actuator serving Resilience4j.
    /// - Parameter authorization: the `Authorization` header for commands (reads never carry it),
    ///   read again for each command.
    public static func scheme(
        authorization: @escaping @Sendable () throws(BackendError) -> String? = { nil }
    ) -> SourceScheme {
        SourceScheme(
            usage: "resilience4j+http[s]://host:port/actuator[#service]",
            summary: "a Spring Boot actuator serving Resilience4j",
            matches: { $0.lowercased().hasPrefix(ActuatorEndpoint.prefix) },
            make: { specification throws(BackendError) in
                try Resilience4jBackend(specification: specification, authorization: authorization)
            })
    }
}
