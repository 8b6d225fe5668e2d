import Billing
import BillingTesting
import CabinetCore
import CabinetTesting
import Corporate
import CorporateStorage
import CorporateTesting
import Foundation
import Services
import ServicesTesting
import Subscribers
import Testing

/// The monthly expense report: per line, group and kind, the same sums as each line's own spending, for whom it is.
@Suite struct ExpenseReportTests {
    @Test(arguments: TestDatabase.available)
    func aLineCountsFromWhenItJoinedTheCompany(_ backend: TestDatabase) async throws {
        try await CorporateTestBed.with(backend) { bed in
            let (company, owner) = try await bed.company(owner: try await bed.line("+79006670000"))
            // Spending of its earlier holder: last month, and this month before it joined.
            let newcomer = try await bed.line("+79006670001", name: "Новикова")
            bed.clock.advance(by: .seconds(600))
            _ = try await bed.billing.service.ingest([bed.billing.call(newcomer, "before", seconds: 300)])
            bed.clock.advance(by: .seconds(3600))
            var patch = LinePatch()
            patch.companyID = .set(company.id)
            let joined = try await bed.billing.lines.update(msisdn: newcomer.msisdn, with: patch)
            #expect(joined.companySince == bed.clock.now)
            bed.clock.advance(by: .seconds(600))
            _ = try await bed.billing.service.ingest([bed.billing.call(newcomer, "after", seconds: 120)])

            let report = try await bed.service.expenseReport(owner, month: nil)
            let row = try #require(report.rows.first { $0.line == newcomer.id })
            let since = try #require(joined.companySince)
            let own = try await bed.billing.service.expenses(
                of: [newcomer.id], from: since, to: bed.clock.now.addingTimeInterval(1))
            #expect(row.total == own[newcomer.id]?.total)
            let whole = try await bed.billing.service.spending(bed.billing.access(newcomer), months: 1).last?.total
            #expect(row.total < whole?.minorUnits ?? 0, "the call before joining is left out")
            // In a month before it joined, it is not the company's line at all.
            bed.clock.advance(by: .seconds(30 * 86_400))
            let earlier = try await bed.service.expenseReport(owner, month: LocalDate(year: 2026, month: 10, day: 1))
            #expect(!earlier.rows.contains { $0.line == newcomer.id })
        }
    }

    @Test(arguments: TestDatabase.available)
    func theReportSumsEachLinesSpendingByKindAndGroup(_ backend: TestDatabase) async throws {
        try await CorporateTestBed.with(backend) { bed in
            let (company, owner) = try await bed.company(owner: try await bed.line("+79006660000"))
            let sales = try await bed.service.createGroup(owner, name: "Продажи")
            let caller = try await bed.line("+79006660001", company: company.id, name: "Звонкова")
            let quiet = try await bed.line("+79006660002", company: company.id, name: "Тихонова")
            try await bed.service.move(owner, msisdn: caller.msisdn, to: sales.id)
            bed.clock.advance(by: .seconds(600))
            // Calls and an SMS on the pay-as-you-go tariff, and an option with a connection fee.
            _ = try await bed.billing.service.ingest([
                bed.billing.call(caller, "c1", seconds: 120), bed.billing.call(caller, "c2", seconds: 61),
                bed.billing.sms(caller, "s1"),
            ])
            _ = try await bed.services.service.connect(
                try bed.services.option("gudok"), for: bed.billing.access(quiet), replacing: [])

            let report = try await bed.service.expenseReport(owner, month: nil)
            #expect(report.rows.count == 3)
            for row in report.rows {
                let line = try #require(try await bed.billing.lines.line(id: row.line))
                let own = try await bed.billing.service.spending(bed.billing.access(line), months: 1).last?.total
                #expect(report.money(row.total) == own, "\(line.msisdn)")
            }
            let callerRow = try #require(report.rows.first { $0.line == caller.id })
            #expect((callerRow.amounts[.calls] ?? 0) > 0)
            #expect((callerRow.amounts[.sms] ?? 0) > 0)
            #expect(callerRow.group == "Продажи")
            let quietRow = try #require(report.rows.first { $0.line == quiet.id })
            #expect((quietRow.amounts[.options] ?? 0) >= 30_00)
            #expect(quietRow.amounts[.calls] == nil)
            // Group totals add up to the whole.
            let byGroups = report.groups.reduce(Int64(0)) { $0 + $1.amounts.values.reduce(0, +) }
            #expect(byGroups == report.totals.values.reduce(0, +))
            #expect(report.groups.map(\.name) == ["Продажи", nil])

            // Finance sees it, a line manager does not; a finance admin of one group sees that group.
            let financeLine = try await bed.line("+79006660003")
            _ = try await bed.service.addAdmin(
                owner, AdminDraft(msisdn: financeLine.msisdn, name: "Бухгалтер", scopes: [.finance], groups: [sales.id])
            )
            let finance = try await bed.service.access(for: bed.session(financeLine))
            #expect(try await bed.service.expenseReport(finance, month: nil).rows.map(\.line) == [caller.id])
            let managerLine = try await bed.line("+79006660004")
            _ = try await bed.service.addAdmin(
                owner, AdminDraft(msisdn: managerLine.msisdn, name: "Менеджер", scopes: [.lines]))
            let manager = try await bed.service.access(for: bed.session(managerLine))
            let refused = await #expect(throws: CabinetError.self) {
                _ = try await bed.service.expenseReport(manager, month: nil)
            }
            #expect(refused?.code == CorporateError.scopeMissing)

            // Only months the history keeps, and not the future.
            let today = LocalDate(bed.clock.now, in: TimeZone(identifier: "Europe/Moscow")!)
            for month in [
                LocalDate(year: today.year + 1, month: today.month, day: 1)!,
                LocalDate(year: today.year - 5, month: today.month, day: 1)!,
            ] {
                let error = await #expect(throws: CabinetError.self) {
                    _ = try await bed.service.expenseReport(owner, month: month)
                }
                #expect(error?.fieldErrors.first?.code == CorporateError.monthOutOfRange)
            }
            // A past month within the history answers (nothing spent then).
            let previous = LocalDate(
                year: today.month == 1 ? today.year - 1 : today.year, month: today.month == 1 ? 12 : today.month - 1,
                day: 1)!
            #expect(try await bed.service.expenseReport(owner, month: previous).totals.values.reduce(0, +) == 0)
        }
    }
}
