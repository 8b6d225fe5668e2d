import Billing
public import CabinetCore
import Foundation
import Subscribers

extension DefaultCorporateService {
    /// Which report kind a usage or movement kind adds to.
    static func expenseKind(_ kind: UsageEvent.Kind) -> ExpenseKind {
        switch kind {
        case .call: .calls
        case .sms: .sms
        case .data: .data
        }
    }

    static func expenseKind(_ kind: MovementKind) -> ExpenseKind {
        switch kind {
        case .fee, .tariffChange: .fees
        case .optionFee: .options
        default: .other
        }
    }

    public func expenseReport(_ access: AdminAccess, month: LocalDate?) async throws -> ExpenseReport {
        try access.require(.finance)
        guard let region = regions.region(access.company.region) else {
            throw CabinetError(KernelError.regionUnknown, arguments: ["region": access.company.region.rawValue])
        }
        let zone = region.timeZone
        let today = LocalDate(clock.now, in: zone)
        let month = month ?? today
        guard let first = LocalDate(year: month.year, month: month.month, day: 1) else {
            throw CabinetError.validation([FieldError(field: "month", code: KernelError.fieldInvalid)])
        }
        // Any month from the history the region keeps (its statements' depth) up to the current one.
        let depth = region.settings(for: BillingModule.self)?.statements.historyDepthDays ?? 365
        let oldest = LocalDate(clock.now.addingTimeInterval(-Double(depth) * 86_400), in: zone)
        guard first <= today, first.year * 12 + first.month >= oldest.year * 12 + oldest.month else {
            throw CabinetError.validation([FieldError(field: "month", code: CorporateError.monthOutOfRange)])
        }
        let next =
            LocalDate(year: first.month == 12 ? first.year + 1 : first.year, month: first.month % 12 + 1, day: 1)
            ?? first
        // The company's lines the admin sees (a group-limited admin: their groups').
        var lines: [Line] = []
        var cursor: MSISDN?
        while true {
            let page = try await self.lines.lines(company: access.company.id, matching: nil, after: cursor, limit: 500)
            lines += page
            guard page.count == 500, let last = page.last else { break }
            cursor = last.msisdn
        }
        var groupOf: [SubscriberID: Int64] = [:]
        for start in stride(from: 0, to: lines.count, by: 1000) {
            groupOf.merge(try await store.groupIDs(of: lines[start..<min(start + 1000, lines.count)].map(\.id))) {
                a, _ in a
            }
        }
        lines = lines.filter { access.admin.sees(group: groupOf[$0.id]) }
        let names = Dictionary(try await store.groups(of: access.company.id).map { ($0.id, $0.name) }) { a, _ in a }
        let (from, to) = (first.startOfDay(in: zone), next.startOfDay(in: zone))
        // A line counts from when it joined the company: not at all in months before, from that moment in its month.
        lines = lines.filter { ($0.companySince ?? .distantPast) < to }
        let joinedInMonth = lines.filter { ($0.companySince ?? .distantPast) > from }
        var expenses = try await billing.expenses(
            of: lines.filter { ($0.companySince ?? .distantPast) <= from }.map(\.id), from: from, to: to)
        for line in joinedInMonth {
            if let since = line.companySince {
                expenses.merge(try await billing.expenses(of: [line.id], from: since, to: to)) { _, new in new }
            }
        }
        let rows = lines.map { line -> ExpenseReport.Row in
            var amounts: [ExpenseKind: Int64] = [:]
            if let spent = expenses[line.id] {
                for (kind, amount) in spent.usage { amounts[Self.expenseKind(kind), default: 0] += amount }
                for (kind, amount) in spent.movements { amounts[Self.expenseKind(kind), default: 0] += amount }
            }
            return ExpenseReport.Row(
                line: line.id, msisdn: line.msisdn, name: line.owner.fullName,
                group: groupOf[line.id].flatMap { names[$0] },
                amounts: amounts.mapValues { max(0, $0) })
        }
        return ExpenseReport(month: first, currency: region.currency, rows: rows)
    }
}
