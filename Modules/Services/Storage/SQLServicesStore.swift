public import Billing
public import CabinetCore
public import CabinetStorage
public import Foundation
import SQLKit
public import Services

/// ``ServicesStore`` on SQLite and PostgreSQL. A change runs in Billing's ledger transaction (`LedgerTransactions`):
/// the option rows, the request record and the fee commit together or not at all.
public struct SQLServicesStore: ServicesStore {
    let database: CabinetDatabase
    let ledger: any LedgerTransactions
    /// Billing's schedule of recurring fees, joined to the change's transaction.
    let recurring: any RecurringCharges

    /// Called after a commit that queued a message (the outbox sends it now rather than at its next poll).
    let messagesQueued: @Sendable () -> Void

    public init(
        database: CabinetDatabase, ledger: any LedgerTransactions, recurring: any RecurringCharges,
        messagesQueued: @escaping @Sendable () -> Void = {}
    ) {
        self.database = database
        self.ledger = ledger
        self.recurring = recurring
        self.messagesQueued = messagesQueued
    }

    public func connectedOptions(of line: SubscriberID) async throws -> [ConnectedOption] {
        try await database.read { db in
            try await db.raw(
                """
                SELECT option_id, connected_at, request_id FROM services_line_option
                WHERE subscriber_id = \(bind: line.rawValue) ORDER BY connected_at, option_id
                """
            ).all().compactMap { row in
                guard let option = OptionID(rawValue: try row.decode(column: "option_id", as: String.self)) else {
                    return nil
                }
                return ConnectedOption(
                    line: line, option: option,
                    connectedAt: Date(storageMilliseconds: try row.decode(column: "connected_at", as: Int64.self)),
                    requestID: try row.decode(column: "request_id", as: Int64?.self))
            }
        }
    }

    public func connectedOptionIDs(of line: SubscriberID, in transaction: any WriteTransaction) async throws
        -> Set<OptionID>
    {
        let rows = try await transaction.sql().raw(
            "SELECT option_id FROM services_line_option WHERE subscriber_id = \(bind: line.rawValue)"
        ).all()
        return Set(try rows.compactMap { OptionID(rawValue: try $0.decode(column: "option_id", as: String.self)) })
    }

    public func connect(_ order: ConnectOrder) async throws -> ServiceRequest {
        try await ledger.transaction(lines: [order.line]) { transaction, writer in
            let db = try transaction.sql()
            let request = try await SQLRequestRegistry.open(
                kind: order.requestKind, subscriber: order.line, status: .done, detail: order.detail, at: order.at,
                on: db)
            for replaced in order.replacing {
                let gone = try await db.raw(
                    """
                    DELETE FROM services_line_option
                    WHERE subscriber_id = \(bind: order.line.rawValue) AND option_id = \(bind: replaced.rawValue)
                    RETURNING option_id
                    """
                ).first()
                guard gone != nil else {
                    throw CabinetError(ServicesError.notConnected, arguments: ["option": replaced.rawValue])
                }
                try await recurring.stop(
                    key: ConnectOrder.recurringKey(line: order.line, option: replaced), in: transaction)
            }
            let inserted = try await db.raw(
                """
                INSERT INTO services_line_option (subscriber_id, option_id, connected_at, request_id)
                VALUES (\(bind: order.line.rawValue), \(bind: order.option.id.rawValue),
                        \(bind: order.at.storageMilliseconds), \(bind: request.id))
                ON CONFLICT (subscriber_id, option_id) DO NOTHING RETURNING option_id
                """
            ).first()
            guard inserted != nil else {
                throw CabinetError(ServicesError.alreadyConnected, arguments: ["option": order.option.name.ru])
            }
            // A purchase: the connection fee and the current period's share of the recurring fee, both covered by
            // the balance or nothing happens.
            var postings: [LedgerPosting] = []
            if order.connectionFee.isPositive {
                postings.append(
                    LedgerPosting(
                        externalID: ConnectOrder.feeLedgerID(request: request.id), kind: .optionFee,
                        line: order.line, amount: try order.connectionFee.negated(), counterparty: .revenue,
                        explanation: "services.explain.connect", arguments: ["option": order.option.name.ru],
                        allowsNegativeBalance: false, at: order.at))
            }
            if let charge = order.recurring {
                if order.firstPeriodFee.isPositive {
                    postings.append(
                        LedgerPosting(
                            externalID: charge.externalID(periodStart: order.at), kind: charge.kind, line: order.line,
                            amount: try order.firstPeriodFee.negated(), counterparty: .revenue,
                            explanation: "services.explain.firstFee", arguments: charge.arguments,
                            allowsNegativeBalance: false, at: order.at))
                }
                try await recurring.start(charge, at: order.at, in: transaction)
            }
            try await Self.purchase(postings, total: order.chargedNow, with: writer)
            return request
        }
    }

    public func release(_ options: [OptionID], of line: SubscriberID, in transaction: any WriteTransaction)
        async throws
    {
        let db = try transaction.sql()
        for option in options {
            try await db.raw(
                """
                DELETE FROM services_line_option
                WHERE subscriber_id = \(bind: line.rawValue) AND option_id = \(bind: option.rawValue)
                """
            ).run()
            try await recurring.stop(key: ConnectOrder.recurringKey(line: line, option: option), in: transaction)
        }
    }

    /// Posts a change's charges as one purchase: each refused beyond the balance, and then the error names the
    /// balance before them all, everything they charge and the exact shortfall.
    static func purchase(_ postings: [LedgerPosting], total: Money, with writer: any LedgerWriter) async throws {
        var charged: Int64 = 0
        for posting in postings {
            if case .insufficientFunds(let balance) = try await writer.post(posting) {
                let before = balance.minorUnits + charged
                throw DefaultServicesService.insufficientFunds(
                    fee: total, balance: Money(minorUnits: before, currency: balance.currency),
                    shortfall: Money(minorUnits: total.minorUnits - max(before, 0), currency: total.currency))
            }
            charged -= posting.amount.minorUnits
        }
    }

    public func disconnect(_ option: OptionID, of line: SubscriberID, refund: Money?, requestKind: String, at: Date)
        async throws -> ServiceRequest
    {
        try await ledger.transaction(lines: [line]) { transaction, writer in
            let db = try transaction.sql()
            let gone = try await db.raw(
                """
                DELETE FROM services_line_option
                WHERE subscriber_id = \(bind: line.rawValue) AND option_id = \(bind: option.rawValue)
                RETURNING option_id
                """
            ).first()
            guard gone != nil else {
                throw CabinetError(ServicesError.notConnected, arguments: ["option": option.rawValue])
            }
            try await recurring.stop(key: ConnectOrder.recurringKey(line: line, option: option), in: transaction)
            let request = try await SQLRequestRegistry.open(
                kind: requestKind, subscriber: line, status: .done, detail: option.rawValue, at: at, on: db)
            if let refund, refund.isPositive {
                _ = try await writer.post(
                    LedgerPosting(
                        externalID: "option-refund:\(request.id)", kind: .refund, line: line, amount: refund,
                        counterparty: .revenue, explanation: "services.explain.refund",
                        arguments: ["option": option.rawValue], allowsNegativeBalance: true, at: at))
            }
            return request
        }
    }
}
