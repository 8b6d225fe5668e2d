public import Billing
public import CabinetCore
import CabinetStorage
public import Foundation
import SQLKit
import Subscribers
import Synchronization

/// A company's ledger account, as a charge of one of its lines needs it (never changes once opened, so it is cached).
struct CompanyAccountRow: Sendable {
    var id: Int64
    var currency: Currency
    var holder: String
}

/// What a company pays of one line's charge, decided inside the charge's transaction.
struct CompanyCover: Sendable {
    var subscriber: SubscriberID
    var company: CompanyID
    var account: CompanyAccountRow
    var amount: Int64
    /// The month (its first instant, in the line's region) the line's cover limit counts in; `nil` without a limit.
    var limitMonth: Int64?
}

extension SQLBillingStore {
    // MARK: Covering charges

    /// What each line's company pays of its charge (`charges`: line account and the positive amount charged), by line
    /// account id. A line pays alone when it has no company, the company has no account (it is not a Corporate
    /// customer), the currencies differ, the movement is not for the line's own service, or this month's cover limit
    /// is used up.
    func covers(
        of charges: [(account: AccountRow, amount: Int64)], kind: MovementKind, at: Date, on db: any SQLDatabase
    ) async throws -> [Int64: CompanyCover] {
        guard let statuses, Self.coveredKinds.contains(kind) else { return [:] }
        let charges = charges.filter { $0.amount > 0 }
        guard !charges.isEmpty else { return [:] }
        let companies = try await statuses.companies(
            of: charges.map(\.account.subscriberID), in: SQLWriteTransaction(db))
        guard !companies.isEmpty else { return [:] }
        let accounts = try await companyAccounts(Set(companies.values), on: db)
        guard !accounts.isEmpty else { return [:] }
        let covered = charges.filter { charge in
            companies[charge.account.subscriberID].flatMap { accounts[$0] }?.currency == charge.account.currency
        }
        guard !covered.isEmpty else { return [:] }
        var limits: [Int64: (limit: Int64, month: Int64, covered: Int64)] = [:]
        let ids = SQLList(covered.map { SQLBind($0.account.subscriberID.rawValue) })
        for row in try await db.raw(
            "SELECT subscriber_id, cover_limit, month_start, covered FROM billing_cover WHERE subscriber_id IN (\(ids))"
        ).all() {
            limits[try row.decode(column: "subscriber_id", as: Int64.self)] = (
                try row.decode(column: "cover_limit", as: Int64.self),
                try row.decode(column: "month_start", as: Int64.self),
                try row.decode(column: "covered", as: Int64.self)
            )
        }
        var result: [Int64: CompanyCover] = [:]
        for (account, amount) in covered {
            guard let company = companies[account.subscriberID], let payer = accounts[company] else { continue }
            var cover = amount
            var limitMonth: Int64?
            if let limit = limits[account.subscriberID.rawValue] {
                let month = monthStart(of: at, region: account.region)
                let used: Int64
                if limit.month == month {
                    used = limit.covered
                } else if limit.month > month {
                    // A charge dated in an earlier month (a catch-up after an outage): what that month's covers came to.
                    used = try await coveredInMonth(account, from: month, on: db)
                } else {
                    used = 0
                }
                cover = min(amount, max(0, limit.limit - used))
                limitMonth = month
            }
            guard cover > 0 else { continue }
            result[account.id] = CompanyCover(
                subscriber: account.subscriberID, company: company, account: payer, amount: cover,
                limitMonth: limitMonth)
        }
        return result
    }

    /// The company's part of one charge of `account`'s line, as ``covers(of:kind:at:on:)``.
    func cover(of amount: Int64, kind: MovementKind, account: AccountRow, at: Date, on db: any SQLDatabase)
        async throws -> CompanyCover?
    {
        try await covers(of: [(account, amount)], kind: kind, at: at, on: db)[account.id]
    }

    /// Whether the line can pay `charge` for a movement of `kind`: its balance and what its company would cover.
    func canPay(_ charge: Int64, kind: MovementKind, account: AccountRow, at: Date, on db: any SQLDatabase)
        async throws -> Bool
    {
        guard charge > 0, account.balance < charge else { return true }
        let covered = try await cover(of: charge, kind: kind, account: account, at: at, on: db)?.amount ?? 0
        return account.balance + covered >= charge
    }

    /// Writes the companies' part of a charge (or of a rating batch): per company one `companyPaid` transaction
    /// `company:<company>:<charge's external id>` with an entry per covered line (its balance after the charge plus the
    /// cover, given in `balances` by line account and updated) and one for the company, and the lines' monthly counters.
    func postCovers(
        _ covers: [Int64: CompanyCover], balances: inout [Int64: Int64], currency: Currency, externalID: String,
        at now: Date, on db: any SQLDatabase
    ) async throws {
        let at = now.storageMilliseconds
        let byCompany = Dictionary(grouping: covers, by: { $0.value.company })
        for company in byCompany.keys.sorted(by: { $0.rawValue < $1.rawValue }) {
            guard let lines = byCompany[company], let payer = lines.first?.value.account else { continue }
            guard
                let transaction = try await db.raw(
                    """
                    INSERT INTO billing_transaction (external_id, kind, at, explanation, arguments)
                    VALUES (\(bind: "company:\(company.rawValue):\(externalID)"), \(bind: MovementKind.companyPaid.rawValue),
                            \(bind: at), 'billing.explain.companyPaid', \(bind: Self.encode(["company": payer.holder])))
                    RETURNING id
                    """
                ).first()?.decode(column: "id", as: Int64.self)
            else { throw CabinetError.internal("company cover not stored") }
            var rows: [[SQLValue]] = []
            var total: Int64 = 0
            for (accountID, cover) in lines.sorted(by: { $0.key < $1.key }) {
                let after = (balances[accountID] ?? 0) + cover.amount
                balances[accountID] = after
                total += cover.amount
                rows.append([
                    .int(transaction), .int(accountID), .int(cover.amount), .word(currency.code), .int(after), .int(at),
                ])
            }
            rows.append([.int(transaction), .int(payer.id), .int(-total), .word(currency.code), .null, .int(at)])
            try await SQLBatch.insert(
                "INSERT INTO billing_entry (transaction_id, account_id, amount, currency, balance_after, at)",
                rows: rows, on: db)
        }
        // The monthly counters of lines with a limit (few: a personal quota's): a newer month starts over, an older
        // one (a late-dated charge) leaves the current month's count alone.
        for cover in covers.values.sorted(by: { $0.subscriber.rawValue < $1.subscriber.rawValue }) {
            guard let month = cover.limitMonth else { continue }
            try await db.raw(
                """
                UPDATE billing_cover SET covered = CASE WHEN month_start = \(bind: month) THEN covered + \(bind: cover.amount)
                                                        ELSE \(bind: cover.amount) END,
                                         month_start = \(bind: month)
                WHERE subscriber_id = \(bind: cover.subscriber.rawValue) AND month_start <= \(bind: month)
                """
            ).run()
        }
    }

    /// What the company paid for the line between `from` (a month's start) and that month's end: its covers less
    /// what went back.
    func coveredInMonth(_ account: AccountRow, from: Int64, on db: any SQLDatabase) async throws -> Int64 {
        var bounds = MonthBounds(store: self)
        let start = bounds.start(of: from, region: account.region)
        let next = bounds.start(of: start + 32 * 86_400_000, region: account.region)
        return try await db.raw(
            """
            SELECT CAST(COALESCE(SUM(e.amount), 0) AS BIGINT) AS total
            FROM billing_entry e JOIN billing_transaction t ON t.id = e.transaction_id
            WHERE e.account_id = \(bind: account.id) AND e.at >= \(bind: start) AND e.at < \(bind: next)
              AND t.kind = \(bind: MovementKind.companyPaid.rawValue)
            """
        ).first()?.decode(column: "total", as: Int64.self) ?? 0
    }

    /// A refund to a company-paid line goes back to the company as far as the company paid the line's service lately
    /// (its covers of the last 62 days, less what went back already): a `companyPaid` transaction the other way,
    /// `company-return:<company>:<refund's id>`, from the line (just credited) to the company. The employee keeps
    /// what they paid themselves, and a refund can never take more back than the company paid (no money made by
    /// connecting and disconnecting an option the company paid for).
    func returnCover(refund: Int64, refundID: String, account: inout AccountRow, at now: Date, on db: any SQLDatabase)
        async throws
    {
        guard refund > 0, let statuses,
            let company = try await statuses.companies(of: [account.subscriberID], in: SQLWriteTransaction(db))[
                account.subscriberID],
            let payer = try await companyAccounts([company], on: db)[company], payer.currency == account.currency
        else { return }
        let paidPrefix = "company:\(company.rawValue):"
        let returnedPrefix = "company-return:\(company.rawValue):"
        let paid =
            try await db.raw(
                """
                SELECT CAST(COALESCE(SUM(e.amount), 0) AS BIGINT) AS total
                FROM billing_entry e JOIN billing_transaction t ON t.id = e.transaction_id
                WHERE e.account_id = \(bind: account.id) AND e.at >= \(bind: now.storageMilliseconds - 62 * 86_400_000)
                  AND t.kind = \(bind: MovementKind.companyPaid.rawValue)
                  AND (substr(t.external_id, 1, \(literal: paidPrefix.utf8.count)) = \(bind: paidPrefix)
                       OR substr(t.external_id, 1, \(literal: returnedPrefix.utf8.count)) = \(bind: returnedPrefix))
                """
            ).first()?.decode(column: "total", as: Int64.self) ?? 0
        let back = min(refund, paid)
        guard back > 0 else { return }
        let at = now.storageMilliseconds
        guard
            let transaction = try await db.raw(
                """
                INSERT INTO billing_transaction (external_id, kind, at, explanation, arguments)
                VALUES (\(bind: returnedPrefix + refundID), \(bind: MovementKind.companyPaid.rawValue), \(bind: at),
                        'billing.explain.companyReturn', \(bind: Self.encode(["company": payer.holder])))
                RETURNING id
                """
            ).first()?.decode(column: "id", as: Int64.self)
        else { throw CabinetError.internal("company return not stored") }
        account.balance -= back
        account.restricted = account.balance < 0
        try await db.raw(
            """
            INSERT INTO billing_entry (transaction_id, account_id, amount, currency, balance_after, at) VALUES
                (\(bind: transaction), \(bind: account.id), \(bind: -back), \(bind: account.currency.code), \(bind: account.balance), \(bind: at)),
                (\(bind: transaction), \(bind: payer.id), \(bind: back), \(bind: account.currency.code), NULL, \(bind: at))
            """
        ).run()
        try await db.raw(
            """
            UPDATE billing_account SET balance = \(bind: account.balance), restricted = \(bind: account.restricted ? 1 : 0)
            WHERE id = \(bind: account.id)
            """
        ).run()
        // What went back no longer counts against this month's cover limit.
        var bounds = MonthBounds(store: self)
        try await db.raw(
            """
            UPDATE billing_cover SET covered = CASE WHEN covered > \(bind: back) THEN covered - \(bind: back) ELSE 0 END
            WHERE subscriber_id = \(bind: account.subscriberID.rawValue)
              AND month_start = \(bind: bounds.start(of: at, region: account.region))
            """
        ).run()
    }

    /// The companies' accounts, from the cache or in one read.
    func companyAccounts(_ companies: Set<CompanyID>, on db: any SQLDatabase) async throws
        -> [CompanyID: CompanyAccountRow]
    {
        var found = companyAccountCache.withLock { cache in cache.filter { companies.contains($0.key) } }
        let missing = companies.subtracting(found.keys)
        guard !missing.isEmpty else { return found }
        let codes = SQLList(missing.map { SQLBind(Self.accountCode($0)) })
        for row in try await db.raw(
            "SELECT id, code, currency, holder FROM billing_account WHERE code IN (\(codes))"
        ).all() {
            let code = try row.decode(column: "code", as: String.self)
            guard let company = CompanyID(rawValue: String(code.dropFirst("company:".count))),
                let currency = Currency(code: try row.decode(column: "currency", as: String.self))
            else { continue }
            found[company] = CompanyAccountRow(
                id: try row.decode(column: "id", as: Int64.self), currency: currency,
                holder: try row.decode(column: "holder", as: String?.self) ?? company.rawValue)
        }
        let known = found
        companyAccountCache.withLock { cache in cache.merge(known) { _, new in new } }
        return found
    }

    /// The first instant of the calendar month of `at` in the region's time zone.
    func monthStart(of at: Date, region: RegionID) -> Int64 {
        let zone = rules.region(region)?.timeZone ?? TimeZone(identifier: "UTC") ?? .current
        let day = LocalDate(at, in: zone)
        return (LocalDate(year: day.year, month: day.month, day: 1) ?? day).startOfDay(in: zone).storageMilliseconds
    }
}

extension SQLBillingStore: CompanyAccounts {
    public func openAccount(
        for company: CompanyID, holder: String, currency: Currency, in transaction: any WriteTransaction, now: Date
    ) async throws {
        let db = try transaction.sql()
        try await db.raw(
            """
            INSERT INTO billing_account (code, currency, holder, created_at)
            VALUES (\(bind: Self.accountCode(company)), \(bind: currency.code), \(bind: holder), \(bind: now.storageMilliseconds))
            ON CONFLICT (code) DO NOTHING
            """
        ).run()
    }

    public func openAccount(for company: CompanyID, holder: String, currency: Currency, now: Date) async throws {
        try await database.write { db in
            try await self.openAccount(
                for: company, holder: holder, currency: currency, in: SQLWriteTransaction(db), now: now)
        }
    }

    public func hasAccount(_ company: CompanyID) async throws -> Bool {
        try await database.read { db in try await self.companyAccounts([company], on: db)[company] != nil }
    }

    public func balance(of company: CompanyID) async throws -> Money? {
        try await database.read { db in
            guard
                let row = try await db.raw(
                    """
                    SELECT a.currency, (SELECT CAST(COALESCE(SUM(e.amount), 0) AS BIGINT) FROM billing_entry e
                                        WHERE e.account_id = a.id) AS total
                    FROM billing_account a WHERE a.code = \(bind: Self.accountCode(company))
                    """
                ).first(), let currency = Currency(code: try row.decode(column: "currency", as: String.self))
            else { return nil }
            return Money(minorUnits: try row.decode(column: "total", as: Int64.self), currency: currency)
        }
    }

    public func movements(of company: CompanyID, from: Date?, to: Date?, before: Int64?, limit: Int) async throws
        -> [LedgerMovement]
    {
        try await database.read { db -> [LedgerMovement] in
            guard
                let account = try await self.companyAccounts([company], on: db)[company]
            else { return [] }
            var sql: SQLQueryString = """
                SELECT e.id AS entry_id, e.transaction_id, t.external_id, t.kind, e.amount, e.at, t.explanation, t.arguments
                FROM billing_entry e JOIN billing_transaction t ON t.id = e.transaction_id
                WHERE e.account_id = \(bind: account.id)
                """
            if let before { sql = sql + " AND e.id < \(bind: before)" }
            if let from { sql = sql + " AND e.at >= \(bind: from.storageMilliseconds)" }
            if let to { sql = sql + " AND e.at < \(bind: to.storageMilliseconds)" }
            sql = sql + " ORDER BY e.id DESC LIMIT \(literal: max(1, min(limit, 500)))"
            let rows = try await db.raw(sql).all()
            guard let top = try rows.first?.decode(column: "entry_id", as: Int64.self) else { return [] }
            // No cached balance (see ``CompanyAccounts``): the balance after the page's newest entry, then down the page.
            var balance =
                try await db.raw(
                    """
                    SELECT CAST(COALESCE(SUM(amount), 0) AS BIGINT) AS total FROM billing_entry
                    WHERE account_id = \(bind: account.id) AND id <= \(bind: top)
                    """
                ).first()?.decode(column: "total", as: Int64.self) ?? 0
            return try rows.map { row in
                guard let kind = MovementKind(rawValue: try row.decode(column: "kind", as: String.self)) else {
                    throw CabinetError.internal("stored movement has an unknown kind")
                }
                let amount = try row.decode(column: "amount", as: Int64.self)
                defer { balance -= amount }
                return LedgerMovement(
                    entryID: try row.decode(column: "entry_id", as: Int64.self),
                    transactionID: try row.decode(column: "transaction_id", as: Int64.self),
                    externalID: try row.decode(column: "external_id", as: String.self), kind: kind,
                    amount: Money(minorUnits: amount, currency: account.currency),
                    balanceAfter: Money(minorUnits: balance, currency: account.currency),
                    at: Date(storageMilliseconds: try row.decode(column: "at", as: Int64.self)),
                    explanation: try row.decode(column: "explanation", as: String.self),
                    arguments: Self.decodeArguments(try row.decode(column: "arguments", as: String.self)))
            }
        }
    }

    public func credit(_ credit: CompanyCredit) async throws -> PostingResult {
        guard credit.amount.isPositive else {
            throw CabinetError(BillingError.amountInvalid, arguments: ["amount": credit.amount.amountString])
        }
        return try await database.write { db -> PostingResult in
            guard let account = try await self.companyAccounts([credit.company], on: db)[credit.company] else {
                throw CabinetError(BillingError.noAccount)
            }
            guard account.currency == credit.amount.currency else {
                throw CabinetError(
                    BillingError.currencyMismatch,
                    arguments: ["expected": account.currency.code, "actual": credit.amount.currency.code])
            }
            let at = credit.at.storageMilliseconds
            // ON CONFLICT: a repeat racing the first (a webhook retried, two clicks) meets it here, not as an error.
            guard
                let id = try await db.raw(
                    """
                    INSERT INTO billing_transaction (external_id, kind, at, explanation, arguments)
                    VALUES (\(bind: credit.externalID), \(bind: credit.kind.rawValue), \(bind: at), \(bind: credit.explanation),
                            \(bind: Self.encode(credit.arguments)))
                    ON CONFLICT (external_id) DO NOTHING
                    RETURNING id
                    """
                ).first()?.decode(column: "id", as: Int64.self)
            else {
                let existing = try await db.raw(
                    """
                    SELECT t.id, e.amount FROM billing_transaction t
                    LEFT JOIN billing_entry e ON e.transaction_id = t.id AND e.account_id = \(bind: account.id)
                    WHERE t.external_id = \(bind: credit.externalID)
                    """
                ).first()
                guard let existing else { throw CabinetError.internal("company credit neither stored nor found") }
                let amount = try existing.decode(column: "amount", as: Int64?.self)
                guard amount == credit.amount.minorUnits else {
                    throw CabinetError(
                        BillingError.externalIDReused,
                        arguments: [
                            "id": credit.externalID,
                            "amount": Money(minorUnits: amount ?? 0, currency: account.currency).amountString,
                        ])
                }
                return .duplicate(transactionID: try existing.decode(column: "id", as: Int64.self))
            }
            let system = try self.systemAccount(credit.counterparty, account.currency)
            try await db.raw(
                """
                INSERT INTO billing_entry (transaction_id, account_id, amount, currency, balance_after, at) VALUES
                    (\(bind: id), \(bind: account.id), \(bind: credit.amount.minorUnits), \(bind: account.currency.code), NULL, \(bind: at)),
                    (\(bind: id), \(bind: system), \(bind: -credit.amount.minorUnits), \(bind: account.currency.code), NULL, \(bind: at))
                """
            ).run()
            let balance =
                try await db.raw(
                    """
                    SELECT CAST(COALESCE(SUM(amount), 0) AS BIGINT) AS total FROM billing_entry WHERE account_id = \(bind: account.id)
                    """
                ).first()?.decode(column: "total", as: Int64.self) ?? 0
            return .posted(transactionID: id, balance: Money(minorUnits: balance, currency: account.currency))
        }
    }

    public func paid(by company: CompanyID, from: Date, to: Date) async throws -> Money? {
        try await database.read { db -> Money? in
            guard let account = try await self.companyAccounts([company], on: db)[company] else { return nil }
            let total =
                try await db.raw(
                    """
                    SELECT CAST(COALESCE(SUM(-e.amount), 0) AS BIGINT) AS total
                    FROM billing_entry e JOIN billing_transaction t ON t.id = e.transaction_id
                    WHERE e.account_id = \(bind: account.id) AND e.at >= \(bind: from.storageMilliseconds)
                      AND e.at < \(bind: to.storageMilliseconds) AND t.kind = \(bind: MovementKind.companyPaid.rawValue)
                    """
                ).first()?.decode(column: "total", as: Int64.self) ?? 0
            return Money(minorUnits: total, currency: account.currency)
        }
    }

    public func setCoverLimit(
        _ limit: Money?, for line: SubscriberID, in transaction: any WriteTransaction, now: Date
    ) async throws {
        let db = try transaction.sql()
        guard let limit else {
            try await db.raw("DELETE FROM billing_cover WHERE subscriber_id = \(bind: line.rawValue)").run()
            return
        }
        guard let account = try await lockAccount(line, on: db) else { throw CabinetError(BillingError.noAccount) }
        guard limit.currency == account.currency, !limit.isNegative else {
            throw CabinetError(BillingError.amountInvalid, arguments: ["amount": limit.amountString])
        }
        // What the company already paid for the line this month counts against the new limit.
        let month = monthStart(of: now, region: account.region)
        let covered =
            try await db.raw(
                """
                SELECT CAST(COALESCE(SUM(e.amount), 0) AS BIGINT) AS total
                FROM billing_entry e JOIN billing_transaction t ON t.id = e.transaction_id
                WHERE e.account_id = \(bind: account.id) AND e.at >= \(bind: month)
                  AND t.kind = \(bind: MovementKind.companyPaid.rawValue)
                """
            ).first()?.decode(column: "total", as: Int64.self) ?? 0
        try await db.raw(
            """
            INSERT INTO billing_cover (subscriber_id, cover_limit, month_start, covered)
            VALUES (\(bind: line.rawValue), \(bind: limit.minorUnits), \(bind: month), \(bind: max(0, covered)))
            ON CONFLICT (subscriber_id) DO UPDATE SET cover_limit = excluded.cover_limit,
                month_start = excluded.month_start, covered = excluded.covered
            """
        ).run()
    }
}
