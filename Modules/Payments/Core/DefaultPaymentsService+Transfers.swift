import Billing
public import CabinetCore
import Foundation
import Subscribers

extension DefaultPaymentsService {
    /// Sends `amount` from `sender` to the line `recipient`, within the region's limits and fee. The caller has checked
    /// the step-up (a fresh SMS code). Returns the finished transfer; a sender without enough money gets
    /// ``PaymentsError/transferInsufficientFunds`` and nothing moves.
    public func transfer(from sender: SubscriberID, to recipient: MSISDN, amount: Money) async throws -> Transfer {
        guard let from = try await lines.line(id: sender), let region = regions.region(from.region),
            let limits = region.settings(for: PaymentsModule.self)?.transfers
        else { throw CabinetError(PaymentsError.lineUnknown) }
        try Self.requireActive(from)
        guard recipient != from.msisdn else {
            throw CabinetError.validation([FieldError(field: "to", code: PaymentsError.transferToSelf)])
        }
        guard let to = try await lines.line(msisdn: recipient) else {
            throw CabinetError.validation([
                FieldError(
                    field: "to", code: PaymentsError.transferRecipientUnknown,
                    arguments: ["msisdn": recipient.e164])
            ])
        }
        guard to.status == .active || to.status == .blocked || to.status == .suspended else {
            throw CabinetError(PaymentsError.transferRecipientInactive, arguments: ["msisdn": recipient.e164])
        }
        guard regions.region(to.region)?.currency == amount.currency, amount.currency == region.currency else {
            throw CabinetError(PaymentsError.transferCurrency, arguments: ["msisdn": recipient.e164])
        }
        guard (limits.minimum.minorUnits...limits.maxPerTransfer.minorUnits).contains(amount.minorUnits) else {
            throw CabinetError.validation([
                FieldError(
                    field: "amount", code: PaymentsError.transferAmount,
                    arguments: [
                        "minimum": limits.minimum.amountString, "maximum": limits.maxPerTransfer.amountString,
                    ])
            ])
        }
        // A promised payment is credit for paying the operator, not cash: what is still owed on it stays on the line.
        if let promised = try await store.activePromised(of: from.id) {
            let balance = try await ledger.balance(of: from.id)
            let spendable = balance.minorUnits - promised.amount.minorUnits
            if amount.minorUnits + limits.fee.minorUnits > spendable {
                throw CabinetError(
                    PaymentsError.transferPromisedCredit,
                    arguments: [
                        "available": Money(
                            minorUnits: max(0, spendable - limits.fee.minorUnits), currency: amount.currency
                        )
                        .amountString,
                        "promised": promised.amount.amountString,
                    ])
            }
        }
        let now = clock.now
        let transfer = try await store.insertTransfer(
            NewTransfer(
                sender: from.id, senderMSISDN: from.msisdn, recipient: to.id, recipientMSISDN: to.msisdn,
                amount: amount, fee: limits.fee,
                day: LocalDate(now, in: region.timeZone), maxPerDay: limits.maxPerDay), at: now)
        return try await complete(transfer)
    }

    /// Runs the ledger steps a transfer still lacks; each is exactly once by its external id, so running this again
    /// (after a crash, from reconciliation) never moves money twice.
    @discardableResult
    func complete(_ transfer: Transfer) async throws -> Transfer {
        var current = transfer
        if current.status == .pending {
            let pending = current
            let now = clock.now
            // The debit, the statuses it depends on and the transfer's new state are one transaction: a SIM blocked
            // or a recipient terminated after the checks above is seen here, and nothing moves.
            let step = try await store.transaction { tx -> DebitStep in
                if let refusal = try await self.statusRefusal(of: pending, in: tx) {
                    _ = try await tx.advanceTransfer(pending.id, from: .pending, to: .refused, at: now)
                    return .refused(refusal)
                }
                var legs: [LedgerLeg] = []
                if pending.fee.isPositive {
                    legs.append(LedgerLeg(amount: try pending.fee.negated(), counterparty: .revenue))
                }
                let result = try await tx.post(
                    LedgerPosting(
                        externalID: pending.debitLedgerID, kind: .transfer, line: pending.sender,
                        amount: try pending.amount.negated(),
                        counterparty: .transfers, explanation: "billing.explain.transferOut",
                        arguments: ["to": pending.recipientMSISDN.e164, "fee": pending.fee.amountString],
                        allowsNegativeBalance: false,
                        at: pending.createdAt, extraLegs: legs))
                if case .insufficientFunds = result {
                    _ = try await tx.advanceTransfer(pending.id, from: .pending, to: .refused, at: now)
                    return .refused(CabinetError(PaymentsError.transferInsufficientFunds))
                }
                var sent = try await tx.advanceTransfer(pending.id, from: .pending, to: .sent, at: now) ?? pending
                sent.status = .sent
                return .sent(sent)
            }
            switch step {
            case .refused(let error): throw error
            case .sent(let sent): current = sent
            }
        }
        if current.status == .sent {
            let now = clock.now
            let sent = current
            // The recipient's credit, the transfer's end and the repayment of a promised payment commit together.
            current = try await store.transaction { tx in
                _ = try await tx.post(
                    LedgerPosting(
                        externalID: sent.creditLedgerID, kind: .transfer, line: sent.recipient, amount: sent.amount,
                        counterparty: .transfers, explanation: "billing.explain.transferIn",
                        arguments: ["from": sent.senderMSISDN.e164],
                        allowsNegativeBalance: true, at: sent.createdAt))
                var done = try await tx.advanceTransfer(sent.id, from: .sent, to: .done, at: now) ?? sent
                done.status = .done
                try await self.repayPromised(of: sent.recipient, in: tx, at: now)
                return done
            }
        }
        return current
    }

    /// What the debit step of a transfer ended in.
    enum DebitStep: Sendable {
        case sent(Transfer)
        case refused(CabinetError)
    }

    /// Why the transfer may not leave now, as the transaction sees the lines: the sender must be active, the
    /// recipient not terminated (a blocked or suspended line may still receive).
    func statusRefusal(of transfer: Transfer, in tx: any PaymentsTransaction) async throws -> CabinetError? {
        // A sender the registry no longer knows is refused as a blocked one.
        let sender = try await lines.status(of: transfer.sender, in: tx.writeTransaction) ?? .terminated
        if let refusal = sender.refusal(msisdn: transfer.senderMSISDN) { return refusal }
        switch try await lines.status(of: transfer.recipient, in: tx.writeTransaction) {
        case .active, .blocked, .suspended: return nil
        case .terminated, nil:
            return CabinetError(
                PaymentsError.transferRecipientInactive, arguments: ["msisdn": transfer.recipientMSISDN.e164])
        }
    }

    public func transfers(of line: SubscriberID, limit: Int = 50) async throws -> [Transfer] {
        try await store.transfers(of: line, limit: limit)
    }
}
