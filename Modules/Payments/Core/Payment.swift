public import CabinetCore
public import Foundation

/// How a payment is paid at the gateway.
public enum PaymentMethod: String, Sendable, Hashable, Codable, CaseIterable {
    case card
    case wallet
}

/// Where a payment is in its life. `created` → `pending` (the payer is at the gateway's page) → one of the final states.
public enum PaymentStatus: String, Sendable, Hashable, Codable, CaseIterable {
    case created
    case pending
    case succeeded
    case declined
    case failed

    /// A final state never changes again; a late or repeated notification about the payment is ignored.
    public var isFinal: Bool { self == .succeeded || self == .declined || self == .failed }
}

/// A top-up of a line through a payment gateway. Cabinet never sees a card number: only the gateway's payment id and
/// the masked number the gateway reports.
public struct Payment: Sendable, Hashable {
    /// Our public id (`pay_…`), given to the gateway as its order id.
    public var id: String
    public var line: SubscriberID
    public var msisdn: MSISDN
    public var amount: Money
    public var method: PaymentMethod
    public var status: PaymentStatus
    public var gateway: String
    public var gatewayPaymentID: String?
    /// `•••• 4242` as the gateway reports it.
    public var maskedCard: String?
    /// The gateway's reason for a decline or failure (a message key of ours).
    public var failure: String?
    /// The request record shown in the line's request history.
    public var requestID: Int64?
    /// Paid by someone without logging in ("pay for another number").
    public var anonymous: Bool
    /// When the ledger was credited (nil until then; a reconciliation credits a succeeded payment it finds without).
    public var creditedAt: Date?
    public var createdAt: Date
    public var updatedAt: Date

    public init(id: String, line: SubscriberID, msisdn: MSISDN, amount: Money, method: PaymentMethod, status: PaymentStatus,
                gateway: String, gatewayPaymentID: String? = nil, maskedCard: String? = nil, failure: String? = nil,
                requestID: Int64? = nil, anonymous: Bool = false, creditedAt: Date? = nil, createdAt: Date, updatedAt: Date) {
        self.id = id
        self.line = line
        self.msisdn = msisdn
        self.amount = amount
        self.method = method
        self.status = status
        self.gateway = gateway
        self.gatewayPaymentID = gatewayPaymentID
        self.maskedCard = maskedCard
        self.failure = failure
        self.requestID = requestID
        self.anonymous = anonymous
        self.creditedAt = creditedAt
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    /// The ledger's external id of the credit: the gateway's payment id, so no notification can credit twice.
    public var ledgerID: String { "topup:\(gateway):\(gatewayPaymentID ?? id)" }
}
