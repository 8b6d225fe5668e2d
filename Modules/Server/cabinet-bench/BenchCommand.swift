import ArgumentParser
import Billing
import CabinetCore
import CabinetServer
import CabinetStorage
import Foundation
import Logging
import Tariffs

/// `cabinet-bench`: measurements the Scripts/bench-*.sh scripts run and summarise. Not shipped to operators.
@main
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cabinet-bench", abstract: "Cabinet's benchmarks (see Scripts/bench-*.sh).",
        subcommands: [
            Rating.self, Seed.self, TopUpSeed.self, BareCommits.self, CabinetCommits.self, BlackListSeed.self,
            AdviceBench.self, CorporateBench.self,
        ])

    struct Seed: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Migrate an empty database and provision lines with accounts (HTTP bench).")

        @Option(help: "Lines to provision (+7 958 000-00-00 upwards, Moscow).") var lines: Int = 10_000
        @Option(help: "Database URL; the database must be empty.") var database: String

        func run() async throws {
            var logger = Logger(label: "cabinet-bench")
            logger.logLevel = .warning
            let db = try await CabinetDatabase.open(try DatabaseURL(parsing: database), logger: logger)
            do {
                _ = try await Migrator(migrations: CabinetModules.migrations).migrate(db, logger: logger)
                let regions = try CabinetModules.regionLoader.loadCatalog(directory: URL(fileURLWithPath: "Regions"))
                let rules = BillingRules(regions: regions)
                let region = RegionID(rawValue: "msk")!
                guard let calendar = rules.calendar(region),
                    let packaged = rules.tariff(TariffID(rawValue: "moy-online")!, in: region),
                    let payg = rules.tariff(TariffID(rawValue: "classic")!, in: region)
                else { throw CabinetError.internal("Regions/msk.yaml must have moy-online and classic") }
                let now = Date()
                try await LineSeeder(database: db, lines: lines, withSubscribers: true)
                    .seed(
                        packaged: packaged, payg: payg, period: calendar.period(containing: now, feePeriod: .month),
                        now: now)
                await db.close()
                print("seeded \(lines) lines")
            } catch {
                await db.close()
                throw error
            }
        }
    }

    struct Rating: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Rate usage through the store and compare with bare inserts.")

        @Option(help: "Lines to spread the events over.") var lines: Int = 10_000
        @Option(help: "Usage events to rate.") var events: Int = 100_000
        @Option(help: "Events per store transaction.") var batch: Int = 2_000
        @Option(help: "Database URL (sqlite:///path or postgres://…); the database must be empty.") var database: String

        func run() async throws {
            var logger = Logger(label: "cabinet-bench")
            logger.logLevel = .warning
            let url = try DatabaseURL(parsing: database)
            let db = try await CabinetDatabase.open(url, logger: logger)
            do {
                _ = try await Migrator(migrations: CabinetModules.migrations).migrate(db, logger: logger)
                let figures = try await RatingBench(
                    database: db, lines: lines, events: events, batch: batch, logger: logger
                ).run()
                await db.close()
                print(
                    String(
                        format:
                            "FIGURES backend=%@ lines=%d events=%d rated=%d events_per_s=%.0f raw_per_s=%.0f ratio=%.3f resend_duplicates=%d charged=%lld ledger=%@ seed_s=%.1f",
                        db.backend.rawValue, lines, events, figures.rated, figures.ratedPerSecond, figures.rawPerSecond,
                        figures.ratedPerSecond / figures.rawPerSecond, figures.duplicatesOnResend, figures.charged,
                        figures.ledgerClean ? "clean" : "BROKEN", figures.seedSeconds))
            } catch {
                await db.close()
                throw error
            }
        }
    }
}
