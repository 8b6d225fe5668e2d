public import Billing
public import CabinetCore
public import CabinetMessaging
import CabinetStorage
public import CabinetTesting
public import Foundation
public import Logging
public import Tariffs

/// Billing's storage in memory, for domain tests: every requirement of ``BillingStore`` with the observable behaviour of
/// `SQLBillingStore`: double entry once per external id, funds, system accounts per currency, periods and fees opened
/// once, packages and rollover, rating once per event id, tariff changes, the history and statement queries with their
/// cursors, statements claimed under a lease and completed or refunded, and the ledger check.
///
/// Prices, periods, packages, rollover, notices and the tariff change's instant come from the pure rules in Billing's
/// Core (``Rater``, ``BillingRules``, ``PeriodPlan``, ``BillingNotice``), as in the SQL store; only the bookkeeping is
/// this store's own. Each method runs on the actor without suspending and works on a copy of the tables that replaces
/// them only when it succeeds, so it is as atomic as one SQL transaction. Instants are kept as whole milliseconds, as
/// the SQL tables keep them, and come back rounded the same way.
///
/// What the SQL store writes into other modules' tables in the same transaction is kept here too: the request records
/// (``RequestRegistry``), the lines' tariff spans (``LineTariffStore``) and the outbox (``messages(to:)``,
/// ``takeMail()``).
public actor InMemoryBillingStore: BillingStore {
    private var tables: Tables
    /// Called after a write that queued a message (wakes the outbox worker in the SQL wiring).
    private let messagesQueued: @Sendable () -> Void
    /// Called after a write that may have lowered lines' balances, with those lines (lines a posting only credited are
    /// left out), as `SQLBillingStore` calls it.
    private let balancesChanged: @Sendable ([SubscriberID]) -> Void

    /// A store with the system accounts of every currency the regions use (and roubles).
    public init(
        rules: BillingRules, texts: BillingTexts, logger: Logger = Logger(label: "cabinet.billing.memory"),
        messagesQueued: @escaping @Sendable () -> Void = {},
        balancesChanged: @escaping @Sendable ([SubscriberID]) -> Void = { _ in }
    ) {
        tables = Tables(rules: rules, texts: texts, logger: logger)
        self.messagesQueued = messagesQueued
        self.balancesChanged = balancesChanged
    }

    /// Runs `body` on a copy of the tables and keeps it when `body` returns; then tells ``balancesChanged`` of the lines
    /// the write touched (but those `post` only credited) and ``messagesQueued`` when it queued a message.
    private func write<T>(
        lines: [SubscriberID] = [], onlyRaisedLeftOut: Bool = false,
        _ body: (inout Tables, inout Effects) throws -> T
    ) throws -> T {
        var draft = tables
        var effects = Effects()
        effects.touched.formUnion(lines.map(\.rawValue))
        let result = try body(&draft, &effects)
        tables = draft
        let left = onlyRaisedLeftOut ? effects.raised.subtracting(effects.lowered) : []
        let changed = effects.touched.subtracting(left)
        if !changed.isEmpty { balancesChanged(changed.sorted().map { SubscriberID($0) }) }
        if effects.queued { messagesQueued() }
        return result
    }

    // MARK: Ledger

    public func post(_ posting: LedgerPosting) throws -> PostingResult {
        try write(lines: [posting.line], onlyRaisedLeftOut: true) { tables, effects in
            guard !posting.amount.isZero, posting.extraLegs.allSatisfy({ !$0.amount.isZero }) else {
                throw CabinetError(BillingError.amountInvalid, arguments: ["amount": posting.amount.amountString])
            }
            effects.touched.insert(posting.line.rawValue)
            guard var account = tables.lines[posting.line.rawValue] else { throw CabinetError(BillingError.noAccount) }
            if let existing = tables.transactionIDs[posting.externalID] { return .duplicate(transactionID: existing) }
            let net = try Tables.lineAmount(posting)
            let (after, overflow) = account.balance.addingReportingOverflow(net.minorUnits)
            if net.isNegative, !posting.allowsNegativeBalance, overflow || after < 0 {
                return .insufficientFunds(balance: account.money)
            }
            if net.isPositive {
                effects.raised.insert(posting.line.rawValue)
            } else {
                effects.lowered.insert(posting.line.rawValue)
            }
            let id = try tables.postLocked(posting, account: &account, effects: &effects)
            tables.lines[posting.line.rawValue] = account
            return .posted(transactionID: id, balance: account.money)
        }
    }

    public func balance(of line: SubscriberID) throws -> Money {
        guard let account = tables.lines[line.rawValue] else { throw CabinetError(BillingError.noAccount) }
        return account.money
    }

    public func check() -> LedgerCheckReport { tables.check() }

    // MARK: Accounts

    public func openAccount(_ new: NewAccount, now: Date) throws -> BillingAccount {
        guard let region = tables.rules.region(new.region) else {
            throw CabinetError(BillingError.noAccount, arguments: ["region": new.region.rawValue])
        }
        return try write(lines: [new.subscriberID]) { tables, effects in
            try tables.openAccount(new, currency: region.currency, now: now, effects: &effects)
        }
    }

    public func account(of line: SubscriberID) -> BillingAccount? { tables.lines[line.rawValue]?.account }

    public func snapshot(of line: SubscriberID, at now: Date) -> AccountSnapshot? {
        guard let row = tables.lines[line.rawValue] else { return nil }
        let at = now.storageMilliseconds
        let buckets = (tables.bucketsOf[line.rawValue] ?? []).map { tables.buckets[$0].bucket }
            .filter { $0.expiresAt.storageMilliseconds > at }
            .sorted { ($0.expiresAt, $0.id) < ($1.expiresAt, $1.id) }
            .filter { $0.covers(now) }
        return AccountSnapshot(account: row.account, buckets: buckets, plannedTariff: row.nextTariffID)
    }

    // MARK: Rating and periods

    public func rate(_ events: [UsageEvent], now: Date) throws -> RatingOutcome {
        guard !events.isEmpty else { return RatingOutcome() }
        return try write { tables, effects in try tables.rate(events, now: now, effects: &effects) }
    }

    public func openDuePeriods(now: Date, limit: Int) throws -> Int {
        let at = now.storageMilliseconds
        return try write { tables, effects in
            let due = tables.lines.values.filter { $0.periodEnd <= at }.sorted {
                ($0.periodEnd, $0.id) < ($1.periodEnd, $1.id)
            }
            .prefix(max(0, limit)).map(\.subscriberID.rawValue)
            effects.touched.formUnion(due)
            var moved = 0
            for subscriber in due {
                guard var row = tables.lines[subscriber] else { continue }
                do {
                    if try tables.rollForward(&row, through: at, now: now, effects: &effects) > 0 { moved += 1 }
                } catch let error as CabinetError where error.code == BillingError.tariffMissing {
                    // A tariff removed from the region file must not stop every other line's fees; what opened stays.
                    tables.logger.error(
                        "cannot open the next period: the line's tariff is not in the region file",
                        metadata: ["cabinet.subscriber": "\(subscriber)", "cabinet.tariff": "\(row.tariffID)"])
                }
                tables.lines[subscriber] = row
            }
            return moved
        }
    }

    // MARK: Tariff change

    public func changeTariff(_ order: TariffChangeOrder) throws -> ServiceRequest {
        guard let target = tables.rules.tariff(order.to, in: order.region) else {
            throw CabinetError(TariffsError.notInRegion, arguments: ["tariff": order.to.rawValue])
        }
        return try write(lines: [order.line]) { tables, effects in
            try tables.changeTariff(order, target: target, effects: &effects)
        }
    }

    // MARK: History and statements

    public func movements(of line: SubscriberID, query: MovementQuery) -> [LedgerMovement] {
        tables.movements(of: line, query: query)
    }

    public func ratedEvents(of line: SubscriberID, query: UsageQuery) -> [RatedEvent] {
        var rows = tables.usage(of: line, query)
        if let after = query.after {
            let at = after.occurredAt.storageMilliseconds
            rows = rows.filter {
                $0.occurredAt > at || ($0.occurredAt == at && Tables.precedes(after.eventID, $0.event.eventID))
            }
        }
        rows.sort {
            $0.occurredAt != $1.occurredAt
                ? $0.occurredAt < $1.occurredAt : Tables.precedes($0.event.eventID, $1.event.eventID)
        }
        return rows.prefix(max(1, min(query.limit, 100_000))).map(\.event)
    }

    public func usageTotals(of line: SubscriberID, query: UsageQuery) -> [UsageTotal] {
        var totals: [String: UsageTotal] = [:]
        for row in tables.usage(of: line, query) {
            let event = row.event
            let key = event.kind.rawValue + " " + event.charged.currency.code
            var total =
                totals[key]
                ?? UsageTotal(
                    kind: event.kind, events: 0, units: 0, fromPackage: 0, charged: .zero(event.charged.currency))
            total.events += 1
            total.units &+= event.units
            total.fromPackage &+= event.fromPackage
            total.charged = Money(
                minorUnits: total.charged.minorUnits &+ event.charged.minorUnits, currency: event.charged.currency)
            totals[key] = total
        }
        return totals.sorted { $0.key < $1.key }.map(\.value)
    }

    public func orderStatement(_ order: StatementOrder) throws -> ServiceRequest {
        try write(lines: [order.line]) { tables, effects in try tables.orderStatement(order, effects: &effects) }
    }

    public func claimStatements(now: Date, lease: TimeInterval, limit: Int) throws -> [ClaimedStatement] {
        let at = now.storageMilliseconds
        let until = now.addingTimeInterval(lease).storageMilliseconds
        return try write { tables, _ in
            var claimed: [ClaimedStatement] = []
            for index in tables.statements.indices
            where tables.statements[index].status == .pending && tables.statements[index].leaseUntil <= at {
                guard claimed.count < limit else { break }
                tables.statements[index].leaseUntil = until
                tables.statements[index].attempts += 1
                let order = tables.statements[index]
                guard let account = tables.lines[order.subscriber] else {
                    throw CabinetError.internal("statement order \(order.id) is inconsistent")
                }
                claimed.append(
                    ClaimedStatement(
                        id: order.id, requestID: order.requestID, account: account.account, from: order.from,
                        to: order.to, email: order.email, language: order.language, price: order.price,
                        attempts: order.attempts))
            }
            return claimed
        }
    }

    public func completeStatement(_ id: Int64, mail: StatementMail, now: Date) throws {
        try write { tables, _ in
            guard let index = tables.statementIndex(id), tables.statements[index].status == .pending else { return }
            let order = tables.statements[index]
            let files = mail.attachments.map {
                MailAttachment(fileName: $0.fileName, contentType: $0.contentType, data: $0.data)
            }
            tables.enqueue(
                MailMessage(
                    to: order.email, subject: mail.subject, textBody: mail.body, attachments: files,
                    purpose: "billing.statement", dedupeKey: "statement:\(id)"), now: now)
            tables.statements[index].status = .done
            tables.statements[index].updatedAt = now.storageMilliseconds
            tables.updateRequest(order.requestID, status: .done, detail: nil, at: now)
        }
        messagesQueued()
    }

    public func failStatement(_ id: Int64, reason: String, now: Date) throws {
        try write { tables, effects in try tables.failStatement(id, reason: reason, now: now, effects: &effects) }
    }

    // MARK: Outgoing messages

    /// The messages queued to a number (E.164) or an e-mail address, oldest first.
    public func messages(to recipient: String) -> [QueuedMessage] {
        tables.outbox.filter { $0.message.recipient == recipient }.map(\.message)
    }

    /// Every message queued, oldest first.
    public var allMessages: [QueuedMessage] { tables.outbox.map(\.message) }

    /// The e-mails queued since the last call, with their attachments, as the outbox worker hands them to a mail sender.
    public func takeMail() -> [MailMessage] {
        let mail = tables.outbox[tables.delivered...].compactMap(\.mail)
        tables.delivered = tables.outbox.count
        return mail
    }
}

// MARK: - Requests and tariff spans

/// The request records the store opens with tariff changes and statements (`cabinet_request` under SQL).
extension InMemoryBillingStore: RequestRegistry {
    public func open(
        kind: String, subscriber: SubscriberID, status: ServiceRequest.Status, detail: String?, at now: Date
    )
        -> ServiceRequest
    {
        tables.openRequest(kind: kind, subscriber: subscriber, status: status, detail: detail, at: now)
    }

    public func update(_ id: Int64, status: ServiceRequest.Status, detail: String?, at now: Date) {
        tables.updateRequest(id, status: status, detail: detail, at: now)
    }

    public func requests(of subscriber: SubscriberID, before cursor: Int64?, limit: Int) -> [ServiceRequest] {
        Array(
            tables.requests.reversed().filter { $0.subscriberID == subscriber && $0.id < (cursor ?? .max) }.prefix(
                max(0, limit)))
    }

    public func request(_ id: Int64) -> ServiceRequest? {
        guard id > 0, id <= tables.requests.count else { return nil }
        return tables.requests[Int(id - 1)]
    }
}

/// The lines' tariff spans the store keeps as `SQLBillingStore` keeps them with Tariffs (`tariffs_line_tariff`).
extension InMemoryBillingStore: LineTariffStore {
    public func tariff(of line: SubscriberID, at instant: Date) -> LineTariff? {
        tables.tariffSpan(of: line, at: instant)?.lineTariff
    }

    public func history(of line: SubscriberID) -> [LineTariff] {
        tables.spans.filter { $0.subscriber == line.rawValue }.sorted { $0.since > $1.since }.map(\.lineTariff)
    }

    public func lineCounts(region: RegionID, from instant: Date) -> [TariffID: Int] {
        let at = instant.storageMilliseconds
        var lines: [TariffID: Set<Int64>] = [:]
        for span in tables.spans where span.region == region && (span.until.map { $0 > at } ?? true) {
            lines[span.tariffID, default: []].insert(span.subscriber)
        }
        return lines.mapValues(\.count)
    }

    public func assignInitial(_ tariff: TariffID, to line: SubscriberID, region: RegionID, at instant: Date) throws {
        try write { tables, _ in try tables.assignInitial(tariff, to: line, region: region, at: instant) }
    }
}

// MARK: - Tables

/// What one write collects for after it commits.
private struct Effects {
    /// Lines whose balance the write may have changed.
    var touched: Set<Int64> = []
    /// Lines a posting credited, and lines it charged.
    var raised: Set<Int64> = []
    var lowered: Set<Int64> = []
    var queued = false
}

private struct LineRow {
    let id: Int64
    let subscriberID: SubscriberID
    let msisdn: MSISDN
    let region: RegionID
    let currency: Currency
    var balance: Int64 = 0
    var restricted = false
    var tariffID: TariffID
    var nextTariffID: TariffID?
    var periodStart: Int64
    var periodEnd: Int64

    var money: Money { Money(minorUnits: balance, currency: currency) }

    var period: BillingPeriod {
        BillingPeriod(start: Date(storageMilliseconds: periodStart), end: Date(storageMilliseconds: periodEnd))
    }

    var account: BillingAccount {
        BillingAccount(
            id: id, subscriberID: subscriberID, msisdn: msisdn, region: region, balance: money, restricted: restricted,
            tariffID: tariffID, period: period)
    }
}

private struct TransactionRow {
    let id: Int64
    let externalID: String
    let kind: MovementKind
    let at: Int64
    let explanation: String
    let arguments: [String: String]
}

private struct EntryRow {
    let id: Int64
    let transactionID: Int64
    let accountID: Int64
    let amount: Int64
    let currency: Currency
    /// The line's balance after the entry; `nil` on a system account.
    let balanceAfter: Int64?
    let at: Int64
}

private struct PeriodRow {
    let id: Int64
    let subscriber: Int64
    let tariffID: TariffID
    let start: Int64
    var end: Int64
    let fee: Int64
    var transactionID: Int64?
}

private struct BucketRow {
    let subscriber: Int64
    let periodID: Int64
    /// With its instants as stored (whole milliseconds).
    var bucket: Bucket
}

private struct UsageRow {
    /// As stored: `occurredAt` in whole milliseconds.
    let event: RatedEvent
    let occurredAt: Int64
    let quantity: Int64
    let transactionID: Int64?
    let ratedAt: Int64
}

private struct NoticeKey: Hashable {
    let subscriber: Int64
    let periodStart: Int64
    let kind: String
}

private struct StatementRow {
    enum Status { case pending, done, failed }
    let id: Int64
    let requestID: Int64
    let subscriber: Int64
    let from: LocalDate
    let to: LocalDate
    let email: String
    let language: Language
    let price: Money
    var status: Status = .pending
    var attempts = 0
    var leaseUntil: Int64 = 0
    let createdAt: Int64
    var updatedAt: Int64
    var failure: String?
}

private struct SpanRow {
    let subscriber: Int64
    let region: RegionID
    let tariffID: TariffID
    let since: Int64
    var until: Int64?
    let requestID: Int64?

    var lineTariff: LineTariff {
        LineTariff(
            subscriberID: SubscriberID(subscriber), region: region, tariffID: tariffID,
            since: Date(storageMilliseconds: since),
            until: until.map(Date.init(storageMilliseconds:)), requestID: requestID)
    }

    func covers(_ at: Int64) -> Bool { since <= at && (until.map { at < $0 } ?? true) }
}

private struct OutboxRow {
    var message: QueuedMessage
    /// The e-mail as the outbox worker would send it; `nil` for an SMS.
    var mail: MailMessage?
}

/// The period a new one follows, for rollover.
private struct PreviousPeriod {
    var id: Int64
    var tariffID: TariffID
    var span: BillingPeriod
    var rollover: Bool
}

/// One line's part of a rating batch.
private struct LineWork {
    var account: LineRow
    var events: [Int] = []
    var charged: Int64 = 0
}

/// Billing's tables and the writes on them, as `SQLBillingStore` does them inside its transactions. Ids count from 1
/// per table in the order rows are written.
private struct Tables {
    let rules: BillingRules
    let texts: BillingTexts
    let logger: Logger

    /// The currency of every account (system and line), by account id.
    var currencies: [Int64: Currency] = [:]
    /// System accounts by `system:<name>:<currency>`.
    var systemAccounts: [String: Int64] = [:]
    var lastAccountID: Int64 = 0
    /// Line accounts by subscriber id.
    var lines: [Int64: LineRow] = [:]
    /// Subscriber ids by E.164 number.
    var lineNumbers: [String: Int64] = [:]
    var transactions: [TransactionRow] = []
    var transactionIDs: [String: Int64] = [:]
    var entries: [EntryRow] = []
    /// Positions in `entries` by account id, ascending.
    var entriesOf: [Int64: [Int]] = [:]
    var periods: [PeriodRow] = []
    var periodsOf: [Int64: [Int]] = [:]
    var buckets: [BucketRow] = []
    var bucketsOf: [Int64: [Int]] = [:]
    var usageRows: [UsageRow] = []
    var usageIDs: Set<String> = []
    var usageOf: [Int64: [Int]] = [:]
    var notices: Set<NoticeKey> = []
    var statements: [StatementRow] = []
    var requests: [ServiceRequest] = []
    var spans: [SpanRow] = []
    var outbox: [OutboxRow] = []
    var dedupeKeys: Set<String> = []
    /// Messages before this position were handed out by ``InMemoryBillingStore/takeMail()``.
    var delivered = 0

    init(rules: BillingRules, texts: BillingTexts, logger: Logger) {
        self.rules = rules
        self.texts = texts
        self.logger = logger
        let currencies = Set(rules.regions.regions.map(\.currency)).union([.rub]).sorted { $0.code < $1.code }
        for currency in currencies {
            for system in SystemAccount.allCases {
                lastAccountID += 1
                systemAccounts[Self.code(system, currency)] = lastAccountID
                self.currencies[lastAccountID] = currency
            }
        }
    }

    static func code(_ system: SystemAccount, _ currency: Currency) -> String {
        "system:\(system.rawValue):\(currency.code)"
    }

    func systemAccount(_ system: SystemAccount, _ currency: Currency) throws -> Int64 {
        guard let id = systemAccounts[Self.code(system, currency)] else {
            throw CabinetError.internal("no \(system.rawValue) account in \(currency.code)")
        }
        return id
    }

    /// Whether `a` sorts before `b` byte by byte, as SQLite compares text.
    static func precedes(_ a: String, _ b: String) -> Bool { a.utf8.lexicographicallyPrecedes(b.utf8) }

    // MARK: Ledger

    static func lineAmount(_ posting: LedgerPosting) throws -> Money {
        do {
            return try posting.lineAmount()
        } catch {
            throw CabinetError(BillingError.amountInvalid, arguments: ["amount": posting.amount.amountString])
        }
    }

    /// Writes one posting for a line (the caller checked funds and duplicates): the transaction, the line's entry, the
    /// system accounts' entries, the new balance and the low-balance notice.
    @discardableResult
    mutating func postLocked(_ posting: LedgerPosting, account: inout LineRow, effects: inout Effects) throws -> Int64 {
        guard posting.amount.currency == account.currency else {
            throw CabinetError(
                BillingError.currencyMismatch,
                arguments: ["expected": account.currency.code, "actual": posting.amount.currency.code])
        }
        let net = try Self.lineAmount(posting)
        guard posting.extraLegs.allSatisfy({ $0.amount.currency == account.currency }) else {
            throw CabinetError(
                BillingError.currencyMismatch, arguments: ["expected": account.currency.code, "actual": "?"])
        }
        let amounts = [posting.amount.minorUnits] + posting.extraLegs.map(\.amount.minorUnits)
        let (after, overflow) = account.balance.addingReportingOverflow(net.minorUnits)
        guard !overflow, net.minorUnits != .min, !amounts.contains(.min) else {
            throw CabinetError(BillingError.amountInvalid, arguments: ["amount": posting.amount.amountString])
        }
        var systemEntries = [(try systemAccount(posting.counterparty, account.currency), -posting.amount.minorUnits)]
        for leg in posting.extraLegs {
            systemEntries.append((try systemAccount(leg.counterparty, account.currency), -leg.amount.minorUnits))
        }
        let at = posting.at.storageMilliseconds
        let id = try insertTransaction(
            posting.externalID, kind: posting.kind, at: at, explanation: posting.explanation,
            arguments: posting.arguments)
        appendEntry(
            transaction: id, account: account.id, amount: net.minorUnits, currency: account.currency,
            balanceAfter: after, at: at)
        for (system, amount) in systemEntries {
            appendEntry(
                transaction: id, account: system, amount: amount, currency: account.currency, balanceAfter: nil, at: at)
        }
        let before = account.balance
        account.balance = after
        account.restricted = after < 0
        noticeLowBalance(account, before: before, at: posting.at, effects: &effects)
        return id
    }

    /// A ledger transaction; its external id is unique forever (a unique index under SQL).
    mutating func insertTransaction(
        _ externalID: String, kind: MovementKind, at: Int64, explanation: String,
        arguments: [String: String]
    ) throws -> Int64 {
        guard transactionIDs[externalID] == nil else {
            throw CabinetError.internal("ledger transaction \(externalID) exists")
        }
        let id = Int64(transactions.count + 1)
        transactions.append(
            TransactionRow(
                id: id, externalID: externalID, kind: kind, at: at, explanation: explanation,
                arguments: arguments))
        transactionIDs[externalID] = id
        return id
    }

    mutating func appendEntry(
        transaction: Int64, account: Int64, amount: Int64, currency: Currency, balanceAfter: Int64?, at: Int64
    ) {
        entriesOf[account, default: []].append(entries.count)
        entries.append(
            EntryRow(
                id: Int64(entries.count + 1), transactionID: transaction, accountID: account, amount: amount,
                currency: currency, balanceAfter: balanceAfter, at: at))
    }

    mutating func noticeLowBalance(_ account: LineRow, before: Int64, at now: Date, effects: inout Effects) {
        guard
            let crossed = BillingNotice.lowBalance(
                rules: rules, region: account.region, currency: account.currency, before: before,
                after: account.balance)
        else { return }
        notice(crossed, account: account, at: now, effects: &effects)
    }

    /// Texts a notice once per kind and the account's current period.
    mutating func notice(_ notice: BillingNotice, account: LineRow, at now: Date, effects: inout Effects) {
        guard
            notices.insert(
                NoticeKey(
                    subscriber: account.subscriberID.rawValue, periodStart: account.periodStart, kind: notice.kind)
            )
            .inserted
        else { return }
        enqueue(OutgoingSMS(to: account.msisdn, text: notice.text(texts), purpose: "billing.\(notice.kind)"), now: now)
        effects.queued = true
    }

    func check() -> LedgerCheckReport {
        var sums: [Int64: (total: Int64, count: Int)] = [:]
        var perAccount: [Int64: Int64] = [:]
        var currencyMismatches = 0
        for entry in entries {
            let sum = sums[entry.transactionID] ?? (0, 0)
            sums[entry.transactionID] = (sum.total &+ entry.amount, sum.count + 1)
            perAccount[entry.accountID, default: 0] &+= entry.amount
            if currencies[entry.accountID] != entry.currency { currencyMismatches += 1 }
        }
        let unbalanced = transactions.map(\.id).filter { id in sums[id].map { $0.total != 0 || $0.count < 2 } ?? true }
        let mismatched = lines.values.filter {
            $0.balance != (perAccount[$0.id] ?? 0) || $0.restricted != ($0.balance < 0)
        }
        .map(\.id).sorted()
        var seen: [String: Int] = [:]
        for transaction in transactions { seen[transaction.externalID, default: 0] += 1 }
        return LedgerCheckReport(
            transactions: transactions.count, entries: entries.count, accounts: currencies.count,
            unbalancedTransactions: Array(unbalanced.prefix(100)), mismatchedAccounts: Array(mismatched.prefix(100)),
            duplicateExternalIDs: Array(seen.filter { $0.value > 1 }.keys.sorted(by: Self.precedes).prefix(100)),
            currencyMismatches: currencyMismatches)
    }

    func movements(of line: SubscriberID, query: MovementQuery) -> [LedgerMovement] {
        guard let account = lines[line.rawValue] else { return [] }
        let limit = max(1, min(query.limit, 500))
        let from = query.from?.storageMilliseconds
        let to = query.to?.storageMilliseconds
        var result: [LedgerMovement] = []
        for position in (entriesOf[account.id] ?? []).reversed() {
            let entry = entries[position]
            let transaction = transactions[Int(entry.transactionID - 1)]
            if let before = query.before, entry.id >= before { continue }
            if let from, entry.at < from { continue }
            if let to, entry.at >= to { continue }
            if !query.kinds.isEmpty, !query.kinds.contains(transaction.kind) { continue }
            result.append(
                LedgerMovement(
                    entryID: entry.id, transactionID: entry.transactionID, externalID: transaction.externalID,
                    kind: transaction.kind,
                    amount: Money(minorUnits: entry.amount, currency: entry.currency),
                    balanceAfter: Money(minorUnits: entry.balanceAfter ?? 0, currency: entry.currency),
                    at: Date(storageMilliseconds: entry.at),
                    explanation: transaction.explanation, arguments: transaction.arguments))
            if result.count == limit { break }
        }
        return result
    }

    // MARK: Accounts and periods

    mutating func openAccount(_ new: NewAccount, currency: Currency, now: Date, effects: inout Effects) throws
        -> BillingAccount
    {
        if let existing = lines[new.subscriberID.rawValue] { return existing.account }
        // A tariff given to the line earlier (through Tariffs) wins over the default the caller proposes.
        let span = tariffSpan(of: new.subscriberID, at: new.from)
        let tariffID = span?.tariffID ?? new.tariff
        guard let tariff = rules.tariff(tariffID, in: new.region) else {
            throw CabinetError(TariffsError.unknown, arguments: ["tariff": tariffID.rawValue])
        }
        let plan = try rules.plan(tariff: tariff, region: new.region, from: new.from)
        if span == nil { try assignInitial(tariff.id, to: new.subscriberID, region: new.region, at: new.from) }
        guard lineNumbers[new.msisdn.e164] == nil else {
            throw CabinetError.internal("\(new.msisdn.e164) has a billing account already")
        }
        lastAccountID += 1
        var row = LineRow(
            id: lastAccountID, subscriberID: new.subscriberID, msisdn: new.msisdn, region: new.region,
            currency: currency,
            tariffID: tariff.id, periodStart: plan.period.start.storageMilliseconds,
            periodEnd: plan.period.end.storageMilliseconds)
        currencies[row.id] = currency
        lineNumbers[new.msisdn.e164] = new.subscriberID.rawValue
        try openPeriod(plan, for: &row, previous: nil, now: now, effects: &effects)
        lines[new.subscriberID.rawValue] = row
        return row.account
    }

    /// Opens every period of the line that starts at or before `instant` (at most ``BillingRules/maxPeriodsPerRun``);
    /// returns how many were opened.
    @discardableResult
    mutating func rollForward(_ row: inout LineRow, through instant: Int64, now: Date, effects: inout Effects) throws
        -> Int
    {
        var opened = 0
        while row.periodEnd <= instant, opened < BillingRules.maxPeriodsPerRun {
            let start = Date(storageMilliseconds: row.periodEnd)
            let span = tariffSpan(of: row.subscriberID, at: start)
            let tariffID = span?.tariffID ?? row.tariffID
            guard let tariff = rules.tariff(tariffID, in: row.region) else {
                throw CabinetError(BillingError.tariffMissing, arguments: ["tariff": tariffID.rawValue])
            }
            var plan = try rules.plan(tariff: tariff, region: row.region, from: start)
            if rules.skipsRestrictedDay(tariff.fee.period, region: row.region, balance: row.balance) {
                plan = plan.unpaid
            }
            let previous = (periodsOf[row.subscriberID.rawValue] ?? []).first { periods[$0].start == row.periodStart }
                .map {
                    PreviousPeriod(
                        id: periods[$0].id, tariffID: row.tariffID, span: row.period,
                        rollover: rules.tariff(row.tariffID, in: row.region)?.rollover ?? false)
                }
            try openPeriod(plan, for: &row, previous: previous, now: now, effects: &effects)
            if let span, span.since == start.storageMilliseconds, let request = span.requestID {
                updateRequest(request, status: .done, detail: nil, at: now)
            }
            opened += 1
        }
        return opened
    }

    /// Opens one period: the period (once per line and start), the fee, the package and the rollover of the previous
    /// period's unused units.
    mutating func openPeriod(
        _ plan: PeriodPlan, for row: inout LineRow, previous: PreviousPeriod?, now: Date,
        effects: inout Effects
    ) throws {
        let start = plan.period.start.storageMilliseconds
        let end = plan.period.end.storageMilliseconds
        let line = row.subscriberID.rawValue
        guard !(periodsOf[line] ?? []).contains(where: { periods[$0].start == start }) else {
            throw CabinetError.internal(
                "period of line \(line) starting \(start) exists but the account points before it")
        }
        let period = periods.count
        let periodID = Int64(period + 1)
        periods.append(
            PeriodRow(
                id: periodID, subscriber: line, tariffID: plan.tariffID, start: start, end: end,
                fee: plan.fee.minorUnits))
        periodsOf[line, default: []].append(period)
        row.tariffID = plan.tariffID
        row.nextTariffID = nil
        row.periodStart = start
        row.periodEnd = end
        if let posting = try plan.feePosting(line: row.subscriberID, calendar: rules.calendar(row.region), now: now) {
            periods[period].transactionID = try postLocked(posting, account: &row, effects: &effects)
        }
        for (unit, amount) in plan.grants {
            insertBucket(
                Bucket(
                    id: 0, unit: unit, total: amount, left: amount, validFrom: Date(storageMilliseconds: start),
                    expiresAt: Date(storageMilliseconds: end), source: .package), line: line, period: periodID)
        }
        guard let previous, plan.takesOverUnused(from: previous.tariffID, rollover: previous.rollover) else { return }
        let old = (bucketsOf[line] ?? []).filter { buckets[$0].periodID == previous.id }
        for (emptied, carried) in plan.rollover(of: old.map { buckets[$0].bucket }, from: previous.span) {
            var stored = carried
            stored.validFrom = Date(storageMilliseconds: start)
            stored.expiresAt = Date(storageMilliseconds: end)
            stored.carriedFrom = BillingPeriod(
                start: Date(storageMilliseconds: previous.span.start.storageMilliseconds),
                end: Date(storageMilliseconds: previous.span.end.storageMilliseconds))
            insertBucket(stored, line: line, period: periodID)
            // The units moved: a late event of the old period now draws from the rollover bucket (see Bucket.serves).
            if let position = old.first(where: { buckets[$0].bucket.id == emptied.id }) {
                buckets[position].bucket.left = 0
            }
        }
    }

    mutating func insertBucket(_ bucket: Bucket, line: Int64, period: Int64) {
        var stored = bucket
        stored.id = Int64(buckets.count + 1)
        bucketsOf[line, default: []].append(buckets.count)
        buckets.append(BucketRow(subscriber: line, periodID: period, bucket: stored))
    }

    // MARK: Rating

    /// Rates a batch as `SQLBillingStore` does: duplicates within the batch and seen before, unknown lines, due periods
    /// opened first, each line's events priced in time order against the tariff and buckets of their own period, one
    /// ledger transaction per currency, then the package notices.
    mutating func rate(_ events: [UsageEvent], now: Date, effects: inout Effects) throws -> RatingOutcome {
        var outcome = RatingOutcome()
        // 1. Duplicates within the batch.
        var firstSeen = Set<String>()
        var candidates: [Int] = []
        for (index, event) in events.enumerated() {
            if firstSeen.insert(event.eventID).inserted { candidates.append(index) } else { outcome.duplicates += 1 }
        }

        // 2. The lines.
        var work: [Int64: LineWork] = [:]
        for index in candidates {
            let number = events[index].msisdn.e164
            guard let subscriber = lineNumbers[number], let account = lines[subscriber] else {
                outcome.rejected[index] = CabinetError(BillingError.unknownLine, arguments: ["msisdn": number])
                continue
            }
            work[subscriber, default: LineWork(account: account)].events.append(index)
        }
        effects.touched.formUnion(work.keys)
        guard !work.isEmpty else { return outcome }
        // Seen before?
        for key in Array(work.keys) {
            let before = work[key]?.events.count ?? 0
            work[key]?.events.removeAll { usageIDs.contains(events[$0].eventID) }
            outcome.duplicates += before - (work[key]?.events.count ?? 0)
        }

        // 3. Periods that have come due by the events' time open first, as the scheduler would. Lines go in account order.
        let order = work.keys.sorted { (work[$0]?.account.id ?? 0) < (work[$1]?.account.id ?? 0) }
        var minTime = Int64.max
        for subscriber in order {
            guard var line = work[subscriber], !line.events.isEmpty else { continue }
            let times = line.events.map { events[$0].occurredAt.storageMilliseconds }
            minTime = min(minTime, times.min() ?? .max)
            let latest = times.max() ?? 0
            if latest >= line.account.periodEnd {
                try rollForward(&line.account, through: latest, now: now, effects: &effects)
                lines[subscriber] = line.account
                work[subscriber] = line
            }
        }
        let active = order.filter { !(work[$0]?.events.isEmpty ?? true) }
        guard !active.isEmpty else { return outcome }

        // 4 and 5. Price every event in time order per line against the buckets it may draw on and its period's tariff.
        var rated: [(index: Int, event: RatedEvent)] = []
        var charged: [LineWork] = []
        var notices: [(account: LineRow, before: [Bucket], after: [Bucket])] = []
        for subscriber in active {
            guard var line = work[subscriber] else { continue }
            let id = line.account.subscriberID
            let positions = (bucketsOf[subscriber] ?? []).filter {
                buckets[$0].bucket.expiresAt.storageMilliseconds > minTime
            }
            var lineBuckets = positions.map { buckets[$0].bucket }
            let before = lineBuckets
            let current = TariffPeriod(
                tariffID: line.account.tariffID, start: line.account.periodStart, end: line.account.periodEnd)
            let late = line.events.contains { events[$0].occurredAt.storageMilliseconds < line.account.periodStart }
            let earlier =
                late
                ? (periodsOf[subscriber] ?? []).map { periods[$0] }.filter { $0.end > minTime }
                    .map { TariffPeriod(tariffID: $0.tariffID, start: $0.start, end: $0.end) }
                : []
            for index in line.events.sorted(by: { (events[$0].occurredAt, $0) < (events[$1].occurredAt, $1) }) {
                let event = events[index]
                guard
                    let period = Rater.period(
                        of: event.occurredAt.storageMilliseconds, current: current, earlier: earlier)
                else {
                    outcome.rejected[index] = CabinetError(
                        BillingError.beforeActivation, arguments: ["eventId": event.eventID])
                    continue
                }
                guard let tariff = rules.tariff(period.tariffID, in: line.account.region) else {
                    throw CabinetError(BillingError.tariffMissing, arguments: ["tariff": period.tariffID.rawValue])
                }
                let result = Rater.rate(event, line: id, tariff: tariff, buckets: &lineBuckets)
                line.charged &+= result.charged.minorUnits
                rated.append((index, result))
            }
            for (position, bucket) in zip(positions, lineBuckets) { buckets[position].bucket.left = bucket.left }
            if before != lineBuckets { notices.append((line.account, before, lineBuckets)) }
            if line.charged > 0 { charged.append(line) }
        }
        guard !rated.isEmpty else { return outcome }

        // 6. Money: one ledger transaction per currency for the whole batch, named after its first charged event.
        let at = now.storageMilliseconds
        var transactionIDs: [Currency: Int64] = [:]
        for currency in Set(charged.map(\.account.currency)).sorted(by: { $0.code < $1.code }) {
            let first =
                rated.first { $0.event.charged.currency == currency && $0.event.charged.isPositive }?.event.eventID
                ?? ""
            transactionIDs[currency] = try insertTransaction(
                "usage:\(currency.code):\(first)", kind: .usage, at: at,
                explanation: "billing.explain.usage", arguments: [:])
        }
        var revenue: [Currency: Int64] = [:]
        for var line in charged {
            guard let transaction = transactionIDs[line.account.currency] else { continue }
            let before = line.account.balance
            let (after, overflow) = before.subtractingReportingOverflow(line.charged)
            guard !overflow else {
                throw CabinetError(BillingError.amountInvalid, arguments: ["amount": String(line.charged)])
            }
            line.account.balance = after
            line.account.restricted = after < 0
            appendEntry(
                transaction: transaction, account: line.account.id, amount: -line.charged,
                currency: line.account.currency,
                balanceAfter: after, at: at)
            lines[line.account.subscriberID.rawValue] = line.account
            revenue[line.account.currency, default: 0] &+= line.charged
            noticeLowBalance(line.account, before: before, at: now, effects: &effects)
        }
        for (currency, amount) in revenue.sorted(by: { $0.key.code < $1.key.code }) {
            guard let transaction = transactionIDs[currency] else { continue }
            appendEntry(
                transaction: transaction, account: try systemAccount(.revenue, currency), amount: amount,
                currency: currency,
                balanceAfter: nil, at: at)
            outcome.charged[currency, default: 0] += amount
        }

        // 7. The rated events themselves.
        for (index, result) in rated {
            let event = events[index]
            let occurredAt = event.occurredAt.storageMilliseconds
            var stored = result
            stored.occurredAt = Date(storageMilliseconds: occurredAt)
            let transaction = result.charged.isPositive ? transactionIDs[result.charged.currency] : nil
            usageOf[result.subscriberID.rawValue, default: []].append(usageRows.count)
            usageRows.append(
                UsageRow(
                    event: stored, occurredAt: occurredAt, quantity: event.quantity, transactionID: transaction,
                    ratedAt: at))
            usageIDs.insert(event.eventID)
        }
        outcome.rated = rated.count

        // 8. Notices for the current period's packages (80 % used, used up), once per period each.
        for (account, before, after) in notices {
            for crossed in BillingNotice.packages(before: before, after: after, periodStart: account.period.start) {
                notice(crossed, account: account, at: now, effects: &effects)
            }
        }
        return outcome
    }

    /// A line's rated events with `occurred_at` in the query's span and of its kinds, in the order they were rated.
    func usage(of line: SubscriberID, _ query: UsageQuery) -> [UsageRow] {
        let from = query.from.storageMilliseconds
        let to = query.to.storageMilliseconds
        return (usageOf[line.rawValue] ?? []).map { usageRows[$0] }.filter {
            $0.occurredAt >= from && $0.occurredAt < to && (query.kinds.isEmpty || query.kinds.contains($0.event.kind))
        }
    }

    // MARK: Tariff change

    mutating func changeTariff(_ order: TariffChangeOrder, target: Tariff, effects: inout Effects) throws
        -> ServiceRequest
    {
        guard var row = lines[order.line.rawValue] else { throw CabinetError(BillingError.noAccount) }
        guard row.tariffID == order.from else {
            throw CabinetError(TariffsError.changedMeanwhile, arguments: ["tariff": row.tariffID.rawValue])
        }
        if let planned = plannedSpan(of: order.line, after: order.now) {
            throw CabinetError(TariffsError.changePending, arguments: ["tariff": planned.tariffID.rawValue])
        }
        let change = try rules.carryOut(order, to: target, region: row.region, periodStart: row.periodStart)
        if change.charge > 0, row.balance < change.charge {
            throw CabinetError(
                TariffsError.insufficientFunds,
                arguments: [
                    "needed": Money(minorUnits: change.charge, currency: row.currency).displayString,
                    "balance": row.money.displayString,
                ])
        }
        let request = openRequest(
            kind: "tariff.change", subscriber: order.line, status: order.timing == .immediately ? .done : .pending,
            detail: "\(order.from.rawValue)→\(order.to.rawValue)", at: order.now)
        if order.changeFee.isPositive {
            try postLocked(
                LedgerPosting(
                    externalID: "tariff-change:\(request.id)", kind: .tariffChange, line: order.line,
                    amount: try order.changeFee.negated(), counterparty: .revenue,
                    explanation: "billing.explain.changeFee",
                    arguments: ["tariff": order.to.rawValue], allowsNegativeBalance: false, at: order.now),
                account: &row, effects: &effects)
        }
        switch order.timing {
        case .nextPeriod:
            switchTariff(of: order.line, region: row.region, to: order.to, from: row.period.end, requestID: request.id)
            // Billing's own note of what the next period will charge (the dashboard reads it with the account).
            row.nextTariffID = order.to
        case .immediately:
            guard let plan = change.newPeriod else {
                throw CabinetError.internal("immediate change without a period plan")
            }
            let effective = change.effective
            // The current period and its packages end now; events before this instant still rate against them.
            for position in periodsOf[order.line.rawValue] ?? [] where periods[position].start == row.periodStart {
                periods[position].end = effective
            }
            for position in bucketsOf[order.line.rawValue] ?? []
            where buckets[position].bucket.expiresAt.storageMilliseconds > effective {
                buckets[position].bucket.expiresAt = Date(storageMilliseconds: effective)
            }
            switchTariff(
                of: order.line, region: row.region, to: order.to, from: Date(storageMilliseconds: effective),
                requestID: request.id)
            row.periodEnd = effective
            try openPeriod(plan, for: &row, previous: nil, now: order.now, effects: &effects)
        }
        lines[order.line.rawValue] = row
        return request
    }

    // MARK: Statements

    func statementIndex(_ id: Int64) -> Int? {
        guard id > 0, id <= statements.count else { return nil }
        return Int(id - 1)
    }

    mutating func orderStatement(_ order: StatementOrder, effects: inout Effects) throws -> ServiceRequest {
        guard var row = lines[order.line.rawValue] else { throw CabinetError(BillingError.noAccount) }
        if order.price.isPositive, row.balance < order.price.minorUnits {
            throw CabinetError(
                BillingError.insufficientFunds,
                arguments: ["needed": order.price.displayString, "balance": row.money.displayString])
        }
        let request = openRequest(
            kind: "billing.statement", subscriber: order.line, status: .processing,
            detail: "\(order.from)…\(order.to)", at: order.now)
        if order.price.isPositive {
            try postLocked(
                LedgerPosting(
                    externalID: "statement:\(request.id)", kind: .statement, line: order.line,
                    amount: try order.price.negated(),
                    counterparty: .revenue, explanation: "billing.explain.statement",
                    arguments: ["from": order.from.description, "to": order.to.description],
                    allowsNegativeBalance: false,
                    at: order.now),
                account: &row, effects: &effects)
        }
        let at = order.now.storageMilliseconds
        statements.append(
            StatementRow(
                id: Int64(statements.count + 1), requestID: request.id, subscriber: order.line.rawValue,
                from: order.from, to: order.to, email: order.email, language: order.language, price: order.price,
                createdAt: at, updatedAt: at))
        lines[order.line.rawValue] = row
        return request
    }

    mutating func failStatement(_ id: Int64, reason: String, now: Date, effects: inout Effects) throws {
        guard let index = statementIndex(id), statements[index].status == .pending else { return }
        let order = statements[index]
        effects.touched.insert(order.subscriber)
        guard var account = lines[order.subscriber] else {
            throw CabinetError.internal("statement order \(id) has no account")
        }
        // Only what was charged is refunded (a free statement has no charge to give back).
        if order.price.isPositive, transactionIDs["statement:\(order.requestID)"] != nil {
            try postLocked(
                LedgerPosting(
                    externalID: "statement-refund:\(order.requestID)", kind: .refund, line: account.subscriberID,
                    amount: order.price, counterparty: .revenue, explanation: "billing.explain.statementRefund",
                    arguments: [:],
                    allowsNegativeBalance: true, at: now),
                account: &account, effects: &effects)
        }
        statements[index].status = .failed
        statements[index].failure = reason
        statements[index].updatedAt = now.storageMilliseconds
        updateRequest(order.requestID, status: .failed, detail: reason, at: now)
        lines[order.subscriber] = account
    }

    // MARK: Other modules' rows

    mutating func openRequest(
        kind: String, subscriber: SubscriberID, status: ServiceRequest.Status, detail: String?, at now: Date
    )
        -> ServiceRequest
    {
        let at = Date(storageMilliseconds: now.storageMilliseconds)
        let request = ServiceRequest(
            id: Int64(requests.count + 1), subscriberID: subscriber, kind: kind, status: status, createdAt: at,
            updatedAt: at, detail: detail)
        requests.append(request)
        return request
    }

    mutating func updateRequest(_ id: Int64, status: ServiceRequest.Status, detail: String?, at now: Date) {
        guard id > 0, id <= requests.count else { return }
        let index = Int(id - 1)
        requests[index].status = status
        requests[index].detail = detail ?? requests[index].detail
        requests[index].updatedAt = Date(storageMilliseconds: now.storageMilliseconds)
    }

    /// The span covering `instant`.
    func tariffSpan(of line: SubscriberID, at instant: Date) -> SpanRow? {
        let at = instant.storageMilliseconds
        return spans.filter { $0.subscriber == line.rawValue && $0.covers(at) }.max { $0.since < $1.since }
    }

    /// A span that starts after `instant` (a change waiting for the next period).
    func plannedSpan(of line: SubscriberID, after instant: Date) -> SpanRow? {
        let at = instant.storageMilliseconds
        return spans.filter { $0.subscriber == line.rawValue && $0.since > at }.min { $0.since < $1.since }
    }

    /// Gives a line its first tariff; refuses when it has any span already.
    mutating func assignInitial(_ tariff: TariffID, to line: SubscriberID, region: RegionID, at instant: Date) throws {
        guard !spans.contains(where: { $0.subscriber == line.rawValue }) else {
            throw CabinetError(TariffsError.alreadyAssigned, arguments: ["tariff": tariff.rawValue])
        }
        spans.append(
            SpanRow(
                subscriber: line.rawValue, region: region, tariffID: tariff, since: instant.storageMilliseconds,
                until: nil,
                requestID: nil))
    }

    /// Moves the line to `tariff` from `instant` on: the span in effect then ends there and any later plan is dropped.
    mutating func switchTariff(
        of line: SubscriberID, region: RegionID, to tariff: TariffID, from instant: Date, requestID: Int64?
    ) {
        let at = instant.storageMilliseconds
        spans.removeAll { $0.subscriber == line.rawValue && $0.since >= at }
        for index in spans.indices
        where spans[index].subscriber == line.rawValue && spans[index].since < at
            && (spans[index].until.map { $0 > at } ?? true)
        {
            spans[index].until = at
        }
        spans.append(
            SpanRow(
                subscriber: line.rawValue, region: region, tariffID: tariff, since: at, until: nil, requestID: requestID
            ))
    }

    /// Queues a message as the outbox would: in order, once per dedupe key.
    mutating func enqueue(_ sms: OutgoingSMS, now: Date) {
        guard sms.dedupeKey.map({ dedupeKeys.insert($0).inserted }) ?? true else { return }
        outbox.append(
            OutboxRow(
                message: QueuedMessage(
                    id: Int64(outbox.count + 1), channel: "sms", recipient: sms.to.e164, subject: nil, body: sms.text,
                    purpose: sms.purpose,
                    createdAt: Date(storageMilliseconds: now.storageMilliseconds))))
    }

    mutating func enqueue(_ mail: MailMessage, now: Date) {
        guard mail.dedupeKey.map({ dedupeKeys.insert($0).inserted }) ?? true else { return }
        outbox.append(
            OutboxRow(
                message: QueuedMessage(
                    id: Int64(outbox.count + 1), channel: "email", recipient: mail.to, subject: mail.subject,
                    body: mail.textBody, purpose: mail.purpose,
                    createdAt: Date(storageMilliseconds: now.storageMilliseconds)),
                mail: MailMessage(
                    to: mail.to, subject: mail.subject, textBody: mail.textBody, attachments: mail.attachments,
                    purpose: mail.purpose)))
    }
}
