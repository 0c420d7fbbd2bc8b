// swift-tools-version: 6.1
//
// Casefile: a forensic recorder for Linux containers.
// Data flows one way, and so do the module dependencies:
//
//   bpf/ ──► CasefileProbe ──► CasefileDecode ──► CasefilePipeline ──► CasefileStore ──► CasefileCLI ──► casefile
//             (libbpf, ring)    (bytes → Event)    (cgroups, processes)   (SQLite)        (commands)
//
// CasefileModel holds the value types every stage shares. CasefileRecorder wires
// the stages into one service for `casefile record`.
import PackageDescription

let strict: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
    .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
    name: "casefile",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "casefile", targets: ["casefile"]),
        .library(name: "CasefileCLI", targets: ["CasefileCLI"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.6.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
    ],
    targets: [
        // C: libbpf and the event ABI header (bpf/casefile.h), wrapped once.
        .target(
            name: "CCasefileBPF",
            linkerSettings: [.linkedLibrary("bpf"), .linkedLibrary("elf"), .linkedLibrary("z")]
        ),
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
            dependencies: ["CCasefileBPF", "CasefileModel"],
            swiftSettings: strict,
            plugins: ["EmbedPlugin"]
        ),
        .target(name: "CasefileDecode", dependencies: ["CCasefileBPF", "CasefileModel"], swiftSettings: strict),
        .target(name: "CCasefileLinux"),
        .target(name: "CasefilePipeline", dependencies: ["CasefileModel", "CCasefileLinux"], swiftSettings: strict),
        .target(
            name: "CasefileStore",
            dependencies: [
                "CasefileModel",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
            ],
            swiftSettings: strict,
            plugins: ["EmbedPlugin"]
        ),
        .target(
            name: "CasefileRecorder",
            dependencies: [
                "CasefileProbe", "CasefileDecode", "CasefilePipeline", "CasefileStore", "CasefileModel",
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "CasefileCLI",
            dependencies: [
                "CasefileRecorder", "CasefileStore", "CasefileModel",
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

        .testTarget(
            name: "CasefileTests",
            dependencies: [
                "CasefileCLI", "CasefileRecorder", "CasefileStore", "CasefileDecode", "CasefilePipeline",
                "CasefileModel", "CasefileProbe", "CCasefileBPF",
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            swiftSettings: strict
        ),
    ]
)
