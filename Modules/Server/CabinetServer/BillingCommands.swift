public import Billing
public import CabinetCore
import Foundation

/// `cabinet usage import` and `cabinet ledger check` as library functions.
extension CabinetCommands {
    /// Imports usage from CSV; `progress` is called after every batch.
    public static func importUsage(
        csv: String, runtime: CabinetRuntime, progress: @escaping @Sendable (UsageImport.Progress) -> Void
    )
        async throws -> UsageImport.Report
    {
        try await UsageImport(service: runtime.services.billing.service).run(csv: csv, progress: progress)
    }

    /// An import report: one failure per line with its line number, then the totals.
    public static func describe(_ report: UsageImport.Report, catalog: MessageCatalog, language: Language) -> String {
        var lines = report.failures.prefix(1000).map {
            "line \($0.line): \(explain($0.error, catalog: catalog, language: language))"
        }
        if report.failures.count > 1000 { lines.append("… and \(report.failures.count - 1000) more") }
        lines.append(
            "rows \(report.rows): rated \(report.rated), already rated \(report.duplicates), refused \(report.failures.count)"
        )
        return lines.joined(separator: "\n")
    }

    /// The ledger check as a person reads it.
    public static func describe(_ report: LedgerCheckReport) -> String {
        var lines = [
            "transactions \(report.transactions), entries \(report.entries), accounts \(report.accounts)",
            "unbalanced transactions: \(report.unbalancedTransactions.isEmpty ? "none" : report.unbalancedTransactions.map(String.init).joined(separator: ", "))",
            "balances that differ from their entries: \(report.mismatchedAccounts.isEmpty ? "none" : report.mismatchedAccounts.map(String.init).joined(separator: ", "))",
            "external ids used twice: \(report.duplicateExternalIDs.isEmpty ? "none" : report.duplicateExternalIDs.joined(separator: ", "))",
            "entries in another currency than their account: \(report.currencyMismatches)",
        ]
        lines.append(report.isClean ? "ledger OK" : "LEDGER BROKEN")
        return lines.joined(separator: "\n")
    }
}
