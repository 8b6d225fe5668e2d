import Billing
public import CabinetCore
import CabinetStorage
public import Foundation
public import Payments

/// Payments' storage in memory, for domain tests: every requirement of ``PaymentsStore`` with the observable
/// behaviour of `SQLPaymentsStore` — the same conditional state changes (one notification finalises a payment, a late
/// `pending` changes nothing), one active promised payment per line, the transfer daily limit checked and recorded
/// under one lock, one open auto-payment occasion per line and one row per occasion key, the same orderings and
/// filters of the reconciliation queries, and request records that follow their payment or transfer.
///
/// ``transaction(_:)`` stages a copy of the store and of the ``InMemoryBalanceLedger``'s books, runs the body on them,
/// and commits both only when the body returns; when it throws, neither changes. One write runs at a time (a write
/// outside a transaction waits for an open one, as on SQLite's single writer); reads see what was committed. Instants
/// are kept as whole milliseconds, as the SQL tables keep them. SMS the SQL store would put in the outbox are kept in
/// order and read with ``messages(to:)``; request records with ``requests(of:before:limit:)``.
public actor InMemoryPaymentsStore: PaymentsStore {
    /// An SMS the store queued, as the outbox would hold it.
    public struct QueuedSMS: Sendable, Hashable {
        /// Numbers messages in the order they were queued.
        public var id: Int64
        public var to: MSISDN
        public var text: String
        /// Why it was sent (`payments.autopay`).
        public var purpose: String
        /// A second message with the same key is dropped.
        public var dedupeKey: String?
        public var queuedAt: Date
    }

    /// The ledger transactions post to.
    public let ledger: InMemoryBalanceLedger
    private var state = State()
    /// The copy the open transaction works on.
    private var staged: State?
    /// Numbers transactions, so a transaction object used after its end is refused.
    private var transactionNumber = 0
    private let gate = TransactionGate()

    /// A store whose transactions post to `ledger`.
    public init(ledger: InMemoryBalanceLedger = InMemoryBalanceLedger()) {
        self.ledger = ledger
    }

    // MARK: - What tests read

    /// SMS queued to a number (E.164), oldest first.
    public func messages(to number: String) -> [QueuedSMS] {
        state.messages.filter { $0.to.e164 == number }
    }

    /// The line's request records, newest first, as `SQLRequestRegistry.requests(of:before:limit:)` lists them.
    public func requests(of line: SubscriberID, before cursor: Int64? = nil, limit: Int) -> [ServiceRequest] {
        Array(
            state.requests.reversed().filter { $0.subscriberID == line && $0.id < cursor ?? .max }.prefix(max(0, limit))
        )
    }

    // MARK: - Transactions

    /// Stages a copy of the store and of the ledger's books, runs `body` on them through its transaction, and commits
    /// both when it returns (the ledger's first, then the store's); when it throws, neither changes. The body runs once
    /// and must write through its transaction: a write on the store itself would wait for the transaction to end.
    public func transaction<T: Sendable>(_ body: @escaping @Sendable (any PaymentsTransaction) async throws -> T)
        async throws -> T
    {
        await gate.acquire()
        await ledger.begin()
        transactionNumber += 1
        staged = state
        let outcome: Result<T, any Error>
        do {
            outcome = .success(try await body(InMemoryPaymentsTransaction(store: self, number: transactionNumber)))
        } catch {
            outcome = .failure(error)
        }
        if case .success = outcome, let committed = staged.take() {
            await ledger.commit()
            state = committed
        } else {
            staged = nil
            await ledger.rollback()
        }
        await gate.release()
        return try outcome.get()
    }

    /// Runs `body` on the open transaction's copy; refused when transaction `number` is over.
    fileprivate func inTransaction<T: Sendable>(_ number: Int, _ body: @Sendable (inout State) throws -> T) throws -> T
    {
        guard number == transactionNumber, var copy = staged.take() else {
            throw CabinetError.internal("a Payments transaction used after its end")
        }
        defer { staged = copy }
        return try body(&copy)
    }

    /// Posts to the ledger's staged books in the open transaction.
    fileprivate func post(_ posting: LedgerPosting, in number: Int) async throws -> PostingResult {
        guard number == transactionNumber, staged != nil else {
            throw CabinetError.internal("a Payments transaction used after its end")
        }
        return try await ledger.postStaged(posting)
    }

    /// One write outside a transaction: waits for the gate, then changes the committed state.
    private func write<T: Sendable>(_ body: (inout State) throws -> T) async throws -> T {
        await gate.acquire()
        let outcome = Result { try body(&state) }
        await gate.release()
        return try outcome.get()
    }

    // MARK: - Payments

    public func insert(_ payment: Payment) async throws -> Payment {
        try await write { try $0.insert(payment) }
    }

    public func payment(id: String) -> Payment? { state.payments[id] }

    public func attach(_ id: String, gatewayPaymentID: String, at now: Date) async throws {
        try await write { try $0.attach(id, gatewayPaymentID: gatewayPaymentID, at: now) }
    }

    public func apply(_ notification: GatewayNotification, to id: String, at now: Date) async throws -> Payment? {
        try await write { try $0.apply(notification, to: id, at: now) }
    }

    public func uncredited(limit: Int) -> [Payment] {
        Array(
            state.payments.values.filter { $0.status == .succeeded && $0.creditedAt == nil }.sorted(
                by: State.oldestFirst
            )
            .prefix(max(0, limit)))
    }

    public func payments(of line: SubscriberID, before: String?, limit: Int) -> [Payment] {
        var found = state.payments.values.filter { $0.line == line && $0.company == nil }
        if let before {
            guard let last = state.payments[before] else { return [] }
            found = found.filter { State.oldestFirst($0, last) }
        }
        return Array(found.sorted(by: State.oldestFirst).reversed().prefix(max(0, limit)))
    }

    public func succeededTotal(of line: SubscriberID, since: Date) -> Int64 {
        let since = since.storageMilliseconds
        return state.payments.values.filter {
            $0.line == line && $0.company == nil && $0.status == .succeeded && $0.createdAt.storageMilliseconds >= since
        }
        .reduce(0) { $0 &+ $1.amount.minorUnits }
    }

    // MARK: - Promised payments

    public func insertPromised(line: SubscriberID, amount: Money, fee: Money, dueAt: Date, at now: Date) async throws
        -> PromisedPayment
    {
        try await write { try $0.insertPromised(line: line, amount: amount, fee: fee, dueAt: dueAt, at: now) }
    }

    public func activePromised(of line: SubscriberID) -> PromisedPayment? { state.activePromised(of: line) }

    public func duePromised(at now: Date, limit: Int) -> [PromisedPayment] {
        let now = now.storageMilliseconds
        return Array(
            state.promised.filter { $0.status == .active && $0.dueAt.storageMilliseconds <= now }
                .sorted { $0.dueAt < $1.dueAt }.prefix(max(0, limit)))
    }

    public func unpostedPromised(limit: Int) -> [PromisedPayment] {
        Array(
            state.promised.filter { $0.creditedAt == nil || ($0.status != .active && $0.settledAt == nil) }.prefix(
                max(0, limit)))
    }

    public func promisedHistory(of line: SubscriberID, limit: Int) -> [PromisedPayment] {
        Array(state.promised.reversed().filter { $0.line == line }.prefix(max(0, limit)))
    }

    // MARK: - Transfers

    public func insertTransfer(_ transfer: NewTransfer, at now: Date) async throws -> Transfer {
        try await write { try $0.insertTransfer(transfer, at: now) }
    }

    public func advanceTransfer(_ id: Int64, from: Transfer.Status, to: Transfer.Status, at now: Date) async throws
        -> Transfer?
    {
        try await write { $0.advanceTransfer(id, from: from, to: to, at: now) }
    }

    public func unfinishedTransfers(before: Date, limit: Int) -> [Transfer] {
        let before = before.storageMilliseconds
        return Array(
            state.transfers.filter {
                ($0.status == .pending || $0.status == .sent) && $0.createdAt.storageMilliseconds < before
            }
            .sorted { $0.createdAt < $1.createdAt }.prefix(max(0, limit)))
    }

    public func transfers(of line: SubscriberID, limit: Int) -> [Transfer] {
        Array(
            state.transfers.reversed().filter { $0.sender == line || ($0.recipient == line && $0.status == .done) }
                .prefix(max(0, limit)))
    }

    // MARK: - Saved cards

    public func saveCard(line: SubscriberID, gateway: String, token: String, maskedCard: String, at now: Date)
        async throws -> SavedCard
    {
        try await write { $0.saveCard(line: line, gateway: gateway, token: token, maskedCard: maskedCard, at: now) }
    }

    public func cards(of line: SubscriberID) -> [SavedCard] {
        state.cards.filter { $0.line == line }.sorted { ($0.isDefault ? 0 : 1, $0.id) < ($1.isDefault ? 0 : 1, $1.id) }
    }

    public func setDefaultCard(_ id: Int64, of line: SubscriberID) async throws {
        try await write { state in
            guard state.cards.contains(where: { $0.id == id && $0.line == line }) else {
                throw CabinetError(PaymentsError.cardUnknown)
            }
            for index in state.cards.indices where state.cards[index].line == line {
                state.cards[index].isDefault = state.cards[index].id == id
            }
        }
    }

    public func deleteCard(_ id: Int64, of line: SubscriberID) async throws {
        try await write { state in
            guard let index = state.cards.firstIndex(where: { $0.id == id && $0.line == line }) else {
                throw CabinetError(PaymentsError.cardUnknown)
            }
            let removed = state.cards.remove(at: index)
            if removed.isDefault,
                let next = state.cards.indices.filter({ state.cards[$0].line == line }).min(by: {
                    state.cards[$0].id < state.cards[$1].id
                })
            {
                state.cards[next].isDefault = true
            }
        }
    }

    // MARK: - Auto-payment rules

    public func setAutopay(_ rule: AutopayRule) async throws {
        try await write { state in
            let currency = rule.amount.currency
            guard rule.amount.isPositive, rule.monthlyCap.minorUnits >= rule.amount.minorUnits,
                (rule.kind == .threshold) == (rule.threshold != nil),
                (rule.kind == .schedule) == (rule.dayOfMonth != nil),
                rule.dayOfMonth.map({ (1...28).contains($0) }) ?? true
            else {
                throw CabinetError.internal(
                    "auto-payment rule of line \(rule.line.rawValue) violates the table's checks")
            }
            // Stored in the amount's currency, as one currency column keeps it.
            var stored = rule
            stored.threshold = rule.threshold.map { Money(minorUnits: $0.minorUnits, currency: currency) }
            stored.monthlyCap = Money(minorUnits: rule.monthlyCap.minorUnits, currency: currency)
            stored.updatedAt = State.milliseconds(rule.updatedAt)
            state.rules[rule.line] = stored
        }
    }

    public func autopay(of line: SubscriberID) -> AutopayRule? { state.rules[line] }

    public func deleteAutopay(of line: SubscriberID) async throws {
        try await write { state in
            state.rules[line] = nil
            // An occasion not yet charged is dropped with the rule: switching off works at once.
            for index in state.triggers.indices
            where state.triggers[index].line == line && state.triggers[index].status == .open {
                state.triggers[index].status = .skipped
            }
        }
    }

    public func thresholdRules(of lines: [SubscriberID]) -> [AutopayRule] {
        Set(lines).compactMap { state.rules[$0] }.filter { $0.kind == .threshold }.sorted {
            $0.line.rawValue < $1.line.rawValue
        }
    }

    public func autopayRules(kind: AutopayRule.Kind, after: SubscriberID?, limit: Int) -> [AutopayRule] {
        let after = after?.rawValue ?? .min
        return Array(
            state.rules.values.filter { $0.kind == kind && $0.line.rawValue > after }.sorted {
                $0.line.rawValue < $1.line.rawValue
            }
            .prefix(max(0, limit)))
    }

    // MARK: - Triggers

    public func openTrigger(key: String, line: SubscriberID, amount: Money, at now: Date) async throws
        -> AutopayTrigger?
    {
        try await write { state in
            guard !state.triggers.contains(where: { $0.key == key || ($0.line == line && $0.status == .open) }) else {
                return nil
            }
            guard amount.isPositive else { throw CabinetError.internal("auto-payment trigger \(key) of no amount") }
            let at = State.milliseconds(now)
            let trigger = AutopayTrigger(
                key: key, line: line, amount: amount, status: .open, attempts: 0, nextAttemptAt: at, createdAt: at)
            state.triggers.append(trigger)
            return trigger
        }
    }

    public func lastTrigger(of line: SubscriberID) -> AutopayTrigger? {
        // The newest by creation; of several created in one millisecond, the last stored.
        state.triggers.filter { $0.line == line }.enumerated().max {
            ($0.element.createdAt, $0.offset) < ($1.element.createdAt, $1.offset)
        }?
        .element
    }

    public func dueTriggers(at now: Date, limit: Int) -> [AutopayTrigger] {
        let now = now.storageMilliseconds
        return Array(
            state.triggers.filter { $0.status == .open && $0.nextAttemptAt.storageMilliseconds <= now }
                .sorted { $0.nextAttemptAt < $1.nextAttemptAt }.prefix(max(0, limit)))
    }

    public func closeTrigger(
        _ key: String, status: AutopayTrigger.Status, attempts: Int, retryAt: Date?, sms: (to: MSISDN, text: String)?,
        at now: Date
    ) async throws {
        try await write { state in
            guard let index = state.triggers.firstIndex(where: { $0.key == key && $0.status == .open }) else { return }
            state.triggers[index].status = status
            state.triggers[index].attempts = attempts
            state.triggers[index].nextAttemptAt = State.milliseconds(retryAt ?? now)
            if let sms {
                state.enqueue(
                    to: sms.to, text: sms.text, purpose: "payments.autopay", dedupeKey: "autopay:\(key)", at: now)
            }
        }
    }

    public func autopaySpent(of line: SubscriberID, since: Date) -> Int64 {
        let since = since.storageMilliseconds
        return state.payments.values.filter {
            $0.line == line && $0.autopayTrigger != nil && $0.status == .succeeded
                && $0.createdAt.storageMilliseconds >= since
        }.reduce(0) { $0 &+ $1.amount.minorUnits }
    }
}

// MARK: - The rows

/// Everything the store holds; a transaction works on a copy and commits it whole.
private struct State {
    var payments: [String: Payment] = [:]
    /// By id, ascending (the id is the position plus one).
    var promised: [PromisedPayment] = []
    /// By id, ascending (the id is the position plus one).
    var transfers: [Transfer] = []
    /// By id, ascending.
    var cards: [SavedCard] = []
    var lastCardID: Int64 = 0
    var rules: [SubscriberID: AutopayRule] = [:]
    /// In the order they were opened.
    var triggers: [AutopayTrigger] = []
    /// By id, ascending (the id is the position plus one).
    var requests: [ServiceRequest] = []
    var messages: [InMemoryPaymentsStore.QueuedSMS] = []

    /// An instant as a table keeps it: whole milliseconds.
    static func milliseconds(_ date: Date) -> Date { Date(storageMilliseconds: date.storageMilliseconds) }

    /// `ORDER BY created_at, id`.
    static func oldestFirst(_ a: Payment, _ b: Payment) -> Bool {
        (a.createdAt.storageMilliseconds, a.id) < (b.createdAt.storageMilliseconds, b.id)
    }

    // MARK: Request records (SQLRequestRegistry)

    mutating func openRequest(
        kind: String, line: SubscriberID, status: ServiceRequest.Status, detail: String?, at now: Date
    ) -> Int64 {
        let id = Int64(requests.count + 1)
        let at = Self.milliseconds(now)
        requests.append(
            ServiceRequest(
                id: id, subscriberID: line, kind: kind, status: status, createdAt: at, updatedAt: at, detail: detail))
        return id
    }

    mutating func updateRequest(_ id: Int64, status: ServiceRequest.Status, detail: String?, at now: Date) {
        guard let index = requests.firstIndex(where: { $0.id == id }) else { return }
        requests[index].status = status
        requests[index].detail = detail ?? requests[index].detail
        requests[index].updatedAt = Self.milliseconds(now)
    }

    /// Queues an SMS unless one with the same dedupe key was queued (`Outbox.enqueue`).
    mutating func enqueue(to: MSISDN, text: String, purpose: String, dedupeKey: String?, at now: Date) {
        if let dedupeKey, messages.contains(where: { $0.dedupeKey == dedupeKey }) { return }
        messages.append(
            InMemoryPaymentsStore.QueuedSMS(
                id: Int64(messages.count + 1), to: to, text: text, purpose: purpose,
                dedupeKey: dedupeKey, queuedAt: Self.milliseconds(now)))
    }

    // MARK: Payments

    mutating func insert(_ payment: Payment) throws -> Payment {
        guard payments[payment.id] == nil else { throw CabinetError(PaymentsError.duplicatePayment) }
        guard payment.amount.isPositive else { throw CabinetError.internal("payment \(payment.id) of no amount") }
        let request = openRequest(
            kind: "payments.topUp", line: payment.line, status: .pending,
            detail: payment.amount.amountString + " " + payment.amount.currency.code, at: payment.createdAt)
        // The columns the SQL insert writes: no gateway payment id, failure or credit yet; updated when created.
        var row = payment
        row.gatewayPaymentID = nil
        row.failure = nil
        row.creditedAt = nil
        row.requestID = request
        row.createdAt = Self.milliseconds(payment.createdAt)
        row.updatedAt = row.createdAt
        payments[payment.id] = row
        var stored = payment
        stored.requestID = request
        return stored
    }

    /// `payments_payment_gateway`: one of our payments per gateway payment.
    func checkGatewayID(_ gatewayPaymentID: String, of payment: Payment) throws {
        if payments.values.contains(where: {
            $0.id != payment.id && $0.gateway == payment.gateway && $0.gatewayPaymentID == gatewayPaymentID
        }) {
            throw CabinetError.internal("gateway payment \(gatewayPaymentID) belongs to another payment")
        }
    }

    mutating func attach(_ id: String, gatewayPaymentID: String, at now: Date) throws {
        guard var payment = payments[id], payment.gatewayPaymentID == nil else { return }
        try checkGatewayID(gatewayPaymentID, of: payment)
        payment.gatewayPaymentID = gatewayPaymentID
        payment.updatedAt = Self.milliseconds(now)
        if payment.status == .created { payment.status = .pending }
        payments[id] = payment
    }

    /// A pending notice only moves a created payment; a final one moves anything not yet final. `nil` when it moved
    /// nothing (a repeat, or a late notice about a final payment).
    mutating func apply(_ notification: GatewayNotification, to id: String, at now: Date) throws -> Payment? {
        let status: PaymentStatus =
            switch notification.outcome {
            case .pending: .pending
            case .succeeded: .succeeded
            case .declined: .declined
            case .failed: .failed
            }
        let from: Set<PaymentStatus> = status == .pending ? [.created] : [.created, .pending]
        guard var payment = payments[id], from.contains(payment.status) else { return nil }
        let gatewayID =
            payment.gatewayPaymentID ?? (notification.gatewayPaymentID.isEmpty ? nil : notification.gatewayPaymentID)
        if let gatewayID { try checkGatewayID(gatewayID, of: payment) }
        payment.status = status
        payment.updatedAt = Self.milliseconds(now)
        payment.maskedCard = notification.maskedCard ?? payment.maskedCard
        payment.failure = notification.reason
        payment.gatewayPaymentID = gatewayID
        payments[id] = payment
        if let request = payment.requestID, status.isFinal {
            let requestStatus: ServiceRequest.Status =
                switch status {
                case .succeeded: .done
                case .declined: .rejected
                default: .failed
                }
            updateRequest(request, status: requestStatus, detail: notification.reason ?? payment.maskedCard, at: now)
        }
        return payment
    }

    mutating func markCredited(_ id: String, at now: Date) {
        guard var payment = payments[id], payment.creditedAt == nil, payment.status == .succeeded else { return }
        payment.creditedAt = Self.milliseconds(now)
        payments[id] = payment
    }

    // MARK: Promised payments

    func activePromised(of line: SubscriberID) -> PromisedPayment? {
        promised.first { $0.line == line && $0.status == .active }
    }

    mutating func insertPromised(line: SubscriberID, amount: Money, fee: Money, dueAt: Date, at now: Date) throws
        -> PromisedPayment
    {
        // «At most one active per line» is the table's rule.
        guard activePromised(of: line) == nil else { throw CabinetError(PaymentsError.promisedAlreadyActive) }
        let takenAt = Self.milliseconds(now), due = Self.milliseconds(dueAt)
        guard amount.isPositive, !fee.isNegative, due > takenAt else {
            throw CabinetError.internal("promised payment of line \(line.rawValue) violates the table's checks")
        }
        let request = openRequest(
            kind: "payments.promised", line: line, status: .done,
            detail: amount.amountString + " " + amount.currency.code, at: now)
        let row = PromisedPayment(
            id: Int64(promised.count + 1), line: line, amount: amount,
            fee: Money(minorUnits: fee.minorUnits, currency: amount.currency), status: .active, takenAt: takenAt,
            dueAt: due, requestID: request, closedAt: nil)
        promised.append(row)
        return row
    }

    mutating func closePromised(_ id: Int64, as status: PromisedPayment.Status, at now: Date) -> PromisedPayment? {
        guard status != .active, let index = promised.firstIndex(where: { $0.id == id && $0.status == .active }) else {
            return nil
        }
        promised[index].status = status
        promised[index].closedAt = Self.milliseconds(now)
        return promised[index]
    }

    mutating func markPromised(_ id: Int64, settled: Bool, at now: Date) {
        guard let index = promised.firstIndex(where: { $0.id == id }) else { return }
        if settled {
            guard promised[index].settledAt == nil, promised[index].status != .active else { return }
            promised[index].settledAt = Self.milliseconds(now)
        } else {
            guard promised[index].creditedAt == nil else { return }
            promised[index].creditedAt = Self.milliseconds(now)
        }
    }

    // MARK: Transfers

    /// The daily sum and the insert in one step: the actor and the store's gate are the sender's lock.
    mutating func insertTransfer(_ transfer: NewTransfer, at now: Date) throws -> Transfer {
        let sent = transfers.filter { $0.sender == transfer.sender && $0.day == transfer.day && $0.status != .refused }
            .reduce(Int64(0)) { $0 &+ $1.amount.minorUnits }
        guard sent + transfer.amount.minorUnits <= transfer.maxPerDay.minorUnits else {
            let left = Money(
                minorUnits: max(0, transfer.maxPerDay.minorUnits - sent), currency: transfer.amount.currency)
            throw CabinetError(
                PaymentsError.transferDailyLimit,
                arguments: [
                    "limit": transfer.maxPerDay.amountString, "left": left.amountString,
                ])
        }
        guard transfer.amount.isPositive, !transfer.fee.isNegative, transfer.sender != transfer.recipient else {
            throw CabinetError.internal("transfer of line \(transfer.sender.rawValue) violates the table's checks")
        }
        let request = openRequest(
            kind: "payments.transfer", line: transfer.sender, status: .processing,
            detail:
                "\(transfer.amount.amountString) \(transfer.amount.currency.code) → \(transfer.recipientMSISDN.e164)",
            at: now)
        let at = Self.milliseconds(now)
        let row = Transfer(
            id: Int64(transfers.count + 1), sender: transfer.sender, senderMSISDN: transfer.senderMSISDN,
            recipient: transfer.recipient,
            recipientMSISDN: transfer.recipientMSISDN, amount: transfer.amount,
            fee: Money(minorUnits: transfer.fee.minorUnits, currency: transfer.amount.currency), status: .pending,
            day: transfer.day,
            requestID: request, createdAt: at, updatedAt: at)
        transfers.append(row)
        return row
    }

    mutating func advanceTransfer(_ id: Int64, from: Transfer.Status, to: Transfer.Status, at now: Date) -> Transfer? {
        guard let index = transfers.firstIndex(where: { $0.id == id && $0.status == from }) else { return nil }
        transfers[index].status = to
        transfers[index].updatedAt = Self.milliseconds(now)
        let transfer = transfers[index]
        if let request = transfer.requestID, to == .done || to == .refused {
            updateRequest(
                request, status: to == .done ? .done : .rejected,
                detail: to == .refused ? "payments.transfer.insufficientFunds" : nil, at: now)
        }
        return transfer
    }

    // MARK: Saved cards

    mutating func saveCard(line: SubscriberID, gateway: String, token: String, maskedCard: String, at now: Date)
        -> SavedCard
    {
        if let existing = cards.first(where: { $0.line == line && $0.gateway == gateway && $0.token == token }) {
            return existing
        }
        lastCardID += 1
        let card = SavedCard(
            id: lastCardID, line: line, gateway: gateway, token: token, maskedCard: maskedCard,
            isDefault: !cards.contains { $0.line == line }, createdAt: Self.milliseconds(now))
        cards.append(card)
        return card
    }
}

/// ``PaymentsTransaction`` of ``InMemoryPaymentsStore``: each call works on the transaction's staged copy.
private struct InMemoryPaymentsTransaction: PaymentsTransaction {
    let store: InMemoryPaymentsStore
    let number: Int

    var writeTransaction: any WriteTransaction { InMemoryWriteTransaction() }

    func payment(id: String) async throws -> Payment? {
        try await store.inTransaction(number) { $0.payments[id] }
    }

    func apply(_ notification: GatewayNotification, to id: String, at now: Date) async throws -> Payment? {
        try await store.inTransaction(number) { try $0.apply(notification, to: id, at: now) }
    }

    func markCredited(_ id: String, at now: Date) async throws {
        try await store.inTransaction(number) { $0.markCredited(id, at: now) }
    }

    func activePromised(of line: SubscriberID) async throws -> PromisedPayment? {
        try await store.inTransaction(number) { $0.activePromised(of: line) }
    }

    func closePromised(_ id: Int64, as status: PromisedPayment.Status, at now: Date) async throws -> PromisedPayment? {
        try await store.inTransaction(number) { $0.closePromised(id, as: status, at: now) }
    }

    func markPromised(_ id: Int64, settled: Bool, at now: Date) async throws {
        try await store.inTransaction(number) { $0.markPromised(id, settled: settled, at: now) }
    }

    func saveCard(line: SubscriberID, gateway: String, token: String, maskedCard: String, at now: Date) async throws
        -> SavedCard
    {
        try await store.inTransaction(number) {
            $0.saveCard(line: line, gateway: gateway, token: token, maskedCard: maskedCard, at: now)
        }
    }

    func advanceTransfer(_ id: Int64, from: Transfer.Status, to: Transfer.Status, at now: Date) async throws
        -> Transfer?
    {
        try await store.inTransaction(number) { $0.advanceTransfer(id, from: from, to: to, at: now) }
    }

    func post(_ posting: LedgerPosting) async throws -> PostingResult {
        try await store.post(posting, in: number)
    }
}

/// The ``WriteTransaction`` an in-memory Payments transaction hands to in-memory stores of other modules.
struct InMemoryWriteTransaction: WriteTransaction {}
