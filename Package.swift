// swift-tools-version:6.1
import PackageDescription

/// `UNIFEED_FUZZ=1` (scripts/fuzz.sh): Unifeed's own targets are built with libFuzzer's coverage and
/// AddressSanitizer, and `unifeed-fuzz` links libFuzzer's `main`. Build tools (the template embedder)
/// and dependencies are left as they are.
let fuzzing = Context.environment["UNIFEED_FUZZ"] != nil
let fuzzSettings: [SwiftSetting] = fuzzing ? [.unsafeFlags(["-sanitize=fuzzer,address"]), .define("FUZZING")] : []
/// libFuzzer without its `main` (SwiftPM gives executables their own), found by scripts/fuzz.sh.
let fuzzLinkFlags = [
    "-sanitize=address", "-Xlinker", "--whole-archive", "-Xlinker", Context.environment["UNIFEED_FUZZ_RUNTIME"] ?? "",
    "-Xlinker", "--no-whole-archive", "-lstdc++",
]

let swiftSettings: [SwiftSetting] =
    [
        .enableUpcomingFeature("ExistentialAny"),
        .enableUpcomingFeature("MemberImportVisibility"),
        .enableUpcomingFeature("InternalImportsByDefault"),
    ] + fuzzSettings

let package = Package(
    name: "unifeed",
    products: [
        .executable(name: "unifeed", targets: ["unifeed"])
    ],
    // `unifeed serve` and `unifeed tokens` need Hummingbird, SwiftNIO and swift-nio-ssl: about 3.6 more
    // minutes on a cold build here (112 s → 330 s). On by default; `--disable-default-traits` builds
    // the batch tool alone (README, "Install").
    traits: [
        .trait(name: "Server", description: "unifeed serve and unifeed tokens: the HTTP server (Hummingbird 2, SwiftNIO, swift-nio-ssl)"),
        .trait(name: "PostgreSQL", description: "--db postgres://…: the PostgreSQL store (PostgresNIO, on the server's SwiftNIO)"),
        .default(enabledTraits: ["Server", "PostgreSQL"]),
    ],
    dependencies: [
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        // The server (`unifeed serve`): Hummingbird 2 on SwiftNIO, TLS through swift-nio-ssl, graceful
        // shutdown through swift-service-lifecycle, Prometheus metrics, swift-log.
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        // The PostgreSQL store (`--db postgres://…`, DESIGN.md §12).
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        // The dashboard's templates (`dashboard/*.mustache`).
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
    ],
    targets: [
        // Pure core: value types, validation, rules. Foundation only, no I/O, no channel names.
        .target(name: "Catalog", swiftSettings: swiftSettings),
        // Text formats: the byte source, text decoding, the CSV reader and writer, JSON and TOML readers.
        .target(name: "Formats", dependencies: ["Catalog"], swiftSettings: swiftSettings),
        // unifeed.toml: the configuration's values and their loader.
        .target(name: "Config", dependencies: ["Catalog", "Formats", .product(name: "Crypto", package: "swift-crypto")], swiftSettings: swiftSettings),
        // Threads and bounded pipes: the producer/consumer loops of import and publish.
        .target(name: "Pipeline", swiftSettings: swiftSettings),
        // The store port: what the rest of Unifeed asks of the store, with no database type in it.
        .target(name: "StorePort", dependencies: ["Catalog", "Formats"], swiftSettings: swiftSettings),
        // libxml2 (writer, reader, schemas) for the feed and order targets.
        .systemLibrary(
            name: "CLibXML2",
            pkgConfig: "libxml-2.0",
            providers: [.apt(["libxml2-dev"])]
        ),
        // zlib, for the .gz twins of published files.
        .systemLibrary(name: "CZlib", providers: [.apt(["zlib1g-dev"])]),
        // Process-wide SQLite settings (sqlite3_config is variadic: C).
        .target(name: "CSQLiteTuning", linkerSettings: [.linkedLibrary("sqlite3")]),
        // The SQLite implementation of the store port (GRDB, imported internally): migrations, queries,
        // the import session, the stock ledger, the order book, the publish log.
        .target(
            name: "Store",
            dependencies: [
                "Catalog", "Formats", "StorePort", "CSQLiteTuning", .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
            ],
            swiftSettings: swiftSettings
        ),
        // The PostgreSQL implementation of the store port (PostgresNIO): the same tables and answers as the
        // SQLite store, for several machines on one database (DESIGN.md §12).
        .target(
            name: "PostgresStore",
            dependencies: [
                "Catalog", "Formats", "StorePort",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            swiftSettings: swiftSettings
        ),
        // One mapper per catalog format and the import pipeline, through the store port.
        .target(
            name: "Import",
            dependencies: ["Catalog", "Formats", "Config", "Pipeline", "StorePort", "CLibXML2"],
            swiftSettings: swiftSettings
        ),
        // Marketplace order reports (Amazon, eBay, Walmart) into the order book, through the store port.
        .target(
            name: "Orders",
            dependencies: ["Catalog", "Formats", "Config", "StorePort"],
            swiftSettings: swiftSettings
        ),
        // Channel feeds: definitions, diagnostics, writers, one file per Swift adapter, publish and audit.
        .target(
            name: "Feeds",
            dependencies: [
                "Catalog", "Formats", "Config", "Pipeline", "StorePort", "CLibXML2", "CZlib",
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings,
            plugins: ["EmbedTemplates"]
        ),
        // Build-time embedding of templates/*.toml into Feeds.
        .executableTarget(name: "embed-templates"),
        .plugin(name: "EmbedTemplates", capability: .buildTool(), dependencies: ["embed-templates"]),
        // The dashboard's pages (DESIGN.md §11): page models from the store's values, rendered through the
        // mustache templates of dashboard/ (embedded at build time), and server-drawn SVG charts. No HTTP here.
        .target(
            name: "Dashboard",
            dependencies: ["Catalog", "StorePort", "Feeds", .product(name: "Mustache", package: "swift-mustache")],
            swiftSettings: swiftSettings,
            plugins: ["EmbedTemplates"]
        ),
        // `unifeed serve`: HTTP routes over the store port (feeds, stock, availability, orders, tokens,
        // metrics), the OpenAPI document embedded from openapi/.
        .target(
            name: "Server",
            dependencies: [
                "Catalog", "Formats", "Config", "StorePort", "Feeds", "Orders", "Dashboard", "CZlib",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings,
            plugins: ["EmbedTemplates"]
        ),
        // Thin CLI: argument parsing, printing, exit codes.
        .executableTarget(
            name: "unifeed",
            dependencies: [
                "Catalog", "Formats", "Config", "StorePort", "Store", "Import", "Feeds", "Orders",
                .target(name: "Server", condition: .when(traits: ["Server"])),
                .target(name: "PostgresStore", condition: .when(traits: ["PostgreSQL"])),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: swiftSettings
        ),
        // Fuzzing: every parser of outside bytes behind one entry (scripts/fuzz.sh; ReliabilityTests replays).
        .target(name: "FuzzTargets", dependencies: ["Catalog", "Formats", "Config", "StorePort", "Import", "Orders", "Feeds"], swiftSettings: swiftSettings),
        .target(name: "CFuzzerDriver"),
        .executableTarget(
            name: "unifeed-fuzz", dependencies: ["FuzzTargets", "CFuzzerDriver"], swiftSettings: swiftSettings,
            linkerSettings: fuzzing ? [.unsafeFlags(fuzzLinkFlags)] : []),
        .target(name: "UnifeedTestSupport", dependencies: ["Catalog"]),
        // A fresh store of either kind for the store-parameterized tests (SQLite; PostgreSQL with a server).
        .target(
            name: "StoreTestSupport",
            dependencies: [
                "StorePort", "Store", "UnifeedTestSupport", .product(name: "GRDB", package: "GRDB.swift"),
                .target(name: "PostgresStore", condition: .when(traits: ["PostgreSQL"])),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(name: "PipelineTests", dependencies: ["Pipeline"], swiftSettings: swiftSettings),
        .testTarget(name: "FormatsTests", dependencies: ["Catalog", "Formats", "Config", "UnifeedTestSupport"], swiftSettings: swiftSettings),
        .testTarget(name: "CatalogTests", dependencies: ["Catalog", "Formats", "Config", "UnifeedTestSupport"], swiftSettings: swiftSettings),
        .testTarget(
            name: "StoreTests",
            dependencies: [
                "Catalog", "Formats", "Config", "StorePort", "Store", "Import", "Feeds", "Orders", "Pipeline", "UnifeedTestSupport", "StoreTestSupport", .product(name: "GRDB", package: "GRDB.swift"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ImportTests",
            dependencies: [
                "unifeed", "Catalog", "Formats", "Config", "StorePort", "Store", "Import", "Feeds", "Orders", "Pipeline", "UnifeedTestSupport", "StoreTestSupport",
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            exclude: ["Fixtures"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "FeedsTests",
            dependencies: [
                "Catalog", "Formats", "Config", "StorePort", "Store", "Import", "Feeds", "Orders", "Pipeline", "UnifeedTestSupport", "StoreTestSupport", .product(name: "GRDB", package: "GRDB.swift"),
                "CLibXML2",
            ],
            exclude: ["Golden"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "OrdersTests",
            dependencies: [
                "Catalog", "Formats", "Config", "StorePort", "Store", "Import", "Feeds", "Orders", "Pipeline", "UnifeedTestSupport", "StoreTestSupport", .product(name: "GRDB", package: "GRDB.swift"),
            ],
            exclude: ["Fixtures"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ReliabilityTests",
            dependencies: [
                "FuzzTargets", "Catalog", "Formats", "Config", "StorePort", "Store", "Import", "Feeds", "Orders", "Pipeline", "UnifeedTestSupport", .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            exclude: ["Corpus"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ServerTests",
            dependencies: ["unifeed", "UnifeedTestSupport", "StoreTestSupport", "Feeds", "Config", "Dashboard", "StorePort", "Catalog", .product(name: "Crypto", package: "swift-crypto")],
            exclude: ["Golden"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "PostgresTests",
            dependencies: [
                "unifeed", "UnifeedTestSupport", "StorePort", .target(name: "PostgresStore", condition: .when(traits: ["PostgreSQL"])),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "CLITests",
            dependencies: ["unifeed", "UnifeedTestSupport"],
            swiftSettings: swiftSettings
        ),
    ],
    swiftLanguageModes: [.v6]
)
