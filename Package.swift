// swift-tools-version: 6.1
//
// Casefile: a forensic recorder for Linux containers. Data flows one way:
//
//   bpf/ ─ring─► CasefileProbe ─► CasefileDecode ─► CasefilePipeline ─► CasefileStore ─► CasefileReport ─► CasefileCLI ─► casefile
//                (libbpf)         (bytes → Event)   (time, processes,    (SQLite)         (JSON/MD/HTML)     (commands)
//                                                    cgroups, containers)
//                                                          │ new containers ▲ back-fills
//                                                          ▼                │
//                                                   CasefileEnrich (runtime APIs, async)
//
// The stage modules do not import each other: each depends on CasefileModel (the value types
// they hand along) and on its own foreign API. CasefileRecorder imports the stages and wires
// them into the services of `casefile record`; CasefileCLI imports the recorder (to record) and
// the store (to investigate). C is wrapped once: CLibBPF + CCasefileBPF (libbpf) in the probe,
// CCasefileABI (the event layouts of bpf/casefile.h) in probe and decoder, CCasefileLinux
// (open_by_handle_at, OFD locks, capabilities) in the pipeline, store and recorder, SQLite in the
// store's RawStatement and CCasefileSQLite (hardening connections that read untrusted files).
import PackageDescription

let strict: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
    .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
    name: "casefile",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "casefile", targets: ["casefile"]),
        .library(name: "CasefileCLI", targets: ["CasefileCLI"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.6.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.0"),
        // SHA-256 for seals (already in the build through async-http-client's TLS).
        .package(url: "https://github.com/apple/swift-crypto", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/apple/swift-protobuf", from: "1.39.0"),
        .package(url: "https://github.com/grpc/grpc-swift-2", from: "2.4.3"),
        .package(url: "https://github.com/grpc/grpc-swift-protobuf", from: "2.4.1"),
        .package(url: "https://github.com/grpc/grpc-swift-nio-transport", from: "2.9.2"),
    ],
    targets: [
        // The system's libbpf (libbpf-dev) and our C shim over it, used by CasefileProbe only.
        .systemLibrary(name: "CLibBPF", pkgConfig: "libbpf", providers: [.apt(["libbpf-dev", "libelf-dev", "zlib1g-dev"])]),
        .target(name: "CCasefileBPF", dependencies: ["CLibBPF"]),
        // The event ABI (bpf/casefile.h) for Swift: record layouts only, no libbpf.
        .target(name: "CCasefileABI"),
        // Build tool: compiles bpf/*.bpf.c with the toolchain's clang and embeds
        // objects and SQL files into generated Swift sources.
        .executableTarget(name: "casefile-embed", path: "Sources/CasefileEmbed", swiftSettings: strict),
        .plugin(
            name: "EmbedPlugin",
            capability: .buildTool(),
            dependencies: ["casefile-embed"]
        ),

        .target(name: "CasefileModel", swiftSettings: strict),
        .target(
            name: "CasefileProbe",
            dependencies: ["CCasefileBPF", "CCasefileABI", "CasefileModel"],
            swiftSettings: strict,
            plugins: ["EmbedPlugin"]
        ),
        .target(name: "CasefileDecode", dependencies: ["CCasefileABI", "CasefileModel"], swiftSettings: strict),
        .target(name: "CCasefileLinux"),
        // sqlite3_db_config and an authorizer callback for reading untrusted files (CasefileStore).
        .target(name: "CCasefileSQLite", linkerSettings: [.linkedLibrary("sqlite3")]),
        .target(name: "CasefilePipeline", dependencies: ["CasefileModel", "CCasefileLinux"], swiftSettings: strict),
        // Generated protobuf/gRPC code for containerd and CRI (scripts/generate-protos.sh).
        .target(
            name: "CasefileRuntimeAPI",
            dependencies: [
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
                .product(name: "GRPCCore", package: "grpc-swift-2"),
                .product(name: "GRPCProtobuf", package: "grpc-swift-protobuf"),
            ],
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
        // Enrichment: asks container runtimes about containers, asynchronously.
        .target(
            name: "CasefileEnrich",
            dependencies: [
                "CasefileModel", "CasefileRuntimeAPI",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "GRPCCore", package: "grpc-swift-2"),
                .product(name: "GRPCNIOTransportHTTP2", package: "grpc-swift-nio-transport"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "CasefileStore",
            dependencies: [
                "CasefileModel", "CCasefileLinux", "CCasefileSQLite",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: strict,
            plugins: ["EmbedPlugin"]
        ),
        .target(
            name: "CasefileRecorder",
            dependencies: [
                "CasefileProbe", "CasefileDecode", "CasefilePipeline", "CasefileStore", "CasefileModel", "CasefileEnrich",
                "CCasefileLinux",
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        // Incident reports (JSON, Markdown, HTML with an SVG timeline) from a case file.
        .target(name: "CasefileReport", dependencies: ["CasefileStore", "CasefileModel", .product(name: "Crypto", package: "swift-crypto")],
                swiftSettings: strict),
        .target(
            name: "CasefileCLI",
            dependencies: [
                "CasefileRecorder", "CasefileStore", "CasefileModel", "CasefileReport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        .executableTarget(name: "casefile", dependencies: ["CasefileCLI"], swiftSettings: strict),
        .executableTarget(
            name: "casefile-bench",
            dependencies: ["CasefileRecorder", "CasefileStore", "CasefileModel"],
            path: "Sources/CasefileBench",
            swiftSettings: strict
        ),

        // Tests (Tests/): helpers and test doubles in one place; unit tests that need no root and
        // run in parallel; integration tests with the real kernel and runtimes, run one at a time.
        .target(
            name: "CasefileTestSupport",
            dependencies: [
                "CasefileRecorder", "CasefileEnrich", "CasefilePipeline", "CasefileModel", "CasefileStore",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Tests/CasefileTestSupport",
            swiftSettings: strict
        ),
        .testTarget(
            name: "CasefileUnitTests",
            dependencies: [
                "CasefileTestSupport", "CasefileCLI", "CasefileStore", "CasefileDecode", "CasefilePipeline", "CasefileReport",
                "CasefileModel", "CCasefileABI", "CasefileEnrich",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "CasefileIntegrationTests",
            dependencies: [
                "CasefileTestSupport", "CasefileRecorder", "CasefileStore", "CasefilePipeline", "CasefileModel",
                "CasefileEnrich", "CasefileRuntimeAPI", "CasefileReport",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRPCCore", package: "grpc-swift-2"),
                .product(name: "GRPCNIOTransportHTTP2", package: "grpc-swift-nio-transport"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
    ]
)
