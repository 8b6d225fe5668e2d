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
    /// The payer agreed to save the card.
    public var saveCard: Bool
    /// The saved card it was charged to (auto-payments and one-click payments).
    public var cardID: Int64?
    /// The auto-payment trigger it pays for.
    public var autopayTrigger: String?
    /// When the ledger was credited (nil until then; a reconciliation credits a succeeded payment it finds without).
    public var creditedAt: Date?
    public var createdAt: Date
    public var updatedAt: Date
    /// A top-up of this company's account (Corporate), paid by card by the admin whose line is ``line``; `nil` for a
    /// line's own top-up.
    public var company: CompanyID?

    public init(
        id: String, line: SubscriberID, msisdn: MSISDN, amount: Money, method: PaymentMethod, status: PaymentStatus,
        gateway: String, gatewayPaymentID: String? = nil, maskedCard: String? = nil, failure: String? = nil,
        requestID: Int64? = nil, anonymous: Bool = false, saveCard: Bool = false, cardID: Int64? = nil,
        autopayTrigger: String? = nil, creditedAt: Date? = nil, createdAt: Date, updatedAt: Date,
        company: CompanyID? = nil
    ) {
        self.company = company
        self.saveCard = saveCard
        self.cardID = cardID
        self.autopayTrigger = autopayTrigger
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

/// A card kept at the gateway for later payments: its token and the masked number, never the number itself.
public struct SavedCard: Sendable, Hashable {
    public var id: Int64
    public var line: SubscriberID
    public var gateway: String
    public var token: String
    public var maskedCard: String
    public var isDefault: Bool
    public var createdAt: Date

    public init(
        id: Int64, line: SubscriberID, gateway: String, token: String, maskedCard: String, isDefault: Bool,
        createdAt: Date
    ) {
        self.id = id
        self.line = line
        self.gateway = gateway
        self.token = token
        self.maskedCard = maskedCard
        self.isDefault = isDefault
        self.createdAt = createdAt
    }
}
