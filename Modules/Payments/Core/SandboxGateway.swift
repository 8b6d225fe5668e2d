public import CabinetCore
public import Foundation

/// The built-in sandbox acquirer, Cabinet's embedded default: it serves its own hosted payment page (PaymentsHTTP,
/// `/sandbox/pay/{id}`), decides by test card numbers and reports by signed webhooks, exactly as a real gateway
/// would, so the whole flow — create, redirect, pay, webhook, credit — runs without a bank.
///
/// Test cards (any future expiry, any 3-digit CVC):
/// - `4242 4242 4242 4242` succeeds;
/// - `4000 0000 0000 0002` is declined; `4000 0000 0000 9995` is declined for insufficient funds;
/// - `4000 0000 0000 3220` asks for a 3-D Secure code (`1234` passes, anything else declines);
/// - `4000 0000 0000 0119` times out at the bank (the payment fails);
/// - `4000 0000 0000 0077` succeeds and its webhooks arrive twice and out of order (pending after succeeded).
/// The wallet method pays without a card. A saved card's token carries its last four digits, so a charge by token
/// behaves like the card did, and its outcome and payment id follow from the token and the order alone: a retried
/// charge, on any node, answers the same. Open checkouts live in a ``SandboxCheckoutStore`` (the database in a
/// server, so any node serves the hosted page).
public struct SandboxGateway: PaymentGateway {
    public struct Checkout: Sendable, Hashable {
        public var gatewayPaymentID: String
        public var order: GatewayOrder
        public var state: State

        public init(gatewayPaymentID: String, order: GatewayOrder, state: State) {
            self.gatewayPaymentID = gatewayPaymentID
            self.order = order
            self.state = state
        }
    }

    public enum State: Sendable, Hashable {
        case open
        case awaiting3DS(maskedCard: String)
        case closed(GatewayNotification.Outcome)
    }

    /// What the hosted page shows after a submit.
    public enum Step: Sendable, Hashable {
        /// Done: deliver these signed webhooks (in this order), then send the payer to the return URL.
        case finished(returnURL: String, webhooks: [SignedWebhook])
        /// Ask for the 3-D Secure code.
        case needs3DS
    }

    public struct SignedWebhook: Sendable, Hashable {
        public var body: Data
        public var signature: String
    }

    /// The name regions use for it (`payments.gateway: sandbox`, the default).
    public static let gatewayName = "sandbox"
    public let name = SandboxGateway.gatewayName
    let signer: WebhookSignature
    let pageBaseURL: String
    let checkouts: any SandboxCheckoutStore
    let clock: any WallClock

    /// - Parameters:
    ///   - secret: shared with the webhook receiver (``PaymentsService``) to sign notifications.
    ///   - pageBaseURL: where the hosted page is served, e.g. `http://127.0.0.1:8080`.
    ///   - checkouts: where open checkouts are kept (this process's memory unless given).
    public init(
        secret: Data, pageBaseURL: String, checkouts: any SandboxCheckoutStore = InMemorySandboxCheckouts(),
        clock: any WallClock = SystemClock()
    ) {
        signer = WebhookSignature(secret: secret)
        self.pageBaseURL = pageBaseURL
        self.checkouts = checkouts
        self.clock = clock
    }

    public func create(_ order: GatewayOrder) async throws -> GatewayCheckout {
        // The order id is the idempotence key: a create retried after a lost answer returns the same checkout.
        let fresh = Checkout(gatewayPaymentID: "sbx_" + Hex.random(bytes: 12), order: order, state: .open)
        let stored = try await checkouts.open(fresh, at: clock.now)
        return GatewayCheckout(gatewayPaymentID: stored.gatewayPaymentID, confirmationURL: url(stored.gatewayPaymentID))
    }

    public func checkout(_ id: String) async throws -> Checkout? {
        try await checkouts.checkout(id)
    }

    /// The hosted page's form: a card (or the wallet) for checkout `id`.
    public func pay(_ id: String, card: String?, expiry: String?, cvc: String?, now: Date) async throws -> Step {
        guard let checkout = try await checkouts.checkout(id) else { throw CabinetError(PaymentsError.checkoutUnknown) }
        guard case .open = checkout.state else { throw CabinetError(PaymentsError.checkoutClosed) }
        if checkout.order.method == .wallet {
            return try await finish(checkout, from: .open, .succeeded, maskedCard: nil, reason: nil)
        }
        let digits = (card ?? "").filter { $0.isNumber }
        var problems: [FieldError] = []
        if !Self.luhnValid(digits) { problems.append(FieldError(field: "card", code: PaymentsError.cardInvalid)) }
        if !Self.expiryValid(expiry ?? "", now: now) {
            problems.append(FieldError(field: "expiry", code: PaymentsError.expiryInvalid))
        }
        if (cvc ?? "").count != 3 || !(cvc ?? "").allSatisfy(\.isNumber) {
            problems.append(FieldError(field: "cvc", code: PaymentsError.cvcInvalid))
        }
        guard problems.isEmpty else { throw CabinetError.validation(problems) }
        let masked = "•••• " + digits.suffix(4)
        switch digits {
        case "4000000000000002":
            return try await finish(
                checkout, from: .open, .declined, maskedCard: masked, reason: "payments.declined.generic")
        case "4000000000009995":
            return try await finish(
                checkout, from: .open, .declined, maskedCard: masked, reason: "payments.declined.insufficientFunds")
        case "4000000000000119":
            return try await finish(
                checkout, from: .open, .failed, maskedCard: masked, reason: "payments.failed.timeout")
        case "4000000000003220":
            guard try await checkouts.transition(id, from: .open, to: .awaiting3DS(maskedCard: masked)) else {
                throw CabinetError(PaymentsError.checkoutClosed)
            }
            return .needs3DS
        case "4000000000000077":
            return try await finish(checkout, from: .open, .succeeded, maskedCard: masked, reason: nil, scrambled: true)
        default:
            return try await finish(checkout, from: .open, .succeeded, maskedCard: masked, reason: nil)
        }
    }

    /// The 3-D Secure page's form.
    public func confirm3DS(_ id: String, code: String) async throws -> Step {
        guard let checkout = try await checkouts.checkout(id) else { throw CabinetError(PaymentsError.checkoutUnknown) }
        guard case .awaiting3DS(let masked) = checkout.state else { throw CabinetError(PaymentsError.checkoutClosed) }
        return code == "1234"
            ? try await finish(checkout, from: checkout.state, .succeeded, maskedCard: masked, reason: nil)
            : try await finish(
                checkout, from: checkout.state, .declined, maskedCard: masked, reason: "payments.declined.threeDS")
    }

    public func charge(token: String, order: GatewayOrder) async throws -> GatewayNotification {
        let parts = token.split(separator: "_")
        guard parts.count == 3, parts[0] == "tok", parts[1].count == 4 else {
            throw CabinetError(PaymentsError.cardUnknown)
        }
        let last4 = String(parts[1])
        // Derived from the order: a charge retried (on any node, after any restart) has one payment id and outcome.
        let id = "sbx_c_" + order.orderID
        let (outcome, reason): (GatewayNotification.Outcome, String?) =
            switch last4 {
            case "0002": (.declined, "payments.declined.generic")
            case "9995": (.declined, "payments.declined.insufficientFunds")
            case "0119": (.failed, "payments.failed.timeout")
            default: (.succeeded, nil)
            }
        return GatewayNotification(
            gatewayPaymentID: id, orderID: order.orderID, outcome: outcome, amount: order.amount,
            maskedCard: "•••• " + last4, reason: reason)
    }

    /// Closes the checkout (once: a submit that lost the race to another is told the checkout is closed) and signs
    /// the webhooks to deliver.
    private func finish(
        _ checkout: Checkout, from expected: State, _ outcome: GatewayNotification.Outcome, maskedCard: String?,
        reason: String?, scrambled: Bool = false
    ) async throws -> Step {
        let id = checkout.gatewayPaymentID
        guard try await checkouts.transition(id, from: expected, to: .closed(outcome)) else {
            throw CabinetError(PaymentsError.checkoutClosed)
        }
        let order = checkout.order
        let token =
            order.saveCard && outcome == .succeeded
            ? maskedCard.map { "tok_\($0.suffix(4))_" + Hex.random(bytes: 8) } : nil
        func webhook(_ outcome: GatewayNotification.Outcome) -> SignedWebhook {
            let body = SandboxWebhookBody(
                paymentId: id, orderId: order.orderID, status: outcome.rawValue, amount: order.amount.amountString,
                currency: order.amount.currency.code, maskedCard: maskedCard,
                reason: outcome == .pending ? nil : reason,
                cardToken: outcome == .succeeded ? token : nil)
            let data = (try? SandboxWebhookBody.encoder.encode(body)) ?? Data()
            return SignedWebhook(body: data, signature: signer.sign(data))
        }
        let final = webhook(outcome)
        let webhooks = scrambled ? [final, webhook(.pending), final] : [webhook(.pending), final]
        return .finished(returnURL: order.returnURL, webhooks: webhooks)
    }

    public func refund(gatewayPaymentID: String, amount: Money, key: String) async throws -> GatewayRefund {
        GatewayRefund(refundID: "sbx_r_" + key, status: .succeeded)
    }

    public func verify(webhook body: Data, signature: String?, from address: String?) throws
        -> GatewayNotification
    {
        guard signer.isValid(signature, for: body) else { throw CabinetError(PaymentsError.signatureInvalid) }
        guard let decoded = try? JSONDecoder().decode(SandboxWebhookBody.self, from: body),
            let outcome = GatewayNotification.Outcome(rawValue: decoded.status),
            let currency = Currency(code: decoded.currency),
            let amount = try? Money(parsing: decoded.amount, currency: currency)
        else { throw CabinetError(PaymentsError.webhookInvalid) }
        return GatewayNotification(
            gatewayPaymentID: decoded.paymentId, orderID: decoded.orderId, outcome: outcome, amount: amount,
            maskedCard: decoded.maskedCard, reason: decoded.reason, cardToken: decoded.cardToken)
    }

    private func url(_ id: String) -> String { "\(pageBaseURL)/sandbox/pay/\(id)" }

    static func luhnValid(_ digits: String) -> Bool {
        guard (12...19).contains(digits.count), digits.allSatisfy(\.isNumber) else { return false }
        var sum = 0
        for (index, character) in digits.reversed().enumerated() {
            guard var digit = character.wholeNumberValue else { return false }
            if index % 2 == 1 {
                digit *= 2
                if digit > 9 { digit -= 9 }
            }
            sum += digit
        }
        return sum % 10 == 0
    }

    /// `MM/YY`, not in the past.
    static func expiryValid(_ text: String, now: Date) -> Bool {
        let parts = text.split(separator: "/").map { $0.trimmingCharacters(in: .whitespaces) }
        guard parts.count == 2, let month = Int(parts[0]), let year = Int(parts[1]), (1...12).contains(month),
            (0...99).contains(year)
        else { return false }
        let today = LocalDate(now, in: .gmt)
        return (2000 + year, month) >= (today.year, today.month)
    }
}

/// The sandbox's webhook JSON.
struct SandboxWebhookBody: Codable {
    var paymentId: String
    var orderId: String
    var status: String
    var amount: String
    var currency: String
    var maskedCard: String?
    var reason: String?
    var cardToken: String?

    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return encoder
    }()
}
