public import Billing
public import CabinetCore
import CabinetMessaging
public import CabinetStorage
public import Foundation
public import Logging
import SQLKit
public import Subscribers
import Synchronization
public import Tariffs

/// Billing's tables over the SQL layer. Every operation is one transaction that first locks the line's account row
/// (`FOR UPDATE` on PostgreSQL; SQLite's single writer serialises anyway), so funds checks, exactly-once fees and
/// one charge per usage event hold with many app nodes on one PostgreSQL.
///
/// System accounts (revenue, gateway clearing, …) keep no cached balance: every posting would otherwise update
/// the same row and serialise all money movements on its lock. Their balance is the sum of their entries.
public final class SQLBillingStore: BillingStore {
    let database: CabinetDatabase
    let rules: BillingRules
    let texts: BillingTexts
    /// Tariffs' spans, written in Billing's transactions (an account opened on a tariff, a tariff changed with its fee).
    let lineTariffs: any LineTariffWriter
    let logger: Logger
    /// Called after a transaction that queued a message commits (wakes the outbox worker).
    let messagesQueued: @Sendable () -> Void
    /// Called after a write that may have lowered lines' balances commits, with those lines (auto-payment watches them;
    /// lines a write only credited are left out).
    let balancesChanged: @Sendable ([SubscriberID]) -> Void
    /// Ids of system accounts per `code`, created at open and never changed afterwards.
    let systemAccounts: [String: Int64]
    /// What the dashboard reads (account and live buckets) by subscriber, when this process alone writes the database.
    let snapshots: ReadCache<Int64, CachedAccount>?
    /// The same on PostgreSQL, kept with line stamps (LineStampedCache): the dashboard of a line nobody wrote to since
    /// this node read it costs no round trip beyond the session's.
    let stampedSnapshots: LineStampedCache<CachedAccount>?
    /// Lines' recurring charges on PostgreSQL (the dashboard's option fees), kept with line stamps.
    let stampedRecurring: LineStampedCache<[ScheduledCharge]>?
    /// Services' rules of options on a tariff change, applied in the transaction that makes a new tariff the line's.
    public let tariffOptionRules = Listeners<any TariffOptionRules>()
    /// Lines' statuses, read inside the fee run's transaction: a blocked or suspended line pays no tariff fee and no
    /// recurring fee but those meant for that state. `nil` (tools, some tests): every line is taken as active.
    let statuses: (any SubscriberDirectory)?
    /// Companies' accounts by company: opened once, never changed or removed, so every process may keep them.
    let companyAccountCache = Mutex<[CompanyID: CompanyAccountRow]>([:])
    /// `billing_meta.spending_since`, set once by its migration.
    let spendingSinceCache = Mutex<Int64?>(nil)

    private init(
        database: CabinetDatabase, rules: BillingRules, texts: BillingTexts, lineTariffs: any LineTariffWriter,
        logger: Logger,
        messagesQueued: @escaping @Sendable () -> Void, balancesChanged: @escaping @Sendable ([SubscriberID]) -> Void,
        systemAccounts: [String: Int64], statuses: (any SubscriberDirectory)?
    ) {
        self.statuses = statuses
        self.balancesChanged = balancesChanged
        self.database = database
        self.rules = rules
        self.texts = texts
        self.lineTariffs = lineTariffs
        self.logger = logger
        self.messagesQueued = messagesQueued
        self.systemAccounts = systemAccounts
        self.snapshots = database.cache("billing.snapshots")
        self.stampedSnapshots = database.stampedCache("billing.snapshots")
        self.stampedRecurring = database.stampedCache("billing.recurring")
    }

    /// Every write of Billing goes through here: the lines it touches (given, or collected by the body, which may run
    /// more than once) leave the snapshot cache when it ends, and reads in flight cannot put older rows back.
    /// ``balancesChanged`` then hears of them, except the lines in `onlyRaised` (money only came in: no threshold can
    /// have been crossed downwards, and a top-up need not wake auto-payment).
    func writing<T: Sendable>(
        lines: [SubscriberID] = [], onlyRaised: @Sendable () -> Set<Int64> = { [] },
        _ body: @escaping @Sendable (any SQLDatabase, TouchedKeys<Int64>) async throws -> T
    ) async throws -> T {
        let touched = TouchedKeys<Int64>()
        touched.insert(contentsOf: lines.map(\.rawValue))
        snapshots?.beginWrite()
        defer { snapshots?.invalidate(touched.all) }
        let result = try await database.write { db in try await body(db, touched) }
        let changed = touched.all.subtracting(onlyRaised())
        if !changed.isEmpty { balancesChanged(changed.map { SubscriberID($0) }) }
        return result
    }

    /// Opens the store, creating the system accounts of every currency the regions use.
    /// - Parameter lineTariffs: Tariffs' writer of lines' tariff spans, on the same database.
    public static func open(
        database: CabinetDatabase, rules: BillingRules, texts: BillingTexts, lineTariffs: any LineTariffWriter,
        logger: Logger,
        messagesQueued: @escaping @Sendable () -> Void = {},
        balancesChanged: @escaping @Sendable ([SubscriberID]) -> Void = { _ in },
        statuses: (any SubscriberDirectory)? = nil
    ) async throws -> SQLBillingStore {
        let currencies = Set(rules.regions.regions.map(\.currency)).union([.rub])
        let now = Date().storageMilliseconds
        let codes = currencies.flatMap { currency in SystemAccount.allCases.map { Self.code($0, currency) } }
        // Read first: beside a running server a command may not write, and the accounts exist already.
        let existing = try await database.read { db in
            try await db.raw("SELECT id, code FROM billing_account WHERE subscriber_id IS NULL").all()
        }.reduce(into: [String: Int64]()) { result, row in
            if let code = try? row.decode(column: "code", as: String.self),
                let id = try? row.decode(column: "id", as: Int64.self)
            {
                result[code] = id
            }
        }
        if codes.allSatisfy({ existing[$0] != nil }) {
            return SQLBillingStore(
                database: database, rules: rules, texts: texts, lineTariffs: lineTariffs, logger: logger,
                messagesQueued: messagesQueued,
                balancesChanged: balancesChanged,
                systemAccounts: existing, statuses: statuses)
        }
        let ids = try await database.write { db -> [String: Int64] in
            var ids: [String: Int64] = [:]
            for currency in currencies {
                for system in SystemAccount.allCases {
                    let code = Self.code(system, currency)
                    try await db.raw(
                        """
                        INSERT INTO billing_account (code, currency, created_at) VALUES (\(bind: code), \(bind: currency.code), \(bind: now))
                        ON CONFLICT (code) DO NOTHING
                        """
                    ).run()
                    guard
                        let id = try await db.raw("SELECT id FROM billing_account WHERE code = \(bind: code)").first()?
                            .decode(column: "id", as: Int64.self)
                    else { throw CabinetError.internal("system account \(code) missing") }
                    ids[code] = id
                }
            }
            return ids
        }
        return SQLBillingStore(
            database: database, rules: rules, texts: texts, lineTariffs: lineTariffs, logger: logger,
            messagesQueued: messagesQueued,
            balancesChanged: balancesChanged, systemAccounts: ids, statuses: statuses)
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

    var backend: CabinetDatabase.Backend { database.backend }

    /// `FOR UPDATE` on PostgreSQL; nothing on SQLite (its writer lock serialises every write transaction).
    var forUpdate: SQLQueryString { backend == .postgres ? " FOR UPDATE" : "" }

    // MARK: Accounts

    static let accountColumnList =
        "id, subscriber_id, msisdn, region, currency, balance, restricted, tariff_id, period_start_at, period_end_at"
    static let accountColumns = SQLQueryString(accountColumnList)

    public func openAccount(_ new: NewAccount, now: Date) async throws -> BillingAccount {
        guard let region = rules.region(new.region) else {
            throw CabinetError(BillingError.noAccount, arguments: ["region": new.region.rawValue])
        }
        let queued = Flag()
        let account = try await writing(lines: [new.subscriberID]) { db, _ -> BillingAccount in
            if let existing = try await self.lockAccount(new.subscriberID, on: db) { return existing.account }
            // A tariff given to the line earlier (through Tariffs) wins over the default the caller proposes.
            let span = try await self.lineTariffs.tariff(
                of: new.subscriberID, at: new.from, in: SQLWriteTransaction(db))
            let tariffID = span?.tariffID ?? new.tariff
            guard let tariff = self.rules.tariff(tariffID, in: new.region) else {
                throw CabinetError(TariffsError.unknown, arguments: ["tariff": tariffID.rawValue])
            }
            let plan = try self.rules.plan(tariff: tariff, region: new.region, from: new.from)
            if span == nil {
                try await self.lineTariffs.assignInitial(
                    tariff.id, to: new.subscriberID, region: new.region, at: new.from,
                    in: SQLWriteTransaction(db))
            }
            try await db.raw(
                """
                INSERT INTO billing_account
                    (code, subscriber_id, msisdn, region, currency, balance, restricted, tariff_id, period_start_at, period_end_at, created_at)
                VALUES (\(bind: "line:\(new.subscriberID.rawValue)"), \(bind: new.subscriberID.rawValue), \(bind: new.msisdn.e164),
                        \(bind: new.region.rawValue), \(bind: region.currency.code), 0, 0, \(bind: tariff.id.rawValue),
                        \(bind: plan.period.start.storageMilliseconds), \(bind: plan.period.end.storageMilliseconds),
                        \(bind: now.storageMilliseconds))
                """
            ).run()
            guard var row = try await self.lockAccount(new.subscriberID, on: db) else {
                throw CabinetError.internal("account not stored")
            }
            try await self.openPeriod(plan, for: &row, previous: nil, now: now, queued: queued, on: db)
            return row.account
        }
        if queued.isSet { messagesQueued() }
        return account
    }

    public func account(of line: SubscriberID) async throws -> BillingAccount? {
        try await database.read { db in
            try await db.raw(
                "SELECT \(Self.accountColumns) FROM billing_account WHERE subscriber_id = \(bind: line.rawValue)"
            ).first()
        }.map { try AccountRow($0).account }
    }

    public func balance(of line: SubscriberID) async throws -> Money {
        guard let account = try await account(of: line) else {
            throw CabinetError(BillingError.noAccount)
        }
        return account.balance
    }

    public func balances(of lines: [SubscriberID]) async throws -> [SubscriberID: Money] {
        guard !lines.isEmpty else { return [:] }
        let ids = SQLList(Set(lines).map { SQLBind($0.rawValue) })
        let rows = try await database.read { db in
            try await db.raw(
                "SELECT subscriber_id, currency, balance FROM billing_account WHERE subscriber_id IN (\(ids))"
            ).all()
        }
        var result: [SubscriberID: Money] = [:]
        for row in rows {
            // A system account has no subscriber and is never asked for.
            guard let subscriber = try row.decode(column: "subscriber_id", as: Int64?.self) else { continue }
            let code = try row.decode(column: "currency", as: String.self)
            guard let currency = Currency(code: code) else {
                throw CabinetError.internal("billing account of line \(subscriber) has an unknown currency \(code)")
            }
            result[SubscriberID(subscriber)] = Money(
                minorUnits: try row.decode(column: "balance", as: Int64.self), currency: currency)
        }
        return result
    }

    /// One statement: the account row (with a tariff ordered for the next period) joined with its buckets that have not
    /// expired. The dashboard is the most requested page: one round trip, or none when the cache has the line.
    public func snapshot(of line: SubscriberID, at now: Date) async throws -> AccountSnapshot? {
        let at = now.storageMilliseconds
        let stamped = stampedSnapshots != nil
        let stamp: SQLQueryString = stamped ? ", \(LineStampSchema.column("a.subscriber_id"))" : ""
        let load = { () async throws -> (value: CachedAccount, stamp: Int64)? in
            let rows = try await self.database.read { db in
                try await db.raw(
                    """
                    SELECT a.id, a.subscriber_id, a.msisdn, a.region, a.currency, a.balance, a.restricted, a.tariff_id, a.next_tariff_id,
                           a.period_start_at, a.period_end_at, b.id AS bucket_id, b.unit, b.source, b.total, b.remaining, b.valid_from,
                           b.expires_at, b.carried_from_start, b.carried_from_end\(stamp)
                    FROM billing_account a
                    LEFT JOIN billing_bucket b ON b.subscriber_id = a.subscriber_id AND b.expires_at > \(bind: at)
                    WHERE a.subscriber_id = \(bind: line.rawValue)
                    ORDER BY b.expires_at, b.id
                    """
                ).all()
            }
            guard let first = rows.first else { return nil }
            var buckets: [Bucket] = []
            for row in rows where try row.decode(column: "bucket_id", as: Int64?.self) != nil {
                buckets.append(try Self.decodeBucket(row, id: "bucket_id"))
            }
            let cached = CachedAccount(
                account: try AccountRow(first).account, buckets: buckets,
                planned: try first.decode(column: "next_tariff_id", as: String?.self).flatMap(TariffID.init(rawValue:)))
            return (cached, stamped ? try first.decode(column: "line_stamp", as: Int64.self) : 0)
        }
        let found: CachedAccount?
        if let stampedSnapshots {
            found = try await stampedSnapshots.read(line) { try await load() }
        } else if let snapshots {
            found = try await snapshots.read(line.rawValue) { try await load()?.value }
        } else {
            found = try await load()?.value
        }
        guard let cached = found else { return nil }
        // Cached rows hold every bucket not expired when they were read; what is live is decided now.
        return AccountSnapshot(
            account: cached.account, buckets: cached.buckets.filter { $0.covers(now) }, plannedTariff: cached.planned)
    }

    /// Reads (and on PostgreSQL locks) a line's account row.
    func lockAccount(_ line: SubscriberID, on db: any SQLDatabase) async throws -> AccountRow? {
        try await db.raw(
            """
            SELECT \(Self.accountColumns) FROM billing_account WHERE subscriber_id = \(bind: line.rawValue)\(forUpdate)
            """
        ).first().map(AccountRow.init)
    }

    // MARK: Buckets

    static let bucketColumnList =
        "id, subscriber_id, period_id, unit, source, total, remaining, valid_from, expires_at, carried_from_start, carried_from_end"
    static let bucketColumns = SQLQueryString(bucketColumnList)

    static func decodeBucket(_ row: any SQLRow, id idColumn: String = "id") throws -> Bucket {
        let unitText = try row.decode(column: "unit", as: String.self)
        guard let unit = PackageUnit(rawValue: unitText),
            let source = Bucket.Source(rawValue: try row.decode(column: "source", as: String.self))
        else { throw CabinetError.internal("stored bucket has unit \(unitText)") }
        var carried: BillingPeriod?
        if let start = try row.decode(column: "carried_from_start", as: Int64?.self),
            let end = try row.decode(column: "carried_from_end", as: Int64?.self)
        {
            carried = BillingPeriod(start: Date(storageMilliseconds: start), end: Date(storageMilliseconds: end))
        }
        return Bucket(
            id: try row.decode(column: idColumn, as: Int64.self), unit: unit,
            total: try row.decode(column: "total", as: Int64.self),
            left: try row.decode(column: "remaining", as: Int64.self),
            validFrom: Date(storageMilliseconds: try row.decode(column: "valid_from", as: Int64.self)),
            expiresAt: Date(storageMilliseconds: try row.decode(column: "expires_at", as: Int64.self)), source: source,
            carriedFrom: carried)
    }
}

/// A line's account and buckets as the snapshot cache keeps them.
struct CachedAccount: Sendable {
    var account: BillingAccount
    var buckets: [Bucket]
    var planned: TariffID?
}

/// A line's account row as the store works with it inside a transaction.
struct AccountRow: Sendable {
    var id: Int64
    var subscriberID: SubscriberID
    var msisdn: MSISDN
    var region: RegionID
    var currency: Currency
    var balance: Int64
    var restricted: Bool
    var tariffID: TariffID
    var periodStart: Int64
    var periodEnd: Int64

    init(_ row: any SQLRow) throws {
        id = try row.decode(column: "id", as: Int64.self)
        guard let subscriber = try row.decode(column: "subscriber_id", as: Int64?.self),
            let msisdnText = try row.decode(column: "msisdn", as: String?.self), let msisdn = MSISDN(e164: msisdnText),
            let regionText = try row.decode(column: "region", as: String?.self),
            let region = RegionID(rawValue: regionText),
            let currency = Currency(code: try row.decode(column: "currency", as: String.self)),
            let tariffText = try row.decode(column: "tariff_id", as: String?.self),
            let tariff = TariffID(rawValue: tariffText),
            let start = try row.decode(column: "period_start_at", as: Int64?.self),
            let end = try row.decode(column: "period_end_at", as: Int64?.self)
        else { throw CabinetError.internal("billing account \(id) is not a line account") }
        subscriberID = SubscriberID(subscriber)
        self.msisdn = msisdn
        self.region = region
        self.currency = currency
        balance = try row.decode(column: "balance", as: Int64.self)
        restricted = try row.decode(column: "restricted", as: Int.self) != 0
        tariffID = tariff
        periodStart = start
        periodEnd = end
    }

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

/// Set inside a transaction body when it queued a message; read after the commit.
final class Flag: Sendable {
    private let value = Mutex(false)
    func set() { value.withLock { $0 = true } }
    var isSet: Bool { value.withLock { $0 } }
}
