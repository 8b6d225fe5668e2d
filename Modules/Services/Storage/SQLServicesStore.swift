public import Billing
public import CabinetCore
public import CabinetStorage
public import Foundation
public import Services
import SQLKit

/// ``ServicesStore`` on SQLite and PostgreSQL. A change runs in Billing's ledger transaction (`LedgerTransactions`):
/// the option rows, the request record and the fee commit together or not at all.
public struct SQLServicesStore: ServicesStore {
    let database: CabinetDatabase
    let ledger: any LedgerTransactions

    public init(database: CabinetDatabase, ledger: any LedgerTransactions) {
        self.database = database
        self.ledger = ledger
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
            if order.connectionFee.isPositive {
                let result = try await writer.post(
                    LedgerPosting(
                        externalID: ConnectOrder.feeLedgerID(request: request.id), kind: .optionFee,
                        line: order.line, amount: try order.connectionFee.negated(), counterparty: .revenue,
                        explanation: "services.explain.connect", arguments: ["option": order.option.name.ru],
                        allowsNegativeBalance: false, at: order.at))
                if case .insufficientFunds(let balance) = result {
                    let shortfall = Money(
                        minorUnits: order.connectionFee.minorUnits - max(balance.minorUnits, 0),
                        currency: order.connectionFee.currency)
                    throw DefaultServicesService.insufficientFunds(
                        fee: order.connectionFee, balance: balance, shortfall: shortfall)
                }
            }
            return request
        }
    }

    public func disconnect(_ option: OptionID, of line: SubscriberID, requestKind: String, at: Date) async throws
        -> ServiceRequest
    {
        try await database.write { db in
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
            return try await SQLRequestRegistry.open(
                kind: requestKind, subscriber: line, status: .done, detail: option.rawValue, at: at, on: db)
        }
    }
}
