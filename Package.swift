// swift-tools-version:6.0
import PackageDescription

let strict: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "fusebox",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "FuseboxProtocol", targets: ["FuseboxProtocol"]),
        .library(name: "Fusebox", targets: ["Fusebox"]),
        .library(name: "FuseboxSimulator", targets: ["FuseboxSimulator"]),
        .library(name: "FuseboxBackend", targets: ["FuseboxBackend"]),
        .executable(name: "fusebox", targets: ["fusebox"]),
        .executable(name: "fusebox-bench", targets: ["fusebox-bench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.0"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift.git", from: "0.2.0"),
        // Counts allocations in fusebox-bench only.
        .package(url: "https://github.com/ordo-one/malloc-interposer.git", from: "1.6.0"),
    ],
    targets: [
        .target(name: "FuseboxProtocol", swiftSettings: strict),
        .target(name: "CFuseboxSystem"),
        .target(
            name: "Fusebox",
            dependencies: [
                "FuseboxProtocol",
                "CFuseboxSystem",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "FuseboxSimulator",
            dependencies: [
                "Fusebox",
                "FuseboxProtocol",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        // The backend seam: the protocol every source implements, and nothing else.
        .target(name: "FuseboxBackend", dependencies: ["FuseboxProtocol"], swiftSettings: strict),
        // One target per backend.
        .target(
            name: "FuseboxSimulatorBackend",
            dependencies: [
                "FuseboxBackend",
                "Fusebox",
                "FuseboxProtocol",
                "FuseboxSimulator",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        .target(name: "FuseboxConsole", dependencies: ["FuseboxProtocol", "FuseboxBackend"], swiftSettings: strict),
        .systemLibrary(name: "CNcursesw", providers: [.apt(["libncurses-dev"])]),
        // The terminal's signal handlers: C, because a handler may only make async-signal-safe calls.
        .target(name: "CFuseboxSignals"),
        .target(
            name: "FuseboxTerminal", dependencies: ["CNcursesw", "CFuseboxSignals", "FuseboxConsole"],
            swiftSettings: strict),
        .executableTarget(
            name: "fusebox",
            dependencies: [
                "Fusebox",
                "FuseboxProtocol",
                "FuseboxSimulator",
                "FuseboxBackend",
                "FuseboxSimulatorBackend",
                "FuseboxConsole",
                "FuseboxTerminal",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "fusebox-bench",
            dependencies: [
                "Fusebox",
                "FuseboxProtocol",
                "FuseboxSimulator",
                "FuseboxConsole",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "MallocInterposerSwift", package: "malloc-interposer"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "FuseboxProtocolTests", dependencies: ["FuseboxProtocol"], exclude: ["Fixtures"],
            swiftSettings: strict),
        .testTarget(
            name: "FuseboxConsoleTests",
            dependencies: [
                "FuseboxConsole", "FuseboxProtocol", "FuseboxBackend", "Fusebox", "FuseboxSimulator",
                "FuseboxTerminal", .product(name: "Logging", package: "swift-log"),
            ],
            exclude: ["Golden"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "FuseboxBackendTests",
            dependencies: ["FuseboxBackend", "FuseboxSimulatorBackend", "FuseboxProtocol", "FuseboxSimulator"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "FuseboxSimulatorTests",
            dependencies: ["Fusebox", "FuseboxProtocol", "FuseboxSimulator"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "FuseboxTests",
            dependencies: [
                "Fusebox",
                "FuseboxProtocol",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "InMemoryLogging", package: "swift-log"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "MetricsTestKit", package: "swift-metrics"),
            ],
            swiftSettings: strict
        ),
    ]
)
