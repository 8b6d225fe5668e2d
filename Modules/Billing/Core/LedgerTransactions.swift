public import CabinetCore

/// Billing's ledger as a party to another module's write transaction: what that module's store writes and the money
/// it moves commit together or not at all (a top-up's state and its credit). The other store writes through the
/// ``WriteTransaction`` it is handed (its SQL implementation reaches the connection with `transaction.sql()`), so it
/// needs no part of Billing's storage; both must use the same database.
public protocol LedgerTransactions: Sendable {
    /// Runs `body` in one write transaction in which the ``LedgerWriter`` posts. The body may run more than once (a
    /// retried transaction); `lines` are the lines it will touch, if known.
    func transaction<T: Sendable>(
        lines: [SubscriberID], _ body: @escaping @Sendable (any WriteTransaction, any LedgerWriter) async throws -> T
    ) async throws -> T
}

/// Posts inside a transaction ``LedgerTransactions`` opened.
public protocol LedgerWriter: Sendable {
    /// Posts as ``BalanceLedger/post(_:)`` does, in the surrounding transaction: once per external id, refusing a
    /// charge beyond the balance unless the posting allows it.
    func post(_ posting: LedgerPosting) async throws -> PostingResult
}
