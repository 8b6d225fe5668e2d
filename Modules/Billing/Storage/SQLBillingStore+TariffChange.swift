public import Billing
public import CabinetCore
import CabinetStorage
import Foundation
import SQLKit
import Tariffs

extension SQLBillingStore {
    public func changeTariff(_ order: TariffChangeOrder) async throws -> ServiceRequest {
        guard let target = rules.tariff(order.to, in: order.region) else {
            throw CabinetError(TariffsError.notInRegion, arguments: ["tariff": order.to.rawValue])
        }
        let queued = Flag()
        let request = try await writing(lines: [order.line]) { db, _ -> ServiceRequest in
            guard var row = try await self.lockAccount(order.line, on: db) else {
                throw CabinetError(BillingError.noAccount)
            }
            guard row.tariffID == order.from else {
                throw CabinetError(TariffsError.changedMeanwhile, arguments: ["tariff": row.tariffID.rawValue])
            }
            if let planned = try await self.lineTariffs.planned(
                of: order.line, after: order.now, in: SQLWriteTransaction(db))
            {
                throw CabinetError(TariffsError.changePending, arguments: ["tariff": planned.tariffID.rawValue])
            }
            let change = try self.rules.carryOut(order, to: target, region: row.region, periodStart: row.periodStart)
            let (effective, plan, charge) = (change.effective, change.newPeriod, change.charge)
            if charge > 0, try await !self.canPay(charge, kind: .tariffChange, account: row, at: order.now, on: db) {
                throw CabinetError(
                    TariffsError.insufficientFunds,
                    arguments: [
                        "needed": Money(minorUnits: charge, currency: row.currency).displayString,
                        "balance": row.money.displayString,
                    ])
            }
            let request = try await SQLRequestRegistry.open(
                kind: "tariff.change", subscriber: order.line, status: order.timing == .immediately ? .done : .pending,
                detail: "\(order.from.rawValue)→\(order.to.rawValue)", at: order.now, on: db)
            if order.changeFee.isPositive {
                try await self.postLocked(
                    LedgerPosting(
                        externalID: "tariff-change:\(request.id)", kind: .tariffChange, line: order.line,
                        amount: try order.changeFee.negated(), counterparty: .revenue,
                        explanation: "billing.explain.changeFee",
                        arguments: ["tariff": order.to.rawValue], allowsNegativeBalance: false, at: order.now),
                    account: &row, queued: queued, on: db)
            }
            switch order.timing {
            case .nextPeriod:
                try await self.lineTariffs.switchTariff(
                    of: order.line, region: row.region, to: order.to, from: row.period.end,
                    requestID: request.id, in: SQLWriteTransaction(db))
                // Billing's own note of what the next period will charge (the dashboard reads it with the account).
                try await db.raw(
                    """
                    UPDATE billing_account SET next_tariff_id = \(bind: order.to.rawValue) WHERE id = \(bind: row.id)
                    """
                ).run()
            case .immediately:
                guard let plan else { throw CabinetError.internal("immediate change without a period plan") }
                // The current period and its packages end now; events before this instant still rate against them.
                try await db.raw(
                    """
                    UPDATE billing_period SET end_at = \(bind: effective)
                    WHERE subscriber_id = \(bind: order.line.rawValue) AND start_at = \(bind: row.periodStart)
                    """
                ).run()
                try await db.raw(
                    """
                    UPDATE billing_bucket SET expires_at = \(bind: effective)
                    WHERE subscriber_id = \(bind: order.line.rawValue) AND expires_at > \(bind: effective)
                        AND shared_from IS NULL
                    """
                ).run()
                try await self.lineTariffs.switchTariff(
                    of: order.line, region: row.region, to: order.to,
                    from: Date(storageMilliseconds: effective), requestID: request.id, in: SQLWriteTransaction(db))
                row.periodEnd = effective
                try await self.openPeriod(plan, for: &row, previous: nil, now: order.now, queued: queued, on: db)
                for optionRules in self.tariffOptionRules.all {
                    try await optionRules.apply(
                        line: order.line, region: row.region, from: order.from, to: order.to,
                        at: Date(storageMilliseconds: effective), in: SQLWriteTransaction(db))
                }
            }
            return request
        }
        if queued.isSet { messagesQueued() }
        return request
    }
}
