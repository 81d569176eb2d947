// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "ReportRelay",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "relayd", targets: ["relayd"]),
        .executable(name: "relay", targets: ["relay"]),
        .executable(name: "relayctl", targets: ["relayctl"]),
        .library(name: "RelayCore", targets: ["RelayCore"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.35.2"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
        .package(url: "https://github.com/apple/swift-certificates.git", from: "1.21.1"),
        .package(url: "https://github.com/apple/swift-asn1.git", from: "1.7.4"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
    ],
    targets: [
        // Pure domain: Foundation and swift-crypto only.
        .target(
            name: "RelayCore",
            dependencies: [.product(name: "Crypto", package: "swift-crypto")]
        ),
        // Certificates and revocation lists: issuance for the dev PKI and tests, CRL reading for the server.
        .target(
            name: "RelayAPI",
            dependencies: ["RelayCore", .product(name: "Crypto", package: "swift-crypto")]
        ),
        .target(
            name: "RelayPKI",
            dependencies: [
                "RelayCore",
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
            ]
        ),
        .target(
            name: "RelayStore",
            dependencies: [
                "RelayCore",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ]
        ),
        // Configuration (YAML) and the relay's keys: what the daemon and relayctl both read.
        .target(
            name: "RelayConfig",
            dependencies: [
                "RelayCore",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Yams", package: "Yams"),
            ]
        ),
        // The use cases (submit, consent, queue) and their errors, free of HTTP; the store port.
        .target(
            name: "RelayApplication",
            dependencies: [
                "RelayCore", "RelayAPI", "RelayStore", "RelayConfig",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ]
        ),
        // The HTTP API: controllers, middleware, connection limits, the application builder.
        .target(
            name: "RelayServer",
            dependencies: [
                "RelayCore", "RelayAPI", "RelayStore", "RelayConfig", "RelayApplication", "RelayPKI",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOTLS", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]
        ),
        // The development PKI (a CA, server and client certificates, intake HPKE keys), made on
        // first run when `dev_pki.enabled`, and by `relayctl pki init`.
        .target(
            name: "RelayDevPKI",
            dependencies: [
                "RelayCore", "RelayConfig", "RelayPKI",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "X509", package: "swift-certificates"),
            ]
        ),
        // The one composition root: loads configuration and keys (making the development PKI
        // when asked), opens the store and runs the application with graceful draining.
        .target(
            name: "RelayRuntime",
            dependencies: [
                "RelayCore", "RelayStore", "RelayConfig", "RelayApplication", "RelayServer", "RelayDevPKI",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ]
        ),
        .target(
            name: "RelayClient",
            dependencies: [
                "RelayCore", "RelayAPI",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        .executableTarget(
            name: "relayd",
            dependencies: [
                "RelayRuntime", "RelayConfig",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(
            name: "relay",
            dependencies: [
                "RelayAPI", "RelayClient", "RelayCore",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(
            name: "relayctl",
            dependencies: [
                "RelayConfig", "RelayDevPKI", "RelayCore", "RelayAPI", "RelayStore", "RelayApplication",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
            ]
        ),
        // Benchmarks (run in release; see BENCHMARKS.md).
        .executableTarget(
            name: "relay-bench",
            dependencies: [
                "RelayStore", "RelayCore", "RelayClient",
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // Test fixtures that need only Core: sample reports, subprocesses, the Python peers.
        .target(name: "RelayFixtures", dependencies: ["RelayCore"], path: "Tests/RelayFixtures"),
        // Shared test support: certificate minting and a live mTLS server harness.
        .target(
            name: "RelayTestSupport",
            dependencies: [
                "RelayCore", "RelayAPI", "RelayFixtures", "RelayStore", "RelayServer", "RelayConfig", "RelayRuntime", "RelayPKI", "RelayClient",
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ],
            path: "Tests/RelayTestSupport"
        ),
        // Core's tests link Core and its fixtures only: no store, server or network.
        .testTarget(name: "RelayCoreTests", dependencies: ["RelayCore", "RelayFixtures", .product(name: "Crypto", package: "swift-crypto")]),
        .testTarget(
            name: "RelayStoreTests",
            dependencies: ["RelayStore", "RelayCore", "RelayTestSupport", .product(name: "GRDB", package: "GRDB.swift")]
        ),
        .testTarget(
            name: "RelayServerTests",
            dependencies: [
                "RelayServer", "RelayConfig", "RelayStore", "RelayCore", "RelayTestSupport", "RelayClient", "RelayPKI",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "X509", package: "swift-certificates"),
            ]
        ),
        .testTarget(name: "RelayClientTests", dependencies: ["RelayClient", "RelayAPI", "RelayCore", "RelayTestSupport"]),
        .testTarget(
            name: "RelayEndToEndTests",
            dependencies: [
                "RelayTestSupport", "RelayClient", "RelayCore", .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "X509", package: "swift-certificates"),
            ]
        ),
    ]
)
