public import Billing
public import CabinetCore
public import Foundation
public import Logging
public import Subscribers

/// Top-ups through gateways and promised payments, posting money only through Billing's ``BalanceLedger``.
///
/// Exactly once without one transaction across modules: every ledger posting has a permanent external id (the
/// gateway's payment id, the promised payment's id), so repeating a step never moves money twice; Payments records
/// in its own tables which steps the ledger has, and ``reconcile()`` repeats the ones a crash interrupted.
public struct DefaultPaymentsService: PaymentsService {
    public let store: any PaymentsStore
    public let ledger: any BalanceLedger
    public let lines: any SubscriberDirectory
    public let regions: RegionCatalog
    public let gateways: [String: any PaymentGateway]
    /// Counts anonymous payment starts per address and per number, in the database (shared by every node).
    let limiter: any RateLimiter
    /// The gateway new payments go through where a region names none.
    public let defaultGateway: String
    let clock: any WallClock
    let logger: Logger
    /// Payments' texts (SMS about auto-payment).
    let messages: MessageCatalog
    /// Companies' ledger accounts, credited by a company's card top-up; `nil`: company top-ups are refused.
    let companyAccounts: (any CompanyAccounts)?

    public init(
        store: any PaymentsStore, ledger: any BalanceLedger, lines: any SubscriberDirectory, regions: RegionCatalog,
        gateways: [any PaymentGateway], defaultGateway: String, limiter: any RateLimiter, clock: any WallClock,
        logger: Logger, companyAccounts: (any CompanyAccounts)? = nil
    ) {
        self.companyAccounts = companyAccounts
        self.limiter = limiter
        self.store = store
        self.ledger = ledger
        self.lines = lines
        self.regions = regions
        self.gateways = Dictionary(gateways.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        self.defaultGateway = defaultGateway
        self.clock = clock
        self.logger = logger
        messages = (try? PaymentsModule.messages()) ?? MessageCatalog()
    }

    public var now: Date { clock.now }

    public func settings(_ region: RegionID) -> PaymentsSettings? {
        regions.region(region)?.settings(for: PaymentsModule.self)
    }

    public func currency(of region: RegionID) -> Currency? { regions.region(region)?.currency }

    /// Money leaves only an active line: a blocked SIM (lost, maybe in a thief's hands) or a suspended line may be
    /// topped up from outside but sends nothing.
    static func requireActive(_ line: Line) throws {
        if let refusal = line.status.refusal(msisdn: line.msisdn) { throw refusal }
    }

    public func startAnonymousTopUp(
        of msisdn: MSISDN, amount: (Currency) throws -> Money, method: PaymentMethod, from address: String?,
        returnURL: @Sendable (String) -> String
    ) async throws -> StartedTopUp {
        let found = try await lines.line(msisdn: msisdn)
        let region = found.flatMap { regions.region($0.region) }
        // The limits of the number's region; for a number we do not serve, the strictest of any region, so that
        // trying numbers one after another (finding out who is a subscriber) is limited as tightly as paying.
        let limits =
            region.flatMap { settings($0.id)?.anonymous }
            ?? regions.regions.compactMap { $0.settings(for: PaymentsModule.self)?.anonymous }.min {
                $0.maxPerAddressPerHour < $1.maxPerAddressPerHour
            }
        if let limits {
            let now = clock.now
            if let address {
                try await limiter.hit(
                    "payments.anonymous.address:\(address)", limit: .perHour(limits.maxPerAddressPerHour), at: now
                ).orThrow(PaymentsError.tooMany)
            }
            try await limiter.hit(
                "payments.anonymous.number:\(msisdn.e164)", limit: .perHour(limits.maxPerNumberPerHour), at: now
            ).orThrow(PaymentsError.tooMany)
        }
        // One answer for a number of another operator, a number not (or no longer) assigned and a terminated line.
        guard let found, let region, found.status != .terminated else {
            throw CabinetError.validation([
                FieldError(field: "msisdn", code: PaymentsError.lineUnknown, arguments: ["msisdn": msisdn.formatted])
            ])
        }
        return try await startTopUp(
            of: found.id, amount: try amount(region.currency), method: method, anonymous: true, saveCard: false,
            returnURL: returnURL)
    }

    // MARK: - Top-ups

    /// Starts a top-up of `line` for `amount`; the ledger is credited when the gateway's webhook says it succeeded.
    public func startTopUp(
        of line: SubscriberID, amount: Money, method: PaymentMethod, anonymous: Bool = false, saveCard: Bool = false,
        returnURL: @Sendable (String) -> String
    ) async throws -> StartedTopUp {
        try await start(
            of: line, company: nil, amount: amount, method: method, anonymous: anonymous, saveCard: saveCard,
            returnURL: returnURL)
    }

    /// Starts a card top-up of `company`'s account paid by the admin on line `payer`, within the region's top-up
    /// limits; the company's account is credited when the gateway's webhook says it succeeded (never the line's).
    public func startCompanyTopUp(
        _ company: CompanyID, payer: SubscriberID, amount: Money, returnURL: @Sendable (String) -> String
    ) async throws -> StartedTopUp {
        guard companyAccounts != nil else { throw CabinetError(PaymentsError.gatewayUnavailable) }
        return try await start(
            of: payer, company: company, amount: amount, method: .card, anonymous: false, saveCard: false,
            returnURL: returnURL)
    }

    private func start(
        of line: SubscriberID, company: CompanyID?, amount: Money, method: PaymentMethod, anonymous: Bool,
        saveCard: Bool, returnURL: @Sendable (String) -> String
    ) async throws -> StartedTopUp {
        guard let found = try await lines.line(id: line), let region = regions.region(found.region) else {
            throw CabinetError(PaymentsError.lineUnknown)
        }
        try checkLimits(line: line, amount: amount, region: region)
        guard let gateway = gateways[settings(found.region)?.gateway ?? defaultGateway] else {
            throw CabinetError(PaymentsError.gatewayUnavailable)
        }
        let id = "pay_" + Hex.random(bytes: 12)
        let now = clock.now
        var payment = try await store.insert(
            Payment(
                id: id, line: found.id, msisdn: found.msisdn, amount: amount, method: method, status: .created,
                gateway: gateway.name,
                anonymous: anonymous, saveCard: saveCard && !anonymous && method == .card, createdAt: now,
                updatedAt: now, company: company))
        let checkout: GatewayCheckout
        do {
            checkout = try await gateway.create(
                GatewayOrder(
                    orderID: id, amount: amount, method: method,
                    description: company.map { "Company account \($0.rawValue)" } ?? "Top-up \(found.msisdn.e164)",
                    returnURL: returnURL(id),
                    saveCard: payment.saveCard))
        } catch {
            logger.error("gateway refused a payment", metadata: ["cabinet.payment": "\(id)", "error": "\(error)"])
            _ = try await store.apply(
                GatewayNotification(
                    gatewayPaymentID: "", orderID: id, outcome: .failed, amount: amount,
                    reason: "payments.failed.gateway"), to: id, at: clock.now)
            throw CabinetError(PaymentsError.gatewayUnavailable)
        }
        try await store.attach(id, gatewayPaymentID: checkout.gatewayPaymentID, at: clock.now)
        payment.gatewayPaymentID = checkout.gatewayPaymentID
        payment.status = .pending
        return StartedTopUp(payment: payment, confirmationURL: checkout.confirmationURL)
    }

    /// A gateway's webhook: verified by the gateway's signature, matched to our payment, applied once. Repeated and
    /// late notifications change nothing. The payment's new state, its credit on the ledger and the repayment of an
    /// active promised payment are one transaction: an acknowledged webhook has moved the money.
    @discardableResult
    public func receiveWebhook(gateway name: String, body: Data, signature: String?, from address: String? = nil)
        async throws -> Payment
    {
        guard let gateway = gateways[name] else { throw CabinetError(PaymentsError.gatewayUnknown) }
        let notification = try gateway.verify(webhook: body, signature: signature, from: address)
        let now = clock.now
        let (payment, changed) = try await store.transaction { tx -> (Payment, Bool) in
            guard var payment = try await tx.payment(id: notification.orderID) else {
                throw CabinetError(PaymentsError.notFound)
            }
            guard payment.gateway == name, payment.amount == notification.amount,
                payment.gatewayPaymentID == nil || payment.gatewayPaymentID == notification.gatewayPaymentID
            else {
                self.logger.warning(
                    "webhook does not match its payment", metadata: ["cabinet.payment": "\(payment.id)"])
                throw CabinetError(PaymentsError.webhookMismatch)
            }
            let applied = try await tx.apply(notification, to: payment.id, at: now)
            if let applied { payment = applied }
            try await self.settle(&payment, notification: notification, in: tx, at: now)
            return (payment, applied != nil)
        }
        if payment.company != nil, payment.status == .succeeded, payment.creditedAt == nil {
            try await creditCompany(payment)
        }
        if changed {
            logger.info(
                "payment updated",
                metadata: ["cabinet.payment": "\(payment.id)", "cabinet.status": "\(payment.status.rawValue)"])
        }
        return payment
    }

    /// What follows a gateway's answer inside its transaction: the card kept (only with the payer's consent, and only
    /// the gateway's token of it), and a succeeded payment credited.
    func settle(
        _ payment: inout Payment, notification: GatewayNotification, in tx: any PaymentsTransaction, at now: Date
    ) async throws {
        if payment.status == .succeeded, payment.saveCard, let token = notification.cardToken,
            let masked = notification.maskedCard
        {
            _ = try await tx.saveCard(
                line: payment.line, gateway: payment.gateway, token: token, maskedCard: masked, at: now)
        }
        // A company's top-up is credited after this transaction commits (``creditCompany(_:)``).
        if payment.status == .succeeded, payment.creditedAt == nil, payment.company == nil {
            try await credit(payment, in: tx, at: now)
            payment.creditedAt = now
        }
    }

    /// Credits a company's succeeded top-up to its account and then records it. Not in the payment's transaction: the
    /// company's account is written through Billing's own, and one transaction must not wait on a second connection.
    /// The credit's external id (the gateway's payment id) makes a repeat after a crash between the two a no-op;
    /// ``reconcile()`` finds such a payment uncredited and repeats both.
    func creditCompany(_ payment: Payment) async throws {
        guard let company = payment.company, let accounts = companyAccounts else {
            throw CabinetError.internal("payment \(payment.id) names no company or companies have no accounts here")
        }
        let now = clock.now
        let result = try await accounts.credit(
            CompanyCredit(
                externalID: payment.ledgerID, company: company, amount: payment.amount, counterparty: .gateway,
                explanation: "billing.explain.companyCard", arguments: ["card": payment.maskedCard ?? ""], at: now))
        if case .insufficientFunds = result { throw CabinetError.internal("a credit cannot lack funds") }
        try await store.transaction { tx in try await tx.markCredited(payment.id, at: now) }
        logger.info(
            "company account topped up",
            metadata: ["cabinet.payment": "\(payment.id)", "cabinet.company": "\(company.rawValue)"])
    }

    /// Credits a succeeded payment (once, by its ledger id), records it, and repays an active promised payment.
    func credit(_ payment: Payment, in tx: any PaymentsTransaction, at now: Date) async throws {
        let result = try await tx.post(
            LedgerPosting(
                externalID: payment.ledgerID, kind: .topUp, line: payment.line, amount: payment.amount,
                counterparty: .gateway,
                explanation: "billing.explain.topUp",
                arguments: ["method": payment.method.rawValue, "card": payment.maskedCard ?? ""],
                allowsNegativeBalance: true, at: now))
        if case .insufficientFunds = result { throw CabinetError.internal("a credit cannot lack funds") }
        try await tx.markCredited(payment.id, at: now)
        try await repayPromised(of: payment.line, in: tx, at: now)
    }

    public func payment(_ id: String, of line: SubscriberID?) async throws -> Payment {
        guard let payment = try await store.payment(id: id), line == nil || payment.line == line else {
            throw CabinetError(PaymentsError.notFound)
        }
        return payment
    }

    public func history(of line: SubscriberID, before: String?, limit: Int) async throws -> [Payment] {
        try await store.payments(of: line, before: before, limit: limit)
    }

    // MARK: - Promised payment

    public func promisedEligibility(of line: SubscriberID) async throws -> PromisedEligibility {
        let (rules, facts) = try await promisedFacts(line)
        return rules.evaluate(facts, now: clock.now)
    }

    func promisedFacts(_ id: SubscriberID) async throws -> (PromisedPaymentRules, PromisedFacts) {
        guard let line = try await lines.line(id: id), let region = regions.region(line.region),
            let rules = region.settings(for: PaymentsModule.self)?.promisedPayment
        else { throw CabinetError(PaymentsError.lineUnknown) }
        let now = clock.now
        let days = line.activatedOn.days(until: LocalDate(now, in: region.timeZone))
        let topUps = try await store.succeededTotal(of: id, since: now.addingTimeInterval(-90 * 86_400))
        let facts = PromisedFacts(
            daysOnNetwork: max(0, days), averageMonthlyTopUps: Money(minorUnits: topUps / 3, currency: region.currency),
            balance: try await ledger.balance(of: id), active: try await store.activePromised(of: id),
            lineActive: line.status == .active)
        return (rules, facts)
    }

    /// Takes a promised payment of `amount`: checks the rules, stores it (the database allows one active per line),
    /// then credits the amount and charges the fee in one ledger transaction.
    public func takePromised(_ line: SubscriberID, amount: Money) async throws -> PromisedPayment {
        let (rules, facts) = try await promisedFacts(line)
        let eligibility = rules.evaluate(facts, now: clock.now)
        guard let offer = eligibility.offer else {
            let refusal = eligibility.refusals.first
            if refusal?.code == PromisedRefusal.alreadyActive {
                throw CabinetError(PaymentsError.promisedAlreadyActive)
            }
            throw CabinetError(refusal?.code ?? PaymentsError.promisedNotEligible, arguments: refusal?.arguments ?? [:])
        }
        guard offer.amounts.contains(amount) else {
            throw CabinetError.validation([
                FieldError(
                    field: "amount", code: PaymentsError.promisedAmountNotOffered,
                    arguments: [
                        "amounts": offer.amounts.map(\.amountString).joined(separator: ", ")
                    ])
            ])
        }
        var promised = try await store.insertPromised(
            line: line, amount: amount, fee: offer.fee, dueAt: offer.dueAt, at: clock.now)
        let now = clock.now
        try await store.transaction { [promised] tx in try await self.postCredit(promised, in: tx, at: now) }
        promised.creditedAt = now
        return promised
    }

    func postCredit(_ promised: PromisedPayment, in tx: any PaymentsTransaction, at now: Date) async throws {
        var legs: [LedgerLeg] = []
        if promised.fee.isPositive {
            legs.append(LedgerLeg(amount: try promised.fee.negated(), counterparty: .revenue))
        }
        _ = try await tx.post(
            LedgerPosting(
                externalID: promised.creditLedgerID, kind: .promisedPayment, line: promised.line,
                amount: promised.amount,
                counterparty: .promisedCredit, explanation: "billing.explain.promisedPayment",
                arguments: ["amount": promised.amount.amountString, "fee": promised.fee.amountString],
                allowsNegativeBalance: true, at: promised.takenAt, extraLegs: legs))
        try await tx.markPromised(promised.id, settled: false, at: now)
    }

    func postSettlement(_ promised: PromisedPayment, in tx: any PaymentsTransaction, at now: Date) async throws {
        let writtenOff = promised.status == .writtenOff
        _ = try await tx.post(
            LedgerPosting(
                externalID: promised.settleLedgerID, kind: writtenOff ? .writeOff : .promisedRepayment,
                line: promised.line,
                amount: try promised.amount.negated(), counterparty: .promisedCredit,
                explanation: writtenOff ? "billing.explain.promisedWriteOff" : "billing.explain.promisedRepayment",
                arguments: ["amount": promised.amount.amountString], allowsNegativeBalance: true,
                at: promised.closedAt ?? now))
        try await tx.markPromised(promised.id, settled: true, at: now)
    }

    /// A top-up repays the line's active promised payment, in the top-up's transaction.
    func repayPromised(of line: SubscriberID, in tx: any PaymentsTransaction, at now: Date) async throws {
        guard let active = try await tx.activePromised(of: line),
            let closed = try await tx.closePromised(active.id, as: .repaid, at: now)
        else { return }
        try await postSettlement(closed, in: tx, at: now)
    }

    /// Writes off promised payments past due, posts ledger steps a crash left out, credits succeeded payments whose
    /// credit was not recorded. Run by the scheduler; safe to run anywhere any number of times.
    @discardableResult
    public func reconcile(limit: Int = 500) async throws -> Int {
        var done = 0
        for payment in try await store.uncredited(limit: limit) {
            // One payment that cannot be credited now is logged and retried next time; the others go on.
            do {
                if payment.company != nil {
                    try await creditCompany(payment)
                } else {
                    let now = clock.now
                    try await store.transaction { tx in try await self.credit(payment, in: tx, at: now) }
                }
                done += 1
            } catch {
                logger.error(
                    "payment not credited", metadata: ["cabinet.payment": "\(payment.id)", "error": "\(error)"])
            }
        }
        for promised in try await store.unpostedPromised(limit: limit) {
            let now = clock.now
            try await store.transaction { tx in
                if promised.creditedAt == nil { try await self.postCredit(promised, in: tx, at: now) }
                if promised.status != .active, promised.settledAt == nil {
                    try await self.postSettlement(promised, in: tx, at: now)
                }
            }
            done += 1
        }
        // A transfer still pending after a minute lost its process between steps: finish it (or refuse it for funds).
        for transfer in try await store.unfinishedTransfers(before: clock.now.addingTimeInterval(-60), limit: limit) {
            do {
                try await complete(transfer)
            } catch let error as CabinetError where error.code == PaymentsError.transferInsufficientFunds {
                logger.info("interrupted transfer refused for funds", metadata: ["cabinet.transfer": "\(transfer.id)"])
            }
            done += 1
        }
        for promised in try await store.duePromised(at: clock.now, limit: limit) {
            let now = clock.now
            // Closing, crediting (if a crash left that out) and writing off are one transaction.
            let closed = try await store.transaction { tx -> PromisedPayment? in
                guard let closed = try await tx.closePromised(promised.id, as: .writtenOff, at: now) else { return nil }
                if closed.creditedAt == nil { try await self.postCredit(closed, in: tx, at: now) }
                try await self.postSettlement(closed, in: tx, at: now)
                return closed
            }
            guard let closed else { continue }
            logger.info("promised payment written off", metadata: ["cabinet.promised": "\(closed.id)"])
            done += 1
        }
        return done
    }
}
