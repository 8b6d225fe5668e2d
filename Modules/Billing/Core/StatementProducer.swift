public import CabinetCore
import Foundation
public import Logging
public import Subscribers
import Tariffs

/// Produces ordered statements: claims pending orders, renders each file, and has the store send the mail (through
/// the outbox) or, after the last attempt, refund the charge and mark the request failed.
public struct StatementProducer: Sendable {
    let store: any BillingStore
    let rules: BillingRules
    let lines: any SubscriberDirectory
    let renderers: [any StatementRenderer]
    let texts: BillingTexts
    let clock: any WallClock
    let logger: Logger
    /// Attempts before an order is given up and refunded.
    public static let maxAttempts = 3
    /// Events one statement holds at most (a file beyond that is not something a person reads).
    public static let maxEvents = 100_000

    public init(
        store: any BillingStore, rules: BillingRules, lines: any SubscriberDirectory,
        renderers: [any StatementRenderer],
        texts: BillingTexts, clock: any WallClock, logger: Logger
    ) {
        self.store = store
        self.rules = rules
        self.lines = lines
        self.renderers = renderers
        self.texts = texts
        self.clock = clock
        self.logger = logger
    }

    /// Handles the orders waiting now; returns how many were finished (sent or failed).
    @discardableResult
    public func runOnce(limit: Int = 10) async throws -> Int {
        let claimed = try await store.claimStatements(now: clock.now, lease: 300, limit: limit)
        var finished = 0
        for order in claimed {
            do {
                let mail = try await produce(order)
                try await store.completeStatement(order.id, mail: mail, now: clock.now)
                logger.info(
                    "statement sent",
                    metadata: ["cabinet.request": "\(order.requestID)", "cabinet.files": "\(mail.attachments.count)"])
                finished += 1
            } catch {
                logger.error(
                    "statement failed",
                    metadata: [
                        "cabinet.request": "\(order.requestID)", "cabinet.attempt": "\(order.attempts)",
                        "error": "\(error)",
                    ])
                if order.attempts >= Self.maxAttempts || (error as? CabinetError)?.kind == .invalidInput {
                    try await store.failStatement(
                        order.id,
                        reason: "\(((error as? CabinetError)?.code).map { "\($0)" } ?? "billing.statement.failed")",
                        now: clock.now)
                    finished += 1
                }
            }
        }
        return finished
    }

    func produce(_ order: ClaimedStatement) async throws -> StatementMail {
        let account = order.account
        guard let region = rules.region(account.region) else {
            throw CabinetError.internal("region \(account.region.rawValue) of a statement is not loaded")
        }
        let start = order.from.startOfDay(in: region.timeZone)
        let end = order.to.adding(days: 1).startOfDay(in: region.timeZone)
        let events = try await store.ratedEvents(
            of: account.subscriberID, query: UsageQuery(from: start, to: end, limit: Self.maxEvents))
        let totals = try await store.usageTotals(of: account.subscriberID, query: UsageQuery(from: start, to: end))
        let owner = try await lines.line(id: account.subscriberID)?.owner.fullName
        let tariffName =
            rules.tariff(account.tariffID, in: account.region)?.name.text(in: order.language)
            ?? account.tariffID.rawValue
        let charged = totals.reduce(Int64(0)) { $0 + $1.charged.minorUnits }
        let statement = FullStatement(
            msisdn: account.msisdn, owner: owner, regionName: region.name.text(in: order.language),
            tariffName: tariffName,
            from: order.from, to: order.to, events: events, totals: totals,
            charged: Money(minorUnits: charged, currency: account.balance.currency), language: order.language,
            generatedAt: clock.now,
            timeZone: region.timeZone)
        let files = try renderers.map { try $0.render(statement, texts: texts) }
        let arguments = [
            "msisdn": account.msisdn.formatted, "from": order.from.description, "to": order.to.description,
        ]
        return StatementMail(
            subject: texts.catalog.text("billing.statement.mailSubject", in: order.language, arguments: arguments),
            body: texts.catalog.text("billing.statement.mailBody", in: order.language, arguments: arguments),
            attachments: files)
    }
}
