// swift-tools-version:6.0
import PackageDescription

// Layering (see CONTRIBUTING.md): BerthOCI <- BerthCore <- adapters (BerthGit, BerthConfig, BerthRegistry, BerthLayout,
// BerthBuild, BerthLedger, BerthDeploy; BerthProcess spawns processes for the ones that run tools) <- BerthCLI <- berth.
// Adapters never import each other; scripts/check-layering.sh enforces it.
let package = Package(
    name: "berth",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "berth", targets: ["berth"]),
        // For Fuzz/ (a separate package that depends on this one by path and can only use products).
        .library(name: "BerthFuzzable", targets: ["BerthOCI", "BerthCore", "BerthConfig", "BerthRegistry", "BerthTrust"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        // Already under AsyncHTTPClient; named to read TLS failures and load SSL_CERT_FILE/SSL_CERT_DIR.
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        // pyproject.toml and .cz.toml for `berth init --from commitizen`.
        .package(url: "https://github.com/LebJe/TOMLKit", from: "0.6.0"),
    ],
    targets: [
        .target(
            name: "BerthOCI",
            dependencies: [.product(name: "Crypto", package: "swift-crypto")],
            exclude: ["README.md"]
        ),
        .target(name: "BerthCore", dependencies: ["BerthOCI"], exclude: ["README.md"]),
        .target(name: "BerthProcess", exclude: ["README.md"]),
        .target(name: "BerthGit", dependencies: ["BerthCore", "BerthProcess"], exclude: ["README.md"]),
        .target(name: "BerthBuild", dependencies: ["BerthCore", "BerthOCI", "BerthProcess"], exclude: ["README.md"]),
        .target(
            name: "BerthRegistry",
            dependencies: [
                "BerthCore", "BerthOCI", .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            exclude: ["README.md"]
        ),
        .target(name: "BerthLayout", dependencies: ["BerthCore", "BerthOCI"], exclude: ["README.md"]),
        .target(
            name: "BerthDeploy",
            dependencies: [
                "BerthCore", "BerthProcess", .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            exclude: ["README.md"]
        ),
        .target(name: "BerthTraffic", dependencies: ["BerthCore", "BerthOCI", "BerthProcess"], exclude: ["README.md"]),
        .target(
            name: "BerthLedger",
            dependencies: [
                "BerthCore", .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ],
            exclude: ["README.md"]),
        .target(
            name: "BerthConfig",
            dependencies: [
                "BerthCore", .product(name: "Yams", package: "Yams"), .product(name: "TOMLKit", package: "TOMLKit"),
            ],
            exclude: ["README.md"]
        ),
        .target(
            name: "BerthMetrics",
            dependencies: [
                "BerthCore", "BerthOCI", .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            exclude: ["README.md"]
        ),
        .target(
            name: "BerthServer",
            dependencies: [
                "BerthCore", "BerthOCI", .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            exclude: ["README.md"]
        ),
        .target(
            name: "BerthTrust",
            dependencies: [
                "BerthCore", "BerthOCI", .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
            ],
            exclude: ["README.md"]
        ),
        .target(
            name: "BerthCLI",
            dependencies: [
                "BerthCore", "BerthOCI", "BerthGit", "BerthConfig", "BerthRegistry", "BerthLayout", "BerthBuild", "BerthLedger",
                "BerthDeploy", "BerthTraffic", "BerthMetrics", "BerthTrust", "BerthServer",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            exclude: ["README.md"]
        ),
        .executableTarget(name: "berth", dependencies: ["BerthCLI"], exclude: ["README.md"]),
        .executableTarget(name: "berth-bench", dependencies: ["BerthCore", "BerthLedger"]),
        .executableTarget(name: "berth-traffic-bench", dependencies: ["BerthCore", "BerthTraffic"]),
        .target(name: "BerthTestSupport", dependencies: ["BerthCore", "BerthOCI", "BerthProcess"], exclude: ["README.md"]),
        .testTarget(name: "BerthOCITests", dependencies: ["BerthOCI"]),
        .testTarget(name: "BerthCoreTests", dependencies: ["BerthCore", "BerthTestSupport"], exclude: ["Fixtures", "Golden"]),
        .testTarget(name: "BerthDeployTests", dependencies: ["BerthDeploy", "BerthTestSupport"]),
        .testTarget(name: "BerthMetricsTests", dependencies: ["BerthMetrics", "BerthTestSupport"]),
        .testTarget(name: "BerthGitTests", dependencies: ["BerthGit", "BerthTestSupport"], exclude: ["Fixtures"]),
        .testTarget(name: "BerthBuildTests", dependencies: ["BerthBuild", "BerthLayout", "BerthTestSupport"]),
        .testTarget(name: "BerthLedgerTests", dependencies: ["BerthLedger", "BerthTestSupport"]),
        .testTarget(name: "BerthLayoutTests", dependencies: ["BerthLayout", "BerthTestSupport"]),
        .testTarget(name: "BerthRegistryTests", dependencies: ["BerthRegistry", "BerthLayout", "BerthTestSupport"]),
        .testTarget(name: "BerthConfigTests", dependencies: ["BerthConfig", "BerthTestSupport"]),
        .testTarget(
            name: "BerthTrustTests", dependencies: ["BerthTrust", "BerthRegistry", "BerthTestSupport"], exclude: ["Fixtures"]),
        .testTarget(name: "BerthTrafficTests", dependencies: ["BerthTraffic", "BerthTestSupport"], exclude: ["Golden"]),
        .testTarget(
            name: "BerthServerTests",
            dependencies: [
                "BerthServer", "BerthTestSupport", .product(name: "HummingbirdTesting", package: "hummingbird"),
            ],
            exclude: ["Fixtures"]
        ),
        .testTarget(
            name: "BerthCLITests",
            dependencies: ["BerthCLI", "BerthLayout", "BerthLedger", "BerthTestSupport"],
            exclude: ["Golden"]
        ),
    ]
)
