public import CabinetCore
import Foundation
import Subscribers

/// What the expense report sums by: the kinds a company's accountant reads on a bill.
public enum ExpenseKind: String, Sendable, Hashable, CaseIterable, Codable {
    case calls, sms, data
    /// The tariff's fees and tariff changes.
    case fees
    /// Options' connection and recurring fees.
    case options
    /// Statements, gigabytes given away, write-offs.
    case other
}

/// A company's expenses for one calendar month of its region: per line, per group and per kind.
public struct ExpenseReport: Sendable, Hashable {
    public struct Row: Sendable, Hashable {
        public var line: SubscriberID
        public var msisdn: MSISDN
        public var name: String?
        public var group: String?
        public var amounts: [ExpenseKind: Int64]
        public var total: Int64 { amounts.values.reduce(0, +) }

        public init(line: SubscriberID, msisdn: MSISDN, name: String?, group: String?, amounts: [ExpenseKind: Int64]) {
            self.line = line
            self.msisdn = msisdn
            self.name = name
            self.group = group
            self.amounts = amounts
        }
    }

    /// The month's first day.
    public var month: LocalDate
    public var currency: Currency
    public var rows: [Row]

    public init(month: LocalDate, currency: Currency, rows: [Row]) {
        self.month = month
        self.currency = currency
        self.rows = rows
    }

    /// Totals by group (lines in no group under `nil`), by name.
    public var groups: [(name: String?, amounts: [ExpenseKind: Int64])] {
        var byGroup: [String?: [ExpenseKind: Int64]] = [:]
        for row in rows {
            for (kind, amount) in row.amounts { byGroup[row.group, default: [:]][kind, default: 0] += amount }
            if byGroup[row.group] == nil { byGroup[row.group] = [:] }
        }
        return byGroup.map { (name: $0.key, amounts: $0.value) }.sorted { ($0.name ?? "￿") < ($1.name ?? "￿") }
    }

    public var totals: [ExpenseKind: Int64] {
        rows.reduce(into: [:]) { sums, row in
            for (kind, amount) in row.amounts { sums[kind, default: 0] += amount }
        }
    }

    public func money(_ minor: Int64) -> Money { Money(minorUnits: minor, currency: currency) }
}
