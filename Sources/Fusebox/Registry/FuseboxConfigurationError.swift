/// A dependency or flag could not be registered.
public struct FuseboxConfigurationError: Error, Hashable, CustomStringConvertible {
    private enum Code: Hashable {
        case duplicate
        case invalid
    }

    private let code: Code
    /// The dependency or flag.
    public let name: String
    /// What is wrong, in one line.
    public let problem: String

    private init(_ code: Code, name: String, problem: String) {
        self.code = code
        self.name = name
        self.problem = problem
    }

    /// A dependency or flag with this name is already registered.
    public static func duplicate(_ name: String) -> Self {
        Self(.duplicate, name: name, problem: "is already registered; give each dependency and flag a unique name")
    }

    /// The configuration's numbers are out of range.
    public static func invalid(_ name: String, _ problem: String) -> Self {
        Self(.invalid, name: name, problem: problem)
    }

    public var description: String { "'\(name)': \(problem)" }
}
