import ArgumentParser
import Billing
import CabinetCore
import CabinetServer
import CabinetStorage
import Corporate
import Foundation
import Logging
import SQLKit
import Subscribers
import Tariffs

/// `cabinet-bench corporate`: a company of `--lines` lines (+7 958 000-00-00 upwards, Moscow) with `--events` rated
/// events this month, `--admins` admins (the first lines' numbers); then the month's expense report through
/// Corporate beside a bare grouped query of the same rows (medians of `--repeat` runs), and a bulk tariff change over
/// every line (dry run, then the bulk job until done). Prints `FIGURES report_s=… bare_s=… ratio=… plan_s=…
/// bulk_lines_per_s=… done=… refused=…`. `--seed-only` stops after seeding (for the page measurement over HTTP).
struct CorporateBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "corporate", abstract: "Seed a 10,000-line company; time its expense report and a bulk change.")

    @Option(help: "Lines of the company.") var lines: Int = 10_000
    @Option(help: "Rated events this month, spread over the lines.") var events: Int = 3_000_000
    @Option(help: "Admins (the first lines' numbers).") var admins: Int = 16
    @Option(help: "Timed runs of the report and the bare query (the median is printed).") var `repeat`: Int = 5
    @Option(help: "Database URL; the database must be empty.") var database: String
    @Flag(help: "Only seed.") var seedOnly = false

    static let company = "7707083893"

    func run() async throws {
        var logger = Logger(label: "cabinet-bench")
        logger.logLevel = .warning
        let url = try DatabaseURL(parsing: database)
        let db = try await CabinetDatabase.open(url, logger: logger)
        let now = Date()
        do {
            _ = try await Migrator(migrations: CabinetModules.migrations).migrate(db, logger: logger)
            try await seed(db, now: now)
            await db.close()
        } catch {
            await db.close()
            throw error
        }
        print("seeded \(lines) lines, \(events) events, \(admins) admins")
        guard !seedOnly else { return }
        var configuration = CabinetConfiguration()
        configuration.database = url
        configuration.regionsDirectory = URL(fileURLWithPath: "Regions")
        configuration.sandboxGateway = true
        let runtime = try await CabinetRuntime.start(configuration: configuration, dependencies: .init(logger: logger))
        do {
            try await measure(runtime, now: now)
            await runtime.close()
        } catch {
            await runtime.close()
            throw error
        }
    }

    func seed(_ db: CabinetDatabase, now: Date) async throws {
        let regions = try CabinetModules.regionLoader.loadCatalog(directory: URL(fileURLWithPath: "Regions"))
        let rules = BillingRules(regions: regions)
        guard let msk = RegionID(rawValue: "msk"), let calendar = rules.calendar(msk),
            let packaged = rules.tariff(TariffID(rawValue: "moy-online")!, in: msk),
            let payg = rules.tariff(TariffID(rawValue: "classic")!, in: msk), let zone = regions.region(msk)?.timeZone
        else { throw CabinetError.internal("Regions/msk.yaml must have moy-online and classic") }
        try await LineSeeder(database: db, lines: lines, withSubscribers: true)
            .seed(packaged: packaged, payg: payg, period: calendar.period(containing: now, feePeriod: .month), now: now)
        let created = now.storageMilliseconds
        try await db.write { db in
            try await db.raw("UPDATE subscribers_line SET company_id = \(bind: Self.company)").run()
            try await db.raw(
                """
                INSERT INTO corporate_company (id, name, inn, kpp, legal_address, region, contract_number, created_at)
                VALUES (\(bind: Self.company), 'ООО «Бенч»', \(bind: Self.company), '770701001', 'Москва', 'msk',
                        'B-1', \(bind: created))
                """
            ).run()
            for index in 0..<admins {
                try await db.raw(
                    """
                    INSERT INTO corporate_admin (company_id, msisdn, name, scopes, group_ids, created_at)
                    VALUES (\(bind: Self.company), \(bind: LineSeeder.msisdn(index).e164), \(bind: "Админ \(index)"),
                            'owner', '', \(bind: created))
                    """
                ).run()
            }
        }
        // A month of usage: rated rows as rating leaves them, spread over the lines and the month so far.
        let today = LocalDate(now, in: zone)
        let start = (LocalDate(year: today.year, month: today.month, day: 1) ?? today).startOfDay(in: zone)
            .storageMilliseconds
        let span = max(1, created - start - 1000)
        let kinds = ["call", "sms", "data"]
        var random = SplitMix(seed: 42)
        let chunk = 20_000
        for first in stride(from: 0, to: events, by: chunk) {
            var rows: [[SQLValue]] = []
            rows.reserveCapacity(chunk)
            for index in first..<min(events, first + chunk) {
                let line = Int64(index % lines + 1)
                let kind = kinds[index % 3]
                let units: Int64 = kind == "call" ? 60 : kind == "sms" ? 1 : 1024
                rows.append([
                    .text("b\(index)"), .int(line), .word(kind), .int(start + Int64(random.next() % UInt64(span))),
                    .int(units), .int(units), .int(0), .int(Int64(random.next() % 500)), .word("RUB"), .int(created),
                ])
            }
            let batch = rows
            try await db.write { db in
                try await SQLBatch.insert(
                    """
                    INSERT INTO billing_usage (event_id, subscriber_id, kind, occurred_at, quantity, units, from_package,
                        charged, currency, rated_at)
                    """, rows: batch, on: db)
            }
        }
        // What rating keeps beside the rows: each line's spending this month (the seed's only charges are usage);
        // and the company's ledger account, so its lines' charges in the bulk change are paid by it, as in service.
        try await db.write { db in
            try await db.raw(
                """
                INSERT INTO billing_month_spending (subscriber_id, month_start, amount)
                SELECT subscriber_id, \(bind: start), CAST(SUM(charged) AS BIGINT) FROM billing_usage
                WHERE occurred_at >= \(bind: start) GROUP BY subscriber_id
                """
            ).run()
            try await db.raw(
                """
                INSERT INTO billing_account (code, currency, holder, created_at)
                VALUES (\(bind: "company:" + Self.company), 'RUB', 'ООО «Бенч»', \(bind: created))
                """
            ).run()
        }
        // A service's tables are vacuumed by autovacuum in their steady state; a table loaded a moment ago is not yet,
        // and its index-only scans would fetch every heap page (what the report's reads are measured against is a
        // table in service).
        if db.backend == .postgres {
            try await db.read { db in try await db.raw("VACUUM (ANALYZE) billing_usage").run() }
        }
    }

    func measure(_ runtime: CabinetRuntime, now: Date) async throws {
        let service = runtime.services.corporate.service
        let owner = try await runtime.services.subscribers.service.line(msisdn: LineSeeder.msisdn(0))
        guard let owner else { throw CabinetError.internal("the first line is missing") }
        let access = try await service.access(
            for: SessionInfo(
                id: "bench", subscriberID: owner.id, msisdn: owner.msisdn, steppedUpAt: nil,
                passwordChangeRequired: false, csrfToken: ""))
        let zone = runtime.regions.region(owner.region)?.timeZone ?? .gmt
        let today = LocalDate(now, in: zone)
        let start = (LocalDate(year: today.year, month: today.month, day: 1) ?? today).startOfDay(in: zone)
        var reportTimes: [Double] = []
        var bareTimes: [Double] = []
        var rows = 0
        for _ in 0..<max(1, `repeat`) {
            let began = Date()
            let report = try await service.expenseReport(access, month: nil)
            reportTimes.append(Date().timeIntervalSince(began))
            rows = report.rows.count
            let bare = Date()
            let from = start.storageMilliseconds
            let to = now.addingTimeInterval(86_400).storageMilliseconds
            _ = try await runtime.database.read { db in
                try await db.raw(
                    """
                    SELECT subscriber_id, kind, CAST(SUM(charged) AS BIGINT) AS charged FROM billing_usage
                    WHERE occurred_at >= \(bind: from) AND occurred_at < \(bind: to) GROUP BY subscriber_id, kind
                    """
                ).all().count
            }
            bareTimes.append(Date().timeIntervalSince(bare))
        }
        let reportSeconds = reportTimes.sorted()[reportTimes.count / 2]
        let bareSeconds = bareTimes.sorted()[bareTimes.count / 2]
        // A bulk tariff change over every line: planned for the next period (no fee today).
        let planned = Date()
        let bulk = try await service.planBulk(
            access, action: .changeTariff(TariffID(rawValue: "bezlimit")!, .nextPeriod),
            selection: .lines(
                (0..<lines).map { LineSeeder.msisdn($0) }))
        let planSeconds = Date().timeIntervalSince(planned)
        _ = try await service.startBulk(access, id: bulk.id)
        let ran = Date()
        while try await service.bulk(access, id: bulk.id).status != .done {
            _ = try await service.runBulkJob(lines: 2000)
        }
        let runSeconds = Date().timeIntervalSince(ran)
        let done = try await service.bulk(access, id: bulk.id)
        print(
            String(
                format: "FIGURES report_s=%.3f bare_s=%.3f ratio=%.2f report_lines=%d plan_s=%.2f bulk_s=%.2f "
                    + "bulk_lines_per_s=%.0f done=%d refused=%d failed=%d",
                reportSeconds, bareSeconds, reportSeconds / max(bareSeconds, 0.000_001), rows, planSeconds, runSeconds,
                Double(done.processed) / max(runSeconds, 0.001), done.done, done.refused, done.failed))
    }
}
