// swift-tools-version:6.2
// Compares Cabinet's SQL layer (SQLKit over sqlite-nio) with GRDB doing the same point read and small write
// transaction on the same kind of SQLite file. A separate package so GRDB never enters Cabinet's own build.
// Run through Scripts/bench-sql.sh.
import PackageDescription

let package = Package(
    name: "SQLLayerBenchmark",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(path: "../.."),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/vapor/sql-kit.git", from: "3.36.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
    ],
    targets: [
        .executableTarget(
            name: "bench-sql",
            dependencies: [
                .product(name: "CabinetStorage", package: "main"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "SQLKit", package: "sql-kit"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: [.swiftLanguageMode(.v6)]
        )
    ]
)
