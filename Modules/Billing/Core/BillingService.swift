public import CabinetCore
public import Foundation
public import Subscribers
public import Tariffs

/// What Billing does, as its HTTP target, the tariff pages and the composition root call it: a line's dashboard,
/// balance history and statements, usage from the network, recurring fees, tariff changes priced and posted, and
/// the ledger's check. ``DefaultBillingService`` is the implementation.
public protocol BillingService: TariffChangeService {
    /// The service's clock's now.
    var now: Date { get }
    /// The billing rules of every region (calendars, prices, statement prices).
    var rules: BillingRules { get }

    /// Opens the line's account on `tariff` (the region's default when `nil`) from `from` (now when `nil`).
    @discardableResult
    func openAccount(for line: Line, tariff: TariffID?, from: Date?) async throws -> BillingAccount
    /// The line's account (its tariff, balance and period), `nil` before it is opened.
    func account(of line: SubscriberID) async throws -> BillingAccount?

    func dashboard(_ access: LineAccess) async throws -> Dashboard
    func history(_ access: LineAccess, query: MovementQuery) async throws -> [LedgerMovement]
    /// Every open tariff of the line's region priced on its usage of the last three whole months, cheapest first.
    func advice(_ access: LineAccess) async throws -> TariffAdvice
    /// The last `months` calendar months' spending by kind, oldest first (the current month last).
    func spending(_ access: LineAccess, months: Int) async throws -> [MonthSpending]
    /// What each of many lines spent from `from` until `to`, by kind, in a few grouped reads (a company's expense
    /// report); the caller has decided who may see them.
    func expenses(of lines: [SubscriberID], from: Date, to: Date) async throws -> [SubscriberID: LineExpenses]
    /// What each of many lines of `region` spent this calendar month (the region's), never below zero: a company's
    /// «Абоненты» and its quotas, from a counter kept with every charge rather than a sum of the month's rows.
    func spentThisMonth(of lines: [SubscriberID], region: RegionID) async throws -> [SubscriberID: Money]
    func shortStatement(
        _ access: LineAccess, from: LocalDate, to: LocalDate, kinds: Set<UsageEvent.Kind>, after: UsageCursor?,
        limit: Int
    ) async throws -> ShortStatement
    /// Orders the full statement by e-mail; its price is posted when ordered and refunded if it fails.
    func orderStatement(_ access: LineAccess, from: LocalDate, to: LocalDate, language: Language) async throws
        -> ServiceRequest

    /// Rates usage events from the network (once per event id) and reports what was refused and why.
    func ingest(_ events: [UsageEvent]) async throws -> IngestReport
    /// Opens the periods that are due and charges their fees; returns how many lines moved on.
    func runDueFees(batch: Int) async throws -> Int
    /// Recomputes every balance from the ledger entries and checks each transaction sums to zero.
    func checkLedger() async throws -> LedgerCheckReport
}

extension BillingService {
    @discardableResult
    public func openAccount(for line: Line) async throws -> BillingAccount {
        try await openAccount(for: line, tariff: nil, from: nil)
    }
    public func runDueFees() async throws -> Int { try await runDueFees(batch: 200) }
    public func shortStatement(_ access: LineAccess, from: LocalDate, to: LocalDate) async throws -> ShortStatement {
        try await shortStatement(access, from: from, to: to, kinds: [], after: nil, limit: 100)
    }
}
