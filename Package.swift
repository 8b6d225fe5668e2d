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
    static let yams = Self.product(name: "Yams", package: "Yams")
    static let sqlKit = Self.product(name: "SQLKit", package: "sql-kit")
    static let sqliteKit = Self.product(name: "SQLiteKit", package: "sqlite-kit")
    static let sqliteNIO = Self.product(name: "SQLiteNIO", package: "sqlite-nio")
    static let postgresKit = Self.product(name: "PostgresKit", package: "postgres-kit")
    static let postgresNIO = Self.product(name: "PostgresNIO", package: "postgres-nio")
}

/// Drops repeated dependencies (a module's extra test dependencies often repeat the ones every test target gets;
/// SwiftPM warns about each repeat).
func unique(_ dependencies: [Target.Dependency]) -> [Target.Dependency] {
    var seen = Set<String>()
    // `"Name"` and `.target(name: "Name")` are the same target, so the key leaves out the case name.
    return dependencies.filter {
        let text = String(describing: $0)
        return seen.insert(String(text.drop { $0 != "(" })).inserted
    }
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
    .testTarget(name: "CabinetCoreTests", dependencies: ["CabinetCore", "CabinetTesting"]),
    .testTarget(name: "CabinetStorageTests", dependencies: ["CabinetStorage", "CabinetTesting", .sqlKit]),
    .testTarget(name: "CabinetMessagingTests", dependencies: ["CabinetMessaging", "CabinetStorage", "CabinetTesting"]),
    .testTarget(name: "CabinetHTTPTests", dependencies: ["CabinetHTTP", "CabinetCore", "CabinetTesting", .hummingbird, .hummingbirdTesting, .httpTypes]),
]

// MARK: - Feature modules

/// One feature module: `Modules/<name>/{Core,Storage,HTTP,Testing}` become the targets `<name>`, `<name>Storage`,
/// `<name>HTTP` and `<name>Testing`, each also a library product, plus `<name>Tests`, `<name>StorageTests` and
/// `<name>HTTPTests` under `Tests/`. A module whose issue has not yet built a layer lists only the layers it has.
struct ModuleSpec {
    enum Layer { case core, storage, http, testing }

    var name: String
    /// Other modules whose *Core* this module's Core may import. Must stay acyclic.
    var uses: [String] = []
    var layers: Set<Layer> = [.core, .storage, .http, .testing]
    /// Resources inside Core (message catalogues).
    var coreResources: [Resource] = [.process("Resources")]
    var httpResources: [Resource] = []
    /// Extra dependencies of the Core (another package's product that pulls in no HTTP, e.g. bcrypt, swift-crypto).
    var coreDependencies: [Target.Dependency] = []
    /// Extra dependencies of the Storage target (the outbox of CabinetMessaging).
    var storageDependencies: [Target.Dependency] = []
    var httpDependencies: [Target.Dependency] = []
    var testingDependencies: [Target.Dependency] = []
    /// Extra dependencies of every test target of the module.
    var testDependencies: [Target.Dependency] = []

    var targets: [Target] {
        let dir = "Modules/\(name)"
        let core = Target.Dependency.target(name: name)
        var result: [Target] = [
            .target(
                name: name,
                dependencies: ["CabinetCore", .logging] + uses.map { .target(name: $0) } + coreDependencies,
                path: "\(dir)/Core",
                resources: coreResources
            ),
            .testTarget(
                name: "\(name)Tests",
                dependencies: unique(
                    [core, "CabinetCore", "CabinetTesting"] + (layers.contains(.testing) ? [.target(name: "\(name)Testing")] : [])
                        + testDependencies)
            ),
        ]
        if layers.contains(.storage) {
            result += [
                .target(
                    name: "\(name)Storage", dependencies: unique([core, "CabinetStorage", .sqlKit, .logging] + storageDependencies),
                    path: "\(dir)/Storage"),
                .testTarget(
                    name: "\(name)StorageTests",
                    dependencies: unique(
                        [.target(name: "\(name)Storage"), core, "CabinetCore", "CabinetStorage", "CabinetTesting", .sqlKit]
                            + (layers.contains(.testing) ? [.target(name: "\(name)Testing")] : []) + testDependencies)
                ),
            ]
        }
        if layers.contains(.http) {
            result += [
                .target(
                    name: "\(name)HTTP",
                    dependencies: unique([core, "CabinetCore", "CabinetHTTP", .hummingbird, .httpTypes, .logging] + httpDependencies),
                    path: "\(dir)/HTTP",
                    resources: httpResources
                ),
                .testTarget(
                    name: "\(name)HTTPTests",
                    dependencies: unique(
                        [
                            .target(name: "\(name)HTTP"), core, "CabinetCore", "CabinetHTTP", "CabinetTesting", .hummingbird,
                            .hummingbirdTesting, .httpTypes,
                        ]
                            + (layers.contains(.testing) ? [.target(name: "\(name)Testing")] : []) + testDependencies)
                ),
            ]
        }
        if layers.contains(.testing) {
            result.append(
                .target(
                    name: "\(name)Testing", dependencies: unique([core, "CabinetCore", "CabinetTesting", .logging] + testingDependencies),
                    path: "\(dir)/Testing")
            )
        }
        return result
    }

    /// The layers a server links (everything but Testing).
    var runtimeTargets: [Target.Dependency] {
        var names = [name]
        if layers.contains(.storage) { names.append("\(name)Storage") }
        if layers.contains(.http) { names.append("\(name)HTTP") }
        return names.map { .target(name: $0) }
    }

    var products: [Product] {
        var names = [name]
        if layers.contains(.storage) { names.append("\(name)Storage") }
        if layers.contains(.http) { names.append("\(name)HTTP") }
        if layers.contains(.testing) { names.append("\(name)Testing") }
        return names.map { .library(name: $0, targets: [$0]) }
    }
}

let modules: [ModuleSpec] = [
    .init(name: "Subscribers"),
    // The modules below carry only their region-file settings so far; their issues add the other layers.
    .init(
        name: "Auth", uses: ["Subscribers"], httpResources: [.copy("Resources/templates")], coreDependencies: [.bcrypt, .crypto],
        storageDependencies: ["CabinetMessaging"], httpDependencies: ["Subscribers", .asyncHTTPClient, .nioCore, .nioHTTP1],
        testingDependencies: ["AuthStorage", "Subscribers", "SubscribersTesting", "CabinetStorage", "CabinetMessaging"],
        testDependencies: [
            "AuthStorage", "Subscribers", "SubscribersTesting", "CabinetStorage", "CabinetMessaging", .sqlKit, .asyncHTTPClient,
            .crypto,
        ]),
    .init(
        name: "Tariffs", httpResources: [.copy("Resources/templates")],
        testingDependencies: ["TariffsStorage", "CabinetStorage"],
        testDependencies: ["TariffsStorage", "CabinetStorage", .sqlKit]),
    .init(
        name: "Billing", uses: ["Tariffs", "Subscribers"], httpResources: [.copy("Resources/templates")],
        storageDependencies: ["Tariffs", "TariffsStorage", "CabinetMessaging"],
        httpDependencies: ["Tariffs", "Subscribers"],
        testingDependencies: [
            "BillingStorage", "Tariffs", "TariffsStorage", "TariffsTesting", "Subscribers", "SubscribersTesting", "CabinetStorage",
            "CabinetMessaging",
        ],
        testDependencies: [
            "BillingStorage", "Tariffs", "TariffsStorage", "TariffsTesting", "Subscribers", "SubscribersTesting", "CabinetStorage",
            "CabinetMessaging", .sqlKit,
        ]),
    .init(name: "Services", uses: ["Tariffs"], layers: [.core]),
    .init(
        name: "Payments", uses: ["Billing", "Subscribers"], httpResources: [.copy("Resources/templates")],
        coreDependencies: [.crypto], storageDependencies: ["CabinetMessaging", "BillingStorage"],
        httpDependencies: ["Billing", "Subscribers", .asyncHTTPClient, .nioCore, .nioHTTP1],
        testingDependencies: [
            "PaymentsStorage", "Billing", "BillingStorage", "BillingTesting", "Subscribers", "SubscribersTesting", "CabinetStorage",
        ],
        testDependencies: [
            "PaymentsStorage", "Billing", "BillingStorage", "BillingTesting", "Subscribers", "SubscribersTesting", "CabinetStorage",
            "CabinetMessaging", .sqlKit,
        ]),
    .init(name: "Support", layers: [.core]),
]

// MARK: - PDF statements

/// libharu from Debian (`libhpdf-dev`) and Billing's PDF renderer on it: a separate target, so whoever embeds Billing
/// without PDF statements needs no C library.
let pdfTargets: [Target] = [
    .systemLibrary(name: "CHaru", path: "Modules/Kernel/CHaru", providers: [.apt(["libhpdf-dev"])]),
    .target(name: "BillingPDF", dependencies: ["Billing", "CabinetCore", "CHaru"], path: "Modules/Billing/PDF"),
    .testTarget(name: "BillingPDFTests", dependencies: ["BillingPDF", "Billing", "CabinetCore", "CabinetTesting", "Tariffs"]),
]

// MARK: - Server

let serverTargets: [Target] = [
    .target(
        name: "CabinetServer",
        dependencies: [
            "CabinetCore", "CabinetStorage", "CabinetMessaging", "CabinetHTTP",
            .hummingbird, .logging, .metrics, .prometheus, .serviceLifecycle, .asyncHTTPClient,
        ] + modules.flatMap(\.runtimeTargets) + ["BillingPDF"],
        path: "Modules/Server/CabinetServer",
        resources: [.copy("Resources/openapi.yaml")]
    ),
    .executableTarget(
        name: "cabinet",
        dependencies: ["CabinetServer", "CabinetCore", "CabinetStorage", "Subscribers", "Auth", "Billing", .hummingbird, .argumentParser,
                       .logging],
        path: "Modules/Server/cabinet"
    ),
    // Measurements for Scripts/bench-*.sh; links the same modules as the server.
    .executableTarget(
        name: "cabinet-bench",
        dependencies: ["CabinetServer", "CabinetCore", "CabinetStorage", "Auth", "Billing", "BillingStorage", "Tariffs", "Payments", .argumentParser,
                       .logging, .sqlKit],
        path: "Modules/Server/cabinet-bench"
    ),
    .testTarget(
        name: "CabinetServerTests",
        dependencies: [
            "CabinetServer", "CabinetCore", "CabinetStorage", "CabinetMessaging", "CabinetHTTP", "CabinetTesting",
            "Subscribers", "Billing", "Tariffs", "PaymentsHTTP", .hummingbird, .hummingbirdTesting, .httpTypes, .sqlKit, .yams,
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
        .library(name: "BillingPDF", targets: ["BillingPDF"]),
        .executable(name: "cabinet", targets: ["cabinet"]),
    ] + modules.flatMap(\.products),
    dependencies: externalPackages,
    targets: kernelTargets + modules.flatMap(\.targets) + pdfTargets + serverTargets
)

// MARK: - One strict-settings block for every target

for target in package.targets where [.regular, .executable, .test].contains(target.type) {
    target.swiftSettings = (target.swiftSettings ?? []) + [
        .swiftLanguageMode(.v6),
        .enableUpcomingFeature("ExistentialAny"),  // SE-0335: every existential spelled `any`
        .enableUpcomingFeature("MemberImportVisibility"),  // SE-0444: no members through transitive imports
        .enableUpcomingFeature("InternalImportsByDefault"),  // SE-0409: a Core cannot leak what it imports
    ]
}
