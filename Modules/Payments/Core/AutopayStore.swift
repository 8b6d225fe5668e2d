public import CabinetCore
public import Foundation

/// Saved cards and auto-payment: the cards (the gateway's tokens), each line's rule, and the occasions (triggers)
/// charged at most once each — one open occasion per line, a key per occasion.
public protocol AutopayStore: Sendable {
    /// Keeps a card token for the line (the first card becomes the default); the same token again returns the card.
    func saveCard(line: SubscriberID, gateway: String, token: String, maskedCard: String, at now: Date) async throws
        -> SavedCard
    /// The line's cards, the default first, then by id.
    func cards(of line: SubscriberID) async throws -> [SavedCard]
    /// Makes the card the line's default; ``PaymentsError/cardUnknown`` when the card is not the line's.
    func setDefaultCard(_ id: Int64, of line: SubscriberID) async throws
    /// Forgets the card (``PaymentsError/cardUnknown`` when it is not the line's); when it was the default, the
    /// line's oldest remaining card becomes the default.
    func deleteCard(_ id: Int64, of line: SubscriberID) async throws

    /// Stores the line's rule, replacing the one it had.
    func setAutopay(_ rule: AutopayRule) async throws
    /// The line's rule, or `nil`.
    func autopay(of line: SubscriberID) async throws -> AutopayRule?
    /// Removes the line's rule and skips its open occasion, so switching off works at once.
    func deleteAutopay(of line: SubscriberID) async throws
    /// The threshold rules of these lines.
    func thresholdRules(of lines: [SubscriberID]) async throws -> [AutopayRule]
    /// Rules of `kind`, by line id after `after`.
    func autopayRules(kind: AutopayRule.Kind, after: SubscriberID?, limit: Int) async throws -> [AutopayRule]

    /// Opens a trigger (`open`, no attempts, due now) unless its key exists or the line has an open one; `nil` then.
    func openTrigger(key: String, line: SubscriberID, amount: Money, at now: Date) async throws -> AutopayTrigger?
    /// The line's newest trigger.
    func lastTrigger(of line: SubscriberID) async throws -> AutopayTrigger?
    /// Open triggers whose next attempt is due, the earliest first.
    func dueTriggers(at now: Date, limit: Int) async throws -> [AutopayTrigger]
    /// Records an attempt's outcome of an open trigger: `paid`, another try at `retryAt` (`open`), or
    /// `failed`/`skipped` with an SMS to the line (queued once per trigger). A trigger no longer open is left alone.
    func closeTrigger(
        _ key: String, status: AutopayTrigger.Status, attempts: Int, retryAt: Date?, sms: (to: MSISDN, text: String)?,
        at now: Date) async throws
    /// Succeeded auto-payments of the line created since `since`, in minor units.
    func autopaySpent(of line: SubscriberID, since: Date) async throws -> Int64
}
