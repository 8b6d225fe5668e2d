public import CabinetCore
public import Foundation

/// What Payments does, as its HTTP target and the composition root call it: top-ups through gateways and their
/// webhooks, the payment history, promised payments, saved cards and auto-payment, transfers between lines.
///
/// Money moves only through Billing's ``BalanceLedger``; ``DefaultPaymentsService`` is the implementation.
public protocol PaymentsService: CompanyTopUps {
    /// The service's clock's now (step-up freshness is judged against it).
    var now: Date { get }
    /// The payments section of a region's file.
    func settings(_ region: RegionID) -> PaymentsSettings?
    /// The currency of a region's lines.
    func currency(of region: RegionID) -> Currency?
    /// Starts a top-up of the line a payer names by number, without a login (the public payment form). Limited per
    /// client address and per number (`payments.anonymous`); a number that is not a line of ours, or no longer one,
    /// is refused with one answer, `payments.lineUnknown`, whatever the reason.
    func startAnonymousTopUp(
        of msisdn: MSISDN, amount: (Currency) throws -> Money, method: PaymentMethod, from address: String?,
        returnURL: @Sendable (String) -> String
    ) async throws -> StartedTopUp

    /// Starts a top-up of `line`; the ledger is credited when the gateway's webhook says it succeeded.
    func startTopUp(
        of line: SubscriberID, amount: Money, method: PaymentMethod, anonymous: Bool, saveCard: Bool,
        returnURL: @Sendable (String) -> String
    ) async throws -> StartedTopUp
    /// Applies a gateway's notification once (its signature or address checked by the gateway).
    @discardableResult
    func receiveWebhook(gateway name: String, body: Data, signature: String?, from address: String?) async throws
        -> Payment
    /// One payment; `line` restricts it to that line's payments (`nil`: the anonymous payer's page).
    func payment(_ id: String, of line: SubscriberID?) async throws -> Payment
    func history(of line: SubscriberID, before: String?, limit: Int) async throws -> [Payment]

    func promisedEligibility(of line: SubscriberID) async throws -> PromisedEligibility
    func takePromised(_ line: SubscriberID, amount: Money) async throws -> PromisedPayment

    func cards(of line: SubscriberID) async throws -> [SavedCard]
    func setDefaultCard(_ id: Int64, of line: SubscriberID) async throws
    func deleteCard(_ id: Int64, of line: SubscriberID) async throws
    /// Charges a saved card of the line (the gateway's token, never a card number).
    func payWithCard(_ cardID: Int64, line: SubscriberID, amount: Money) async throws -> Payment
    func autopay(of line: SubscriberID) async throws -> AutopayRule?
    func setAutopay(_ rule: AutopayRule) async throws -> AutopayRule
    func disableAutopay(of line: SubscriberID) async throws

    func transfer(from sender: SubscriberID, to recipient: MSISDN, amount: Money) async throws -> Transfer
    func transfers(of line: SubscriberID, limit: Int) async throws -> [Transfer]

    /// Finishes what a crash interrupted (ledger steps, transfers, write-offs of overdue promised payments).
    func reconcile(limit: Int) async throws -> Int
    /// Charges the auto-payment rules that are due; `changed` limits the threshold check to those lines.
    func runAutopay(changed: Set<SubscriberID>?, limit: Int) async throws -> Int
}

extension PaymentsService {
    public func startTopUp(
        of line: SubscriberID, amount: Money, method: PaymentMethod,
        returnURL: @Sendable (String) -> String
    ) async throws -> StartedTopUp {
        try await startTopUp(
            of: line, amount: amount, method: method, anonymous: false, saveCard: false, returnURL: returnURL)
    }

    @discardableResult
    public func receiveWebhook(gateway name: String, body: Data, signature: String?) async throws -> Payment {
        try await receiveWebhook(gateway: name, body: body, signature: signature, from: nil)
    }

    public func transfers(of line: SubscriberID) async throws -> [Transfer] { try await transfers(of: line, limit: 50) }
    public func reconcile() async throws -> Int { try await reconcile(limit: 500) }
    public func runAutopay(changed: Set<SubscriberID>? = nil) async throws -> Int {
        try await runAutopay(changed: changed, limit: 500)
    }
}

/// What a started top-up returns: the payment and the gateway's page to send the payer to.
public struct StartedTopUp: Sendable, Hashable {
    public var payment: Payment
    public var confirmationURL: String

    public init(payment: Payment, confirmationURL: String) {
        self.payment = payment
        self.confirmationURL = confirmationURL
    }
}

/// Card top-ups of a company's account, paid by one of its admins (Corporate's «Финансы и документы»): the payment is
/// the admin's, the money goes to the company's ledger account (Billing's ``CompanyAccounts``).
public protocol CompanyTopUps: Sendable {
    /// Starts the top-up at the region's gateway, within its top-up limits; `returnURL` gets the payment's id.
    func startCompanyTopUp(
        _ company: CompanyID, payer: SubscriberID, amount: Money, returnURL: @Sendable (String) -> String
    ) async throws -> StartedTopUp
    /// A payment, if it is `line`'s (any line's with `nil`).
    func payment(_ id: String, of line: SubscriberID?) async throws -> Payment
}
