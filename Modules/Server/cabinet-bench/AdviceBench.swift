import ArgumentParser
import Billing
import CabinetCore
import CabinetServer
import CabinetStorage
import Foundation
import Logging
import SQLKit
import Subscribers
import Synchronization

/// `cabinet-bench advice`: a line with `--per-month` rated events in each of the last three whole months, then the
/// tariff advisor (every open tariff of the region replayed) beside a bare query of those events, each timed
/// `--repeat` times on one database. Prints `FIGURES advice_ms=… bare_ms=… events=… tariffs=…` (medians).
struct AdviceBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "advice", abstract: "Time the tariff advisor against a bare query of the line's events.")

    @Option(help: "Rated events per month (three months).") var perMonth: Int = 10_000
    @Option(help: "Timed runs of each (the median is printed).") var `repeat`: Int = 15
    @Option(help: "Database URL; the database must be empty.") var database: String

    /// A clock the seeding moves through the past months.
    final class MovingClock: WallClock {
        let instant: Mutex<Date>
        init(_ start: Date) { instant = Mutex(start) }
        var now: Date { instant.withLock { $0 } }
        func set(_ date: Date) { instant.withLock { $0 = date } }
    }

    func run() async throws {
        var logger = Logger(label: "cabinet-bench")
        logger.logLevel = .warning
        var configuration = CabinetConfiguration()
        configuration.database = try DatabaseURL(parsing: database)
        configuration.regionsDirectory = URL(fileURLWithPath: "Regions")
        configuration.sandboxGateway = true
        let real = Date()
        let clock = MovingClock(real.addingTimeInterval(-125 * 86_400))
        let runtime = try await CabinetRuntime.start(
            configuration: configuration, dependencies: .init(clock: clock, logger: logger))
        do {
            try await measure(runtime, clock: clock, now: real)
            await runtime.close()
        } catch {
            await runtime.close()
            throw error
        }
    }

    func measure(_ runtime: CabinetRuntime, clock: MovingClock, now: Date) async throws {
        let billing = runtime.services.billing.service
        guard let msk = RegionID(rawValue: "msk"), let msisdn = MSISDN(e164: "+79580000001"),
            let calendar = runtime.regions.region(msk).flatMap(BillingCalendar.init(region:))
        else { throw CabinetError.internal("Regions/msk.yaml is needed") }
        let line = try await runtime.services.subscribers.service.provision(
            NewLine(msisdn: msisdn, region: msk, activatedOn: LocalDate(clock.now, in: calendar.timeZone)))
        let access = LineAccess.owned(line.id, msisdn: line.msisdn, region: line.region)
        // The three whole months before the current one, each with its events spread over its days.
        let current = calendar.period(containing: now, feePeriod: .month)
        var months: [BillingPeriod] = []
        var start = current.start
        for _ in 0..<3 {
            let earlier = calendar.period(containing: start.addingTimeInterval(-1), feePeriod: .month)
            months.insert(earlier, at: 0)
            start = earlier.start
        }
        var generator = SplitMix(seed: 7)
        var seeded = 0
        let seedStart = ContinuousClock.now
        for (monthIndex, month) in months.enumerated() {
            let step = month.length / Double(perMonth)
            var batch: [UsageEvent] = []
            for index in 0..<perMonth {
                let at = month.start.addingTimeInterval(Double(index) * step + 1)
                let id = "adv-\(monthIndex)-\(index)"
                switch generator.next() % 10 {
                case 0...4:
                    batch.append(
                        UsageEvent(
                            eventID: id, msisdn: msisdn, kind: .call, occurredAt: at,
                            quantity: Int64(20 + generator.next() % 300), callKind: .offNet,
                            otherParty: "+79161234567"))
                case 5, 6:
                    batch.append(
                        UsageEvent(
                            eventID: id, msisdn: msisdn, kind: .sms, occurredAt: at, quantity: 1,
                            otherParty: "+79161234567"))
                default:
                    batch.append(
                        UsageEvent(
                            eventID: id, msisdn: msisdn, kind: .data, occurredAt: at,
                            quantity: Int64(100_000 + generator.next() % 5_000_000)))
                }
                if batch.count == 2_000 {
                    seeded += try await ingest(batch, billing: billing, clock: clock)
                    batch.removeAll()
                }
            }
            if !batch.isEmpty { seeded += try await ingest(batch, billing: billing, clock: clock) }
        }
        clock.set(now)
        while try await billing.runDueFees() > 0 {}
        let seedSeconds = ContinuousClock.now - seedStart
        print("seeded \(seeded) rated events in \(seedSeconds)")

        // The bare query: the same rows, read with nothing done to them.
        let from = months[0].start.storageMilliseconds
        let to = current.start.storageMilliseconds
        let database = runtime.database
        var bare: [Double] = []
        var advice: [Double] = []
        var events = 0
        var tariffs = 0
        for _ in 0..<max(1, `repeat`) {
            let bareStart = ContinuousClock.now
            let rows = try await database.read { db in
                try await db.raw(
                    """
                    SELECT event_id, kind, call_kind, occurred_at, units, from_package, charged, currency, other_party
                    FROM billing_usage WHERE subscriber_id = \(bind: line.id.rawValue)
                      AND occurred_at >= \(bind: from) AND occurred_at < \(bind: to) ORDER BY occurred_at, event_id
                    """
                ).all().count
            }
            bare.append(milliseconds(ContinuousClock.now - bareStart))
            let adviceStart = ContinuousClock.now
            let answer = try await billing.advice(access)
            advice.append(milliseconds(ContinuousClock.now - adviceStart))
            events = answer.events
            tariffs = answer.estimates.count
            guard rows == events else {
                throw CabinetError.internal("the bare query saw \(rows), the advisor \(events)")
            }
        }
        print(
            "FIGURES advice_ms=\(format(median(advice))) bare_ms=\(format(median(bare))) events=\(events) "
                + "tariffs=\(tariffs) ratio=\(format(median(advice) / max(0.001, median(bare))))")
    }

    /// Rates a batch as the network would send it: just after its last event, the line's periods opened up to then.
    func ingest(_ batch: [UsageEvent], billing: any BillingService, clock: MovingClock) async throws -> Int {
        if let last = batch.last { clock.set(last.occurredAt.addingTimeInterval(1)) }
        while try await billing.runDueFees() > 0 {}
        return try await billing.ingest(batch).rated
    }

    func milliseconds(_ duration: Duration) -> Double {
        let (seconds, attoseconds) = duration.components
        return Double(seconds) * 1000 + Double(attoseconds) / 1e15
    }

    func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }

    func format(_ value: Double) -> String { String(format: "%.1f", value) }
}
