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
        .library(name: "FuseboxAgent", targets: ["FuseboxAgent"]),
        .executable(name: "fusebox", targets: ["fusebox"]),
        .executable(name: "fusebox-bench", targets: ["fusebox-bench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.0"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift.git", from: "0.2.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        // The config file's named environments (YAML).
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
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
        // What the HTTP sources share: one deadline over head and body, transport errors read once.
        .target(
            name: "FuseboxHTTP",
            dependencies: [
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: strict
        ),
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
        // The HTTP agent: serves a registry's snapshots, commands, events, audit and metrics.
        .target(
            name: "FuseboxAgent",
            dependencies: [
                "Fusebox",
                "FuseboxProtocol",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "FuseboxAgentBackend",
            dependencies: [
                "FuseboxBackend",
                "FuseboxHTTP",
                "FuseboxProtocol",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "FuseboxResilience4jBackend",
            dependencies: [
                "FuseboxBackend",
                "FuseboxHTTP",
                "FuseboxProtocol",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "FuseboxPrometheusBackend",
            dependencies: [
                "FuseboxBackend",
                "FuseboxHTTP",
                "FuseboxProtocol",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: strict
        ),
        // Recordings: sessions as SQLite databases (the system's libsqlite3), written and replayed.
        .systemLibrary(name: "CSQLite", pkgConfig: "sqlite3", providers: [.apt(["libsqlite3-dev"])]),
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        .target(
            name: "FuseboxRecording", dependencies: ["CSQLite", "CZlib", "FuseboxBackend", "FuseboxProtocol"],
            swiftSettings: strict),
        .target(
            name: "FuseboxConsole",
            dependencies: ["FuseboxProtocol", "FuseboxBackend", .product(name: "Yams", package: "Yams")],
            swiftSettings: strict),
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
                "FuseboxAgent",
                "FuseboxAgentBackend",
                "FuseboxResilience4jBackend",
                "FuseboxPrometheusBackend",
                "FuseboxRecording",
                "FuseboxConsole",
                "FuseboxTerminal",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "fusebox-bench",
            dependencies: [
                "Fusebox",
                "FuseboxAgent",
                "FuseboxAgentBackend",
                "FuseboxBackend",
                .product(name: "NIOCore", package: "swift-nio"),
                "FuseboxProtocol",
                "FuseboxSimulator",
                "FuseboxConsole",
                "FuseboxPrometheusBackend",
                "FuseboxRecording",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "MallocInterposerSwift", package: "malloc-interposer"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            swiftSettings: strict
        ),
        // What the test targets share: a test server stopped gracefully, a port nothing listens on.
        .target(
            name: "FuseboxTestSupport",
            dependencies: [
                "FuseboxBackend",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Tests/FuseboxTestSupport",
            swiftSettings: strict
        ),
        .testTarget(
            name: "FuseboxProtocolTests", dependencies: ["FuseboxProtocol"], exclude: ["Fixtures"],
            swiftSettings: strict),
        .testTarget(
            name: "FuseboxConsoleTests",
            dependencies: [
                "FuseboxTestSupport",
                "FuseboxConsole", "FuseboxProtocol", "FuseboxBackend", "Fusebox", "FuseboxSimulator",
                "FuseboxTerminal", "FuseboxPrometheusBackend", "FuseboxRecording",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            exclude: ["Golden"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "FuseboxRecordingTests",
            dependencies: [
                "FuseboxRecording", "FuseboxBackend", "FuseboxProtocol", "FuseboxSimulator", "Fusebox",
                "FuseboxTestSupport",
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "FuseboxBackendTests",
            dependencies: ["FuseboxBackend", "FuseboxSimulatorBackend", "FuseboxProtocol", "FuseboxSimulator"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "FuseboxAgentTests",
            dependencies: [
                "FuseboxTestSupport",
                "FuseboxAgent", "FuseboxAgentBackend", "FuseboxBackend", "Fusebox", "FuseboxProtocol",
                "FuseboxSimulator",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "InMemoryLogging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "FuseboxResilience4jBackendTests",
            dependencies: [
                "FuseboxTestSupport",
                "FuseboxResilience4jBackend", "FuseboxBackend", "FuseboxProtocol",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "FuseboxPrometheusBackendTests",
            dependencies: [
                "FuseboxTestSupport",
                "FuseboxPrometheusBackend", "FuseboxBackend", "FuseboxProtocol",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
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
