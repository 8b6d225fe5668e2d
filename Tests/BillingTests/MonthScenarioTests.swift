import Billing
import BillingStorage
import BillingTesting
import CabinetCore
import CabinetMessaging
import CabinetStorage
import CabinetTesting
import Foundation
import Subscribers
import Tariffs
import TariffsStorage
import Testing

/// A month in the life of a Moscow line on `monthly` (600.00 a month; 100 min, 10 SMS, 1 GB; unused units roll over),
/// with a test clock, to the kopeck, on SQLite, PostgreSQL and the in-memory store.
@Suite struct MonthScenarioTests {
    static func moscow(_ text: String) -> Date { ISO8601DateFormatter().date(from: text)! }

    @Test(arguments: BillingTestBed.Backend.all)
    func aMonthOfFeesUsageRolloverLateEventsDebtAndTopUp(_ backend: BillingTestBed.Backend) async throws {
        try await BillingTestBed.with(backend, start: "2026-11-10T09:00:00Z") { bed in
            // 1. Opened on 10 November 12:00 MSK: 20.5 of the month's 30 days are left, so fee and package are prorated.
            let line = try await bed.line("+79001234567", credit: "1000.00")
            #expect(try await bed.balance(line) == "590.00", "1000.00 − 410.00 (600.00 × 20.5 / 30)")
            var left = try await bed.remainders(line)
            #expect(left[.seconds]?.total == 4080, "68 of 100 minutes")
            #expect(left[.sms]?.total == 7)
            #expect(left[.kilobytes]?.total == 716_527)

            // 2. Usage inside the package costs nothing; a call is billed by the started minute.
            bed.clock.advance(by: .seconds(3600))
            var report = try await bed.service.ingest([
                bed.call(line, "c1", seconds: 125), bed.sms(line, "s1"), bed.sms(line, "s2"),
                bed.data(line, "d1", megabytes: 100),
            ])
            #expect(report.rated == 4 && report.rejected.isEmpty)
            #expect(try await bed.balance(line) == "590.00")
            left = try await bed.remainders(line)
            #expect(left[.seconds]?.left == Int64(4080 - 180))
            #expect(left[.sms]?.left == 5)
            #expect(left[.kilobytes]?.left == Int64(716_527 - 102_400))

            // 3. The network resends an event: it is charged once, ever.
            report = try await bed.service.ingest([bed.sms(line, "s1"), bed.sms(line, "s1")])
            #expect(report.rated == 0 && report.duplicates == 2)

            // 4. Six more SMS: five from the package, the sixth at 2.50; the subscriber is told the package is used up.
            bed.clock.advance(by: .seconds(3600))
            report = try await bed.service.ingest((3...8).map { bed.sms(line, "s\($0)") })
            #expect(report.rated == 6)
            #expect(try await bed.balance(line) == "587.50")
            let texts = try await bed.queuedMessages(to: "+79001234567").map(\.body)
            #expect(texts.contains { $0.contains("SMS") && $0.contains("израсходован") })

            // 5. An intercity call of 61 s takes two minutes of the package.
            report = try await bed.service.ingest([bed.call(line, "c2", seconds: 61, kind: .intercity)])
            #expect(try await bed.balance(line) == "587.50")
            #expect(try await bed.remainders(line)[.seconds]?.left == Int64(4080 - 180 - 120))

            // 6. 1 December 00:05 MSK: the scheduler opens December (full fee, full package, November's minutes carried
            // over once). 587.50 − 600.00 = −12.50: paid service is restricted and the low balance is announced.
            bed.clock.set(Self.moscow("2026-11-30T21:05:00Z"))
            #expect(try await bed.service.runDueFees() == 1)
            #expect(try await bed.service.runDueFees() == 0, "a second run charges nothing")
            #expect(try await bed.balance(line) == "-12.50")
            #expect(try await bed.billingStore.account(of: line.id)?.restricted == true)
            left = try await bed.remainders(line)
            #expect(left[.seconds]?.total == Int64(6000 + 3780), "the package plus 63 carried-over minutes")
            #expect(left[.sms]?.total == 10, "nothing left to carry over")
            #expect(left[.kilobytes]?.total == Int64(1_048_576 + 716_527 - 102_400))
            #expect(try await bed.queuedMessages(to: "+79001234567").contains { $0.purpose == "billing.lowBalance" })

            // 7. Events of 30 November arrive late: they are priced in November. The call draws on the minutes November
            // carried over; November's SMS were used up, so the SMS costs 2.50.
            let lateAt = Self.moscow("2026-11-30T20:30:00Z")
            report = try await bed.service.ingest([
                bed.call(line, "late-call", seconds: 600, at: lateAt), bed.sms(line, "late-sms", at: lateAt),
            ])
            #expect(report.rated == 2)
            #expect(try await bed.balance(line) == "-15.00")
            #expect(try await bed.remainders(line)[.seconds]?.left == Int64(6000 + 3780 - 600))
            let november = try await bed.service.shortStatement(
                bed.access(line), from: LocalDate("2026-11-01")!, to: LocalDate("2026-11-30")!)
            #expect(november.events.count == 13)
            #expect(november.charged.amountString == "5.00")
            #expect(november.totals.first { $0.kind == .call }?.units == Int64(180 + 120 + 600))

            // 8. A top-up lifts the restriction at once.
            try await bed.topUp(line, "100.00", id: "pay-1")
            #expect(try await bed.balance(line) == "85.00")
            #expect(try await bed.billingStore.account(of: line.id)?.restricted == false)
            // The same payment reported again changes nothing.
            #expect(
                try await bed.topUp(line, "100.00", id: "pay-1")
                    == .duplicate(
                        transactionID: try #require(
                            try await bed.billingStore.movements(
                                of: line.id, query: MovementQuery(kinds: [.topUp], limit: 1)
                            ).first?.transactionID)))

            // 9. The scheduler again (on SQL: a restart, a new store on the same database) charges no fee twice.
            var restarted = bed.billingStore
            if let database = bed.sqlDatabase {
                restarted = try await SQLBillingStore.open(
                    database: database, rules: bed.rules, texts: bed.texts,
                    lineTariffs: SQLLineTariffStore(database: database), logger: .test)
            }
            #expect(try await restarted.openDuePeriods(now: bed.clock.now, limit: 100) == 0)
            let fees = try await bed.billingStore.movements(of: line.id, query: MovementQuery(kinds: [.fee]))
            #expect(fees.map(\.amount.amountString) == ["-600.00", "-410.00"])

            // 10. The history explains every kopeck, and the ledger holds.
            let history = try await bed.billingStore.movements(of: line.id, query: MovementQuery())
            #expect(history.first?.balanceAfter.amountString == "85.00")
            #expect(history.reduce(Int64(0)) { $0 + $1.amount.minorUnits } == 8500)
            let check = try await bed.check()
            #expect(check.isClean, "\(check)")
        }
    }
}
