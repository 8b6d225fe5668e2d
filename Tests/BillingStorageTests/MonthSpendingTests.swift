import Billing
import BillingStorage
import BillingTesting
import CabinetCore
import CabinetStorage
import CabinetTesting
import Foundation
import SQLKit
import Subscribers
import TariffsStorage
import Testing

/// The monthly spending counters kept with every charge say what the month's rows say: usage by the month each event
/// happened in (a late event of last month counts there), fees and refunds of a fee kind by when they were posted,
/// top-ups and transfers not at all; a month older than the counters is summed from its rows.
@Suite struct MonthSpendingTests {
    func post(_ bed: BillingTestBed, _ line: Line, _ id: String, _ minor: Int64, kind: MovementKind) async throws {
        _ = try await bed.store.post(
            LedgerPosting(
                externalID: id, kind: kind, line: line.id, amount: Money(minorUnits: minor, currency: .rub),
                counterparty: minor < 0 ? .revenue : .gateway, explanation: "billing.explain.adjustment",
                allowsNegativeBalance: true, at: bed.clock.now))
    }

    @Test(arguments: TestDatabase.available)
    func theCountersEqualTheMonthsRows(_ backend: TestDatabase) async throws {
        try await BillingTestBed.with(backend) { bed in
            let first = try await bed.line("+79001230001", tariff: "payg", credit: "1000.00")
            let second = try await bed.line("+79001230002", tariff: "payg", credit: "1000.00")
            let zone = TimeZone(identifier: "Europe/Moscow")!
            func bounds(back: Int) -> (Date, Date) {
                let today = LocalDate(bed.clock.now, in: zone)
                let index = today.year * 12 + today.month - 1 - back
                let start = LocalDate(year: index / 12, month: index % 12 + 1, day: 1)!
                let end = LocalDate(year: (index + 1) / 12, month: (index + 1) % 12 + 1, day: 1)!
                return (start.startOfDay(in: zone), end.startOfDay(in: zone))
            }
            func check(_ lines: [Line], back: Int) async throws {
                let (start, end) = bounds(back: back)
                let counted = try await bed.store.monthTotals(of: lines.map(\.id), monthStart: start, monthEnd: end)
                let summed = try await bed.store.expenses(of: lines.map(\.id), from: start, to: end)
                for line in lines {
                    #expect(counted[line.id, default: 0] == summed[line.id]?.total ?? 0, "\(line.msisdn) \(back)")
                }
            }
            _ = try await bed.store.rate(
                [
                    bed.call(first, "c1", seconds: 125), bed.sms(first, "s1"), bed.data(second, "d1", megabytes: 3),
                    bed.call(second, "c2", seconds: 61),
                ], now: bed.clock.now)
            try await post(bed, first, "opt-1", -150_00, kind: .optionFee)
            try await post(bed, first, "opt-1-back", 50_00, kind: .optionFee)
            try await post(bed, second, "topup", 500_00, kind: .topUp)
            try await post(bed, second, "stmt", -30_00, kind: .statement)
            try await check([first, second], back: 0)
            let (thisMonth, _) = bounds(back: 0)
            let spent = try await bed.service.spentThisMonth(of: [first.id, second.id], region: first.region)
            #expect(spent[first.id]?.minorUnits ?? 0 > 100_00)

            // Into the next month: a late event of the month before counts there, a new one here.
            bed.clock.advance(by: .seconds(25 * 86_400))
            _ = try await bed.store.rate(
                [
                    bed.call(first, "late", seconds: 300, at: thisMonth.addingTimeInterval(3600)),
                    bed.call(first, "new", seconds: 300),
                ], now: bed.clock.now)
            try await post(bed, second, "fee-next", -10_00, kind: .fee)
            try await check([first, second], back: 0)
            try await check([first, second], back: 1)
            #expect(try await bed.check().isClean)
        }
    }

    @Test(arguments: TestDatabase.available)
    func aMonthBeforeTheCountersIsSummedFromItsRows(_ backend: TestDatabase) async throws {
        try await BillingTestBed.with(backend) { bed in
            let line = try await bed.line("+79001230003", tariff: "payg", credit: "1000.00")
            try await post(bed, line, "opt", -70_00, kind: .optionFee)
            // As in a database that had money when the counters came: they start from now.
            try await bed.database.write { db in
                try await db.raw(
                    "UPDATE billing_meta SET value = \(bind: bed.clock.now.storageMilliseconds) WHERE key = 'spending_since'"
                ).run()
                try await db.raw("DELETE FROM billing_month_spending").run()
            }
            let reopened = try await SQLBillingStore.open(
                database: bed.database, rules: bed.rules, texts: bed.texts,
                lineTariffs: SQLLineTariffStore(database: bed.database),
                logger: .test)
            let zone = TimeZone(identifier: "Europe/Moscow")!
            let today = LocalDate(bed.clock.now, in: zone)
            let start = LocalDate(year: today.year, month: today.month, day: 1)!.startOfDay(in: zone)
            let totals = try await reopened.monthTotals(
                of: [line.id], monthStart: start, monthEnd: start.addingTimeInterval(40 * 86_400))
            #expect(totals[line.id, default: 0] >= 70_00)
        }
    }
}
