// swift-tools-version:6.2
// Cabinet: a mobile operator's subscriber self-service cabinet as embeddable Swift modules.
//
// The shape is fixed in DESIGN.md §1: a kernel (Modules/Kernel), feature modules with four layers each
// (Modules/<Name>/{Core,Storage,HTTP,Testing}) and a composition root (Modules/Server). A small helper below
// turns one `ModuleSpec` line into a module's targets, products and test targets.
import PackageDescription

// MARK: - External packages (only the versions mirrored on the build machines)

let externalPackages: [Package.Dependency] = [
    // Drop Hummingbird's swift-configuration trait: process settings are parsed by CabinetConfiguration.
    .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1", traits: ["FullFoundation"]),
    .package(url: "https://github.com/hummingbird-project/swift-mustache.git", from: "2.1.1"),
    .package(url: "https://github.com/hummingbird-project/hummingbird-auth.git", from: "2.5.0"),
    .package(url: "https://github.com/apple/swift-crypto.git", "3.12.3"..<"5.0.0"),
    .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
    .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
    .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
    .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
    .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
    .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
    .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
    .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
    .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
    .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
    // multipart/form-data for the support form's attachments (a browser's file upload).
    .package(url: "https://github.com/vapor/multipart-kit.git", from: "4.7.1"),
    .package(url: "https://github.com/vapor/sql-kit.git", from: "3.36.0"),
    .package(url: "https://github.com/vapor/sqlite-kit.git", from: "4.5.2"),
    .package(url: "https://github.com/vapor/sqlite-nio.git", from: "1.13.2"),
    .package(url: "https://github.com/vapor/postgres-kit.git", from: "2.17.0"),
    .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
]

extension Target.Dependency {
    static let hummingbird = Self.product(name: "Hummingbird", package: "hummingbird")
    static let hummingbirdTesting = Self.product(name: "HummingbirdTesting", package: "hummingbird")
    static let bcrypt = Self.product(name: "HummingbirdBcrypt", package: "hummingbird-auth")
    static let crypto = Self.product(name: "Crypto", package: "swift-crypto")
    static let asyncHTTPClient = Self.product(name: "AsyncHTTPClient", package: "async-http-client")
    static let mustache = Self.product(name: "Mustache", package: "swift-mustache")
    static let argumentParser = Self.product(name: "ArgumentParser", package: "swift-argument-parser")
    static let logging = Self.product(name: "Logging", package: "swift-log")
    static let metrics = Self.product(name: "Metrics", package: "swift-metrics")
    static let httpTypes = Self.product(name: "HTTPTypes", package: "swift-http-types")
    static let nioCore = Self.product(name: "NIOCore", package: "swift-nio")
    static let nioPosix = Self.product(name: "NIOPosix", package: "swift-nio")
    static let nioHTTP1 = Self.product(name: "NIOHTTP1", package: "swift-nio")
    static let nioSSL = Self.product(name: "NIOSSL", package: "swift-nio-ssl")
    static let prometheus = Self.product(name: "Prometheus", package: "swift-prometheus")
    static let serviceLifecycle = Self.product(name: "ServiceLifecycle", package: "swift-service-lifecycle")
    static let unixSignals = Self.product(name: "UnixSignals", package: "swift-service-lifecycle")
    static let yams = Self.product(name: "Yams", package: "Yams")
    static let multipart = Self.product(name: "MultipartKit", package: "multipart-kit")
    static let sqlKit = Self.product(name: "SQLKit", package: "sql-kit")
    static let sqliteKit = Self.product(name: "SQLiteKit", package: "sqlite-kit")
    static let sqliteNIO = Self.product(name: "SQLiteNIO", package: "sqlite-nio")
    static let postgresKit = Self.product(name: "PostgresKit", package: "postgres-kit")
    static let postgresNIO = Self.product(name: "PostgresNIO", package: "postgres-nio")
}

/// Target names in order, each once (a module's derived test dependencies name some targets by several routes).
func dependencies(on names: [String]) -> [Target.Dependency] {
    var seen = Set<String>()
    return names.filter { seen.insert($0).inserted }.map { .target(name: $0) }
}

// MARK: - Kernel

let kernelTargets: [Target] = [
    .target(
        name: "CabinetCore",
        dependencies: [.logging, .yams],
        path: "Modules/Kernel/CabinetCore",
        resources: [.process("Resources")]
    ),
    .target(
        name: "CabinetStorage",
        dependencies: [
            "CabinetCore", .logging, .metrics, .nioCore, .nioPosix, .sqlKit, .sqliteKit, .sqliteNIO, .postgresKit,
            .postgresNIO,
        ],
        path: "Modules/Kernel/CabinetStorage"
    ),
    .target(
        name: "CabinetMessaging",
        dependencies: ["CabinetCore", "CabinetStorage", .logging, .serviceLifecycle, .nioCore, .nioPosix, .nioSSL],
        path: "Modules/Kernel/CabinetMessaging"
    ),
    .target(
        name: "CabinetHTTP",
        dependencies: ["CabinetCore", .hummingbird, .httpTypes, .mustache, .logging, .metrics, .prometheus, .crypto],
        path: "Modules/Kernel/CabinetHTTP",
        resources: [.copy("Resources/templates"), .copy("Resources/public"), .process("Resources/messages")]
    ),
    .target(
        name: "CabinetTesting",
        dependencies: ["CabinetCore", "CabinetStorage", "CabinetMessaging", .logging],
        path: "Modules/Kernel/CabinetTesting"
    ),
    .target(
        name: "CabinetHTTPTesting",
        dependencies: ["CabinetHTTP", "CabinetCore", .hummingbird, .logging],
        path: "Modules/Kernel/CabinetHTTPTesting"
    ),
    .testTarget(name: "CabinetCoreTests", dependencies: ["CabinetCore", "CabinetTesting"]),
    .testTarget(name: "CabinetStorageTests", dependencies: ["CabinetStorage", "CabinetTesting", .sqlKit]),
    .testTarget(name: "CabinetMessagingTests", dependencies: ["CabinetMessaging", "CabinetStorage", "CabinetTesting"]),
    .testTarget(
        name: "CabinetHTTPTests",
        dependencies: [
            "CabinetHTTP", "CabinetHTTPTesting", "CabinetCore", "CabinetTesting", .hummingbird, .hummingbirdTesting,
            .httpTypes,
        ]),
]

// MARK: - Feature modules

/// One feature module: `Modules/<name>/{Core,Storage,HTTP,Testing}` become the targets `<name>`, `<name>Storage`,
/// `<name>HTTP` and `<name>Testing`, each also a library product, plus `<name>Tests`, `<name>StorageTests` and
/// `<name>HTTPTests` under `Tests/`. A module whose issue has not yet built a layer lists only the layers it has.
///
/// Dependencies follow from `uses` (the modules whose Core this module's Core may import): the Testing target gets
/// theirs, and every test target gets the module's own layers, its Testing target and everything that one uses.
struct ModuleSpec {
    enum Layer { case core, storage, http, adapters, testing }

    var name: String
    /// Other modules whose *Core* this module's Core may import. Must stay acyclic.
    var uses: [String] = []
    var layers: Set<Layer> = [.core, .storage, .http, .testing]
    /// Resources inside Core (message catalogues).
    var coreResources: [Resource] = [.process("Resources")]
    var httpResources: [Resource] = []
    /// Another package's products the Core needs that pull in no HTTP (bcrypt, swift-crypto).
    var coreProducts: [Target.Dependency] = []
    /// Another package's products the HTTP target needs.
    var httpProducts: [Target.Dependency] = []
    /// Another package's products the Adapters target needs (the HTTP client of outbound adapters).
    var adapterProducts: [Target.Dependency] = []
    /// Another package's products the module's tests need besides the usual ones.
    var testProducts: [Target.Dependency] = []

    var storage: String? { layers.contains(.storage) ? "\(name)Storage" : nil }
    var http: String? { layers.contains(.http) ? "\(name)HTTP" : nil }
    /// Outbound adapters (an acquirer's API, an identity provider) beside the protocol they implement, kept out of
    /// Core (they need an HTTP client) and out of the HTTP target (they are not the cabinet's API).
    var adapters: String? { layers.contains(.adapters) ? "\(name)Adapters" : nil }
    var testing: String? { layers.contains(.testing) ? "\(name)Testing" : nil }

    /// The modules this one uses, as specs.
    var used: [ModuleSpec] { uses.compactMap { use in modules.first { $0.name == use } } }

    /// What the Testing target builds on: the module's Core and Storage, the kernel, and the used modules' Core,
    /// Storage and Testing (test beds wire real stores of the modules they sit on).
    var testingTargets: [String] {
        [name] + [storage].compactMap { $0 } + ["CabinetCore", "CabinetStorage", "CabinetMessaging", "CabinetTesting"]
            + used.flatMap { [$0.name] + [$0.storage, $0.testing].compactMap { $0 } }
    }

    var targets: [Target] {
        let dir = "Modules/\(name)"
        let testBase =
            [name, "CabinetCore", "CabinetTesting"] + [adapters].compactMap { $0 }
            + (testing.map { [$0] + testingTargets } ?? [])
        var result: [Target] = [
            .target(
                name: name,
                dependencies: dependencies(on: ["CabinetCore"] + uses) + [.logging] + coreProducts,
                path: "\(dir)/Core",
                resources: coreResources
            ),
            .testTarget(name: "\(name)Tests", dependencies: dependencies(on: testBase) + [.logging] + testProducts),
        ]
        if let storage {
            result += [
                .target(
                    name: storage,
                    dependencies: dependencies(on: [name, "CabinetStorage", "CabinetMessaging"] + uses) + [
                        .sqlKit, .logging,
                    ],
                    path: "\(dir)/Storage"),
                .testTarget(
                    name: "\(storage)Tests",
                    dependencies: dependencies(on: [storage] + testBase + ["CabinetStorage"]) + [.sqlKit, .logging]
                        + testProducts),
            ]
        }
        if let http {
            result += [
                .target(
                    name: http,
                    dependencies: dependencies(on: [name, "CabinetCore", "CabinetHTTP"] + uses) + [
                        .hummingbird, .httpTypes, .logging,
                    ]
                        + httpProducts,
                    path: "\(dir)/HTTP",
                    resources: httpResources
                ),
                .testTarget(
                    name: "\(http)Tests",
                    dependencies: dependencies(on: [http] + testBase + ["CabinetHTTP", "CabinetHTTPTesting"])
                        + [.hummingbird, .hummingbirdTesting, .httpTypes, .logging] + httpProducts + testProducts),
            ]
        }
        if let adapters {
            result.append(
                .target(
                    name: adapters,
                    dependencies: dependencies(on: [name, "CabinetCore"]) + [.httpTypes, .logging] + adapterProducts,
                    path: "\(dir)/Adapters"))
        }
        if let testing {
            result.append(
                .target(
                    name: testing, dependencies: dependencies(on: testingTargets) + [.logging], path: "\(dir)/Testing"))
        }
        return result
    }

    /// The layers a server links (everything but Testing).
    var runtimeTargets: [Target.Dependency] {
        dependencies(on: [name] + [storage, http, adapters].compactMap { $0 })
    }

    var products: [Product] {
        ([name] + [storage, http, adapters, testing].compactMap { $0 }).map { .library(name: $0, targets: [$0]) }
    }
}

let modules: [ModuleSpec] = [
    .init(name: "Subscribers"),
    .init(
        name: "Auth", uses: ["Subscribers"], layers: [.core, .storage, .http, .adapters, .testing],
        httpResources: [.copy("Resources/templates")], coreProducts: [.bcrypt, .crypto],
        adapterProducts: [.asyncHTTPClient, .nioCore, .nioHTTP1], testProducts: [.crypto, .asyncHTTPClient]),
    .init(name: "Tariffs", httpResources: [.copy("Resources/templates")]),
    .init(name: "Billing", uses: ["Tariffs", "Subscribers"], httpResources: [.copy("Resources/templates")]),
    .init(
        name: "Services", uses: ["Billing", "Tariffs", "Subscribers", "Support"],
        httpResources: [.copy("Resources/templates")]),
    .init(
        name: "Payments", uses: ["Billing", "Subscribers"], layers: [.core, .storage, .http, .adapters, .testing],
        httpResources: [.copy("Resources/templates")], coreProducts: [.crypto],
        adapterProducts: [.asyncHTTPClient, .nioCore, .nioHTTP1], testProducts: [.asyncHTTPClient, .nioCore]),
    .init(
        name: "Support", uses: ["Auth", "Billing", "Tariffs", "Subscribers"],
        httpResources: [.copy("Resources/templates"), .copy("Resources/scripts")],
        coreProducts: [.bcrypt, .crypto], httpProducts: [.multipart], testProducts: [.crypto]),
    .init(
        name: "Corporate", uses: ["Auth", "Services", "Billing", "Tariffs", "Subscribers", "Payments"],
        httpResources: [.copy("Resources/templates")]),
]

// MARK: - PDF statements

/// libharu from Debian (`libhpdf-dev`) and Billing's PDF renderer on it: a separate target, so whoever embeds Billing
/// without PDF statements needs no C library.
let pdfTargets: [Target] = [
    .systemLibrary(name: "CHaru", path: "Modules/Kernel/CHaru", providers: [.apt(["libhpdf-dev"])]),
    .target(name: "CabinetPDF", dependencies: ["CHaru"], path: "Modules/Kernel/CabinetPDF"),
    .target(name: "BillingPDF", dependencies: ["Billing", "CabinetCore", "CabinetPDF"], path: "Modules/Billing/PDF"),
    .target(
        name: "CorporatePDF", dependencies: ["Corporate", "CabinetCore", "CabinetPDF"], path: "Modules/Corporate/PDF"),
    // Invoices, acts and their numbers, mailing and PDFs: the document service over the real renderer and both
    // databases.
    .testTarget(
        name: "CorporatePDFTests",
        dependencies: [
            "CorporatePDF", "CabinetPDF", "Corporate", "CorporateStorage", "CorporateTesting", "CabinetCore",
            "CabinetMessaging", "CabinetStorage", "CabinetTesting", "Billing", "BillingStorage", "BillingTesting",
            "Services", "ServicesTesting", "Subscribers", .logging,
        ]),
    .testTarget(
        name: "BillingPDFTests",
        dependencies: ["BillingPDF", "CabinetPDF", "Billing", "CabinetCore", "CabinetTesting", "Tariffs"]),
]

// MARK: - Server

let serverTargets: [Target] = [
    .target(
        name: "CabinetServer",
        dependencies: [
            "CabinetCore", "CabinetStorage", "CabinetMessaging", "CabinetHTTP",
            .hummingbird, .logging, .metrics, .prometheus, .serviceLifecycle, .unixSignals, .asyncHTTPClient,
            .nioCore, .nioHTTP1,
        ] + modules.flatMap(\.runtimeTargets) + ["BillingPDF", "CorporatePDF"],
        path: "Modules/Server/CabinetServer",
        resources: [.copy("Resources/openapi.yaml")]
    ),
    .executableTarget(
        name: "cabinet",
        dependencies: [
            "CabinetServer", "CabinetCore", "CabinetStorage", "Subscribers", "Auth", "Billing", "Support", .hummingbird,
            .argumentParser,
            .logging,
        ],
        path: "Modules/Server/cabinet"
    ),
    // Measurements for Scripts/bench-*.sh; links the same modules as the server.
    .executableTarget(
        name: "cabinet-bench",
        dependencies: [
            "CabinetServer", "CabinetCore", "CabinetStorage", "Auth", "Billing", "BillingStorage", "Tariffs",
            "TariffsStorage", "Payments", "Subscribers", "Corporate", .argumentParser,
            .logging, .sqlKit,
        ],
        path: "Modules/Server/cabinet-bench"
    ),
    .testTarget(
        name: "CabinetServerTests",
        dependencies: [
            "CabinetServer", "CabinetCore", "CabinetStorage", "CabinetMessaging", "CabinetHTTP", "CabinetTesting",
            "Subscribers", "Billing", "Tariffs", "Support", "PaymentsAdapters", .hummingbird, .hummingbirdTesting,
            .httpTypes,
            .sqlKit, .yams,
        ],
        resources: [.copy("BrokenRegions")]
    ),
]

let package = Package(
    name: "Cabinet",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "CabinetCore", targets: ["CabinetCore"]),
        .library(name: "CabinetStorage", targets: ["CabinetStorage"]),
        .library(name: "CabinetMessaging", targets: ["CabinetMessaging"]),
        .library(name: "CabinetHTTP", targets: ["CabinetHTTP"]),
        .library(name: "CabinetTesting", targets: ["CabinetTesting"]),
        .library(name: "CabinetServer", targets: ["CabinetServer"]),
        .library(name: "CabinetPDF", targets: ["CabinetPDF"]),
        .library(name: "BillingPDF", targets: ["BillingPDF"]),
        .library(name: "CorporatePDF", targets: ["CorporatePDF"]),
        .executable(name: "cabinet", targets: ["cabinet"]),
    ] + modules.flatMap(\.products),
    dependencies: externalPackages,
    targets: kernelTargets + modules.flatMap(\.targets) + pdfTargets + serverTargets
)

// MARK: - One strict-settings block for every target

for target in package.targets where [.regular, .executable, .test].contains(target.type) {
    target.swiftSettings =
        (target.swiftSettings ?? []) + [
            .swiftLanguageMode(.v6),
            .enableUpcomingFeature("ExistentialAny"),  // SE-0335: every existential spelled `any`
            .enableUpcomingFeature("MemberImportVisibility"),  // SE-0444: no members through transitive imports
            .enableUpcomingFeature("InternalImportsByDefault"),  // SE-0409: a Core cannot leak what it imports
        ]
}
