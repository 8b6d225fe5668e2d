import Billing
public import CabinetCore
import Foundation
import Subscribers

extension DefaultPaymentsService {
    // MARK: - Saved cards

    public func cards(of line: SubscriberID) async throws -> [SavedCard] { try await store.cards(of: line) }

    public func setDefaultCard(_ id: Int64, of line: SubscriberID) async throws {
        try await store.setDefaultCard(id, of: line)
    }

    public func deleteCard(_ id: Int64, of line: SubscriberID) async throws { try await store.deleteCard(id, of: line) }

    /// Pays with a saved card, server to server (no payment page): the answer is final unless the gateway is still
    /// processing, in which case its webhook finishes it.
    public func payWithCard(_ cardID: Int64, line: SubscriberID, amount: Money) async throws -> Payment {
        guard let card = try await store.cards(of: line).first(where: { $0.id == cardID }) else {
            throw CabinetError(PaymentsError.cardUnknown)
        }
        guard let found = try await lines.line(id: line) else { throw CabinetError(PaymentsError.lineUnknown) }
        try Self.requireActive(found)
        return try await charge(
            card, line: line, amount: amount, paymentID: "pay_" + Hex.random(bytes: 12), trigger: nil)
    }

    /// Stores the payment (or finds it, when a crash interrupted an earlier run with the same id), charges the card
    /// with the payment id as idempotence key, and applies the answer like a webhook.
    func charge(_ card: SavedCard, line: SubscriberID, amount: Money, paymentID: String, trigger: String?) async throws
        -> Payment
    {
        try checkLimits(line: line, amount: amount, region: try await region(of: line))
        guard let gateway = gateways[card.gateway] else { throw CabinetError(PaymentsError.gatewayUnavailable) }
        var payment: Payment
        if let existing = try await store.payment(id: paymentID) {
            payment = existing
        } else {
            guard let found = try await lines.line(id: line) else { throw CabinetError(PaymentsError.lineUnknown) }
            let now = clock.now
            do {
                payment = try await store.insert(
                    Payment(
                        id: paymentID, line: line, msisdn: found.msisdn, amount: amount, method: .card,
                        status: .created, gateway: gateway.name,
                        maskedCard: card.maskedCard, cardID: card.id, autopayTrigger: trigger, createdAt: now,
                        updatedAt: now))
            } catch let error as CabinetError where error.code == PaymentsError.duplicatePayment {
                // Another run got there first; the gateway's idempotence key makes our charge the same charge.
                guard let existing = try await store.payment(id: paymentID) else { throw error }
                payment = existing
            }
        }
        guard !payment.status.isFinal else { return payment }
        let answer = try await gateway.charge(
            token: card.token,
            order: GatewayOrder(
                orderID: payment.id, amount: amount, method: .card, description: "Top-up \(payment.msisdn.e164)",
                returnURL: ""))
        try await store.attach(payment.id, gatewayPaymentID: answer.gatewayPaymentID, at: clock.now)
        payment.gatewayPaymentID = answer.gatewayPaymentID
        let now = clock.now
        return try await store.transaction { [payment] tx in
            var payment = payment
            if let applied = try await tx.apply(answer, to: payment.id, at: now) { payment = applied }
            try await self.settle(&payment, notification: answer, in: tx, at: now)
            return payment
        }
    }

    func region(of line: SubscriberID) async throws -> Region {
        guard let found = try await lines.line(id: line), let region = regions.region(found.region) else {
            throw CabinetError(PaymentsError.lineUnknown)
        }
        return region
    }

    func checkLimits(line: SubscriberID, amount: Money, region: Region) throws {
        guard let limits = region.settings(for: PaymentsModule.self)?.topUp else {
            throw CabinetError(PaymentsError.lineUnknown)
        }
        guard amount.currency == limits.minimum.currency,
            (limits.minimum.minorUnits...limits.maximum.minorUnits).contains(amount.minorUnits)
        else {
            throw CabinetError.validation([
                FieldError(
                    field: "amount", code: PaymentsError.amountOutOfRange,
                    arguments: [
                        "minimum": limits.minimum.amountString, "maximum": limits.maximum.amountString,
                        "currency": limits.minimum.currency.code,
                    ])
            ])
        }
    }

    // MARK: - Auto-payment

    public func autopay(of line: SubscriberID) async throws -> AutopayRule? { try await store.autopay(of: line) }

    public func disableAutopay(of line: SubscriberID) async throws { try await store.deleteAutopay(of: line) }

    /// Turns auto-payment on (or changes it). Needs a saved card; amounts within the region's auto-payment limits.
    public func setAutopay(_ rule: AutopayRule) async throws -> AutopayRule {
        let region = try await region(of: rule.line)
        guard let limits = region.settings(for: PaymentsModule.self)?.autopay else {
            throw CabinetError(PaymentsError.lineUnknown)
        }
        guard try await !store.cards(of: rule.line).isEmpty else { throw CabinetError(PaymentsError.autopayNoCard) }
        var problems: [FieldError] = []
        try checkLimits(line: rule.line, amount: rule.amount, region: region)
        if rule.amount.minorUnits > limits.maxAmount.minorUnits {
            problems.append(
                FieldError(
                    field: "amount", code: PaymentsError.autopayInvalid,
                    arguments: ["maximum": limits.maxAmount.amountString]))
        }
        if rule.monthlyCap.currency != region.currency || !rule.monthlyCap.isPositive
            || rule.monthlyCap.minorUnits > limits.maxPerMonth.minorUnits
            || rule.monthlyCap.minorUnits < rule.amount.minorUnits
        {
            problems.append(
                FieldError(
                    field: "monthlyCap", code: PaymentsError.autopayInvalid,
                    arguments: ["maximum": limits.maxPerMonth.amountString]))
        }
        switch rule.kind {
        case .threshold:
            if rule.threshold.map({ !$0.isPositive || $0.currency != region.currency }) ?? true {
                problems.append(FieldError(field: "threshold", code: PaymentsError.autopayInvalid, arguments: [:]))
            }
        case .schedule:
            if !(1...28).contains(rule.dayOfMonth ?? 0) {
                problems.append(FieldError(field: "dayOfMonth", code: PaymentsError.autopayInvalid, arguments: [:]))
            }
        }
        guard problems.isEmpty else { throw CabinetError.validation(problems) }
        var stored = rule
        stored.updatedAt = clock.now
        try await store.setAutopay(stored)
        return stored
    }

    /// Delays between attempts of one trigger; after the last, the trigger fails and the subscriber gets an SMS.
    static let autopayRetries: [TimeInterval] = [3600, 6 * 3600]

    /// Opens the triggers that are due (balances below thresholds, scheduled days reached) and charges them. Safe to
    /// run concurrently and after a crash: every trigger and attempt is keyed, so nothing is charged twice.
    ///
    /// - Parameter changed: only these lines' threshold rules are looked at (their balances just changed), and no
    ///   schedule; `nil` scans every rule.
    @discardableResult
    public func runAutopay(changed: Set<SubscriberID>? = nil, limit: Int = 500) async throws -> Int {
        if let changed {
            for rule in try await store.thresholdRules(of: changed.sorted { $0.rawValue < $1.rawValue }) {
                try await openThresholdTrigger(rule)
            }
            return try await chargeDue(limit: limit)
        }
        var after: SubscriberID?
        while true {
            let rules = try await store.autopayRules(kind: .threshold, after: after, limit: limit)
            for rule in rules { try await openThresholdTrigger(rule) }
            guard rules.count == limit, let last = rules.last else { break }
            after = last.line
        }
        try await openScheduledTriggers(limit: limit)
        return try await chargeDue(limit: limit)
    }

    func openThresholdTrigger(_ rule: AutopayRule) async throws {
        let now = clock.now
        guard let threshold = rule.threshold, try await ledger.balance(of: rule.line).minorUnits < threshold.minorUnits
        else { return }
        // After a trigger failed, wait a day before trying again for the same low balance.
        if let last = try await store.lastTrigger(of: rule.line), last.status == .failed,
            now.timeIntervalSince(last.nextAttemptAt) < 86_400
        {
            return
        }
        _ = try await store.openTrigger(
            key: "threshold:\(rule.line.rawValue):\(now.storageKey)", line: rule.line, amount: rule.amount,
            at: now)
    }

    func openScheduledTriggers(limit: Int) async throws {
        let now = clock.now
        var after: SubscriberID?
        while true {
            let rules = try await store.autopayRules(kind: .schedule, after: after, limit: limit)
            for rule in rules {
                guard let day = rule.dayOfMonth, let region = try? await region(of: rule.line) else { continue }
                let today = LocalDate(now, in: region.timeZone)
                guard today.day >= day else { continue }
                let month = String(format: "%04d-%02d", today.year, today.month)
                _ = try await store.openTrigger(
                    key: "schedule:\(rule.line.rawValue):\(month)", line: rule.line, amount: rule.amount, at: now)
            }
            guard rules.count == limit, let last = rules.last else { break }
            after = last.line
        }
    }

    func chargeDue(limit: Int) async throws -> Int {
        let now = clock.now
        var charged = 0
        for trigger in try await store.dueTriggers(at: now, limit: limit) {
            try await attempt(trigger)
            charged += 1
        }
        return charged
    }

    func attempt(_ trigger: AutopayTrigger) async throws {
        let now = clock.now
        guard let found = try await lines.line(id: trigger.line), let region = regions.region(found.region) else {
            return
        }
        // A blocked SIM (maybe in a thief's hands) or a suspended line sends no money, auto-payment's neither.
        guard found.status == .active else {
            try await store.closeTrigger(
                trigger.key, status: .skipped, attempts: trigger.attempts, retryAt: nil, sms: nil, at: now)
            return
        }
        let texts = AutopayTexts(catalog: messages, language: .ru)
        guard let rule = try await store.autopay(of: trigger.line),
            let card = try await store.cards(of: trigger.line).first(where: \.isDefault)
        else {
            try await store.closeTrigger(
                trigger.key, status: .skipped, attempts: trigger.attempts, retryAt: nil, sms: nil, at: now)
            return
        }
        let today = LocalDate(now, in: region.timeZone)
        let monthStart = (LocalDate(year: today.year, month: today.month, day: 1) ?? today).startOfDay(
            in: region.timeZone)
        let spent = try await store.autopaySpent(of: trigger.line, since: monthStart)
        guard spent + trigger.amount.minorUnits <= rule.monthlyCap.minorUnits else {
            try await store.closeTrigger(
                trigger.key, status: .skipped, attempts: trigger.attempts, retryAt: nil,
                sms: (found.msisdn, texts.capReached(rule.monthlyCap)), at: now)
            return
        }
        let attempt = trigger.attempts + 1
        let payment: Payment
        do {
            payment = try await charge(
                card, line: trigger.line, amount: trigger.amount, paymentID: trigger.paymentID(attempt: attempt),
                trigger: trigger.key)
        } catch let error as CabinetError where error.kind != .internal && error.kind != .unavailable {
            try await store.closeTrigger(
                trigger.key, status: .failed, attempts: attempt, retryAt: nil,
                sms: (found.msisdn, texts.failed(trigger.amount, card: card.maskedCard)), at: now)
            return
        }
        switch payment.status {
        case .succeeded:
            try await store.closeTrigger(trigger.key, status: .paid, attempts: attempt, retryAt: nil, sms: nil, at: now)
        case .declined, .failed:
            if attempt <= Self.autopayRetries.count {
                try await store.closeTrigger(
                    trigger.key, status: .open, attempts: attempt,
                    retryAt: now.addingTimeInterval(Self.autopayRetries[attempt - 1]), sms: nil, at: now)
            } else {
                try await store.closeTrigger(
                    trigger.key, status: .failed, attempts: attempt, retryAt: nil,
                    sms: (found.msisdn, texts.failed(trigger.amount, card: card.maskedCard)), at: now)
            }
        case .created, .pending:
            // The gateway is still deciding; its webhook credits the payment. Look again later without a new charge.
            try await store.closeTrigger(
                trigger.key, status: .open, attempts: trigger.attempts,
                retryAt: now.addingTimeInterval(600), sms: nil, at: now)
        }
    }
}

/// SMS texts of auto-payment, from Payments' catalogue.
struct AutopayTexts {
    let catalog: MessageCatalog
    let language: Language

    func failed(_ amount: Money, card: String) -> String {
        catalog.text(
            "payments.autopay.sms.failed", in: language, arguments: ["amount": amount.displayString, "card": card])
    }

    func capReached(_ cap: Money) -> String {
        catalog.text("payments.autopay.sms.capReached", in: language, arguments: ["cap": cap.displayString])
    }
}

extension Date {
    /// Milliseconds, for keys that must differ between occasions.
    var storageKey: String { String(Int64(timeIntervalSince1970 * 1000)) }
}
