import CabinetCore
public import CabinetStorage
public import Foundation
public import Payments
import SQLKit

/// The sandbox gateway's checkouts in the database (`payments_sandbox_checkout`): a hosted page opened through one
/// node is served, paid and closed through any other, and a state change is a conditional update, so two nodes'
/// submits of one checkout close it once. Checkouts older than a week are removed as new ones open.
public struct SQLSandboxCheckouts: SandboxCheckoutStore {
    let database: CabinetDatabase
    /// How long a checkout is kept (a payer who leaves the page for longer starts again).
    let retention: TimeInterval

    public init(database: CabinetDatabase, retention: TimeInterval = 7 * 86_400) {
        self.database = database
        self.retention = retention
    }

    static let columns: SQLQueryString =
        "id, order_id, amount, currency, method, description, return_url, save_card, state, masked_card"

    public func open(_ checkout: SandboxGateway.Checkout, at now: Date) async throws -> SandboxGateway.Checkout {
        let order = checkout.order
        let (state, masked) = Self.encode(checkout.state)
        try await database.write { db in
            try await db.raw(
                """
                DELETE FROM payments_sandbox_checkout WHERE created_at < \(bind: now.addingTimeInterval(-retention).storageMilliseconds)
                """
            ).run()
            try await db.raw(
                """
                INSERT INTO payments_sandbox_checkout (\(Self.columns), created_at) VALUES (
                    \(bind: checkout.gatewayPaymentID), \(bind: order.orderID), \(bind: order.amount.minorUnits),
                    \(bind: order.amount.currency.code), \(bind: order.method.rawValue), \(bind: order.description),
                    \(bind: order.returnURL), \(bind: order.saveCard ? 1 : 0), \(bind: state), \(bind: masked),
                    \(bind: now.storageMilliseconds))
                ON CONFLICT (order_id) DO NOTHING
                """
            ).run()
        }
        // The order's checkout: this one, or the one a retried create made first.
        let stored = try await database.read { db in
            try await db.raw(
                "SELECT \(Self.columns) FROM payments_sandbox_checkout WHERE order_id = \(bind: order.orderID)"
            ).first()
        }
        guard let stored else { return checkout }
        return try Self.decode(stored)
    }

    public func checkout(_ id: String) async throws -> SandboxGateway.Checkout? {
        try await database.read { db in
            try await db.raw("SELECT \(Self.columns) FROM payments_sandbox_checkout WHERE id = \(bind: id)").first()
        }.map(Self.decode)
    }

    public func transition(_ id: String, from expected: SandboxGateway.State, to next: SandboxGateway.State)
        async throws -> Bool
    {
        let (old, _) = Self.encode(expected)
        let (new, masked) = Self.encode(next)
        return try await database.write { db in
            try await db.raw(
                """
                UPDATE payments_sandbox_checkout SET state = \(bind: new), masked_card = COALESCE(\(bind: masked), masked_card)
                WHERE id = \(bind: id) AND state = \(bind: old) RETURNING id
                """
            ).first() != nil
        }
    }

    /// `open`, `awaiting3DS` (with the card's mask in its column) or `closed:<outcome>`.
    static func encode(_ state: SandboxGateway.State) -> (state: String, maskedCard: String?) {
        switch state {
        case .open: ("open", nil)
        case .awaiting3DS(let masked): ("awaiting3DS", masked)
        case .closed(let outcome): ("closed:" + outcome.rawValue, nil)
        }
    }

    static func decode(_ row: any SQLRow) throws -> SandboxGateway.Checkout {
        let code = try row.decode(column: "currency", as: String.self)
        let methodText = try row.decode(column: "method", as: String.self)
        let stateText = try row.decode(column: "state", as: String.self)
        guard let currency = Currency(code: code), let method = PaymentMethod(rawValue: methodText) else {
            throw CabinetError.internal("sandbox checkout row unreadable")
        }
        let state: SandboxGateway.State
        switch stateText {
        case "open": state = .open
        case "awaiting3DS":
            state = .awaiting3DS(maskedCard: try row.decode(column: "masked_card", as: String?.self) ?? "")
        default:
            guard stateText.hasPrefix("closed:"),
                let outcome = GatewayNotification.Outcome(rawValue: String(stateText.dropFirst("closed:".count)))
            else {
                throw CabinetError.internal("sandbox checkout state \(stateText) unreadable")
            }
            state = .closed(outcome)
        }
        return SandboxGateway.Checkout(
            gatewayPaymentID: try row.decode(column: "id", as: String.self),
            order: GatewayOrder(
                orderID: try row.decode(column: "order_id", as: String.self),
                amount: Money(minorUnits: try row.decode(column: "amount", as: Int64.self), currency: currency),
                method: method, description: try row.decode(column: "description", as: String.self),
                returnURL: try row.decode(column: "return_url", as: String.self),
                saveCard: try row.decode(column: "save_card", as: Int64.self) != 0),
            state: state)
    }
}
