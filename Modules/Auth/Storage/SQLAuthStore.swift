public import Auth
public import CabinetCore
import CabinetMessaging
public import CabinetStorage
public import Foundation
import SQLKit

/// Auth's tables over the SQL layer. Every method is one transaction; limits and one-time use are decided inside it,
/// with a per-key row lock on PostgreSQL (SQLite's single writer serialises anyway).
public struct SQLAuthStore: AuthStore {
    let database: CabinetDatabase
    /// Called after a transaction that queued a message commits (wakes the outbox worker).
    let messagesQueued: @Sendable () -> Void
    /// Sessions by token hash, when this process alone writes the database: every request looks its session up.
    let sessionCache: ReadCache<String, AuthSession>?
    /// On PostgreSQL, sessions decoded before, used when their row's version has not moved.
    let decodedSessions: DecodedSessions?

    public init(database: CabinetDatabase, messagesQueued: @escaping @Sendable () -> Void = {}) {
        self.database = database
        self.messagesQueued = messagesQueued
        self.sessionCache = database.cache("auth.sessions")
        self.decodedSessions = database.backend == .postgres ? DecodedSessions() : nil
    }

    var backend: CabinetDatabase.Backend { database.backend }

    /// Serialises work on one key (a number, an address) across concurrent transactions.
    func lock(_ key: String, on db: any SQLDatabase) async throws {
        try await db.raw("INSERT INTO auth_key_lock (key) VALUES (\(bind: key)) ON CONFLICT (key) DO NOTHING").run()
        if backend == .postgres {
            try await db.raw("SELECT key FROM auth_key_lock WHERE key = \(bind: key) FOR UPDATE").run()
        }
    }

    /// Queues a message in the outbox inside the current transaction.
    static func enqueue(_ message: OutgoingText, on db: any SQLDatabase, now: Date) async throws {
        switch message.to {
        case .phone(let msisdn):
            try await Outbox.enqueue(
                OutgoingSMS(to: msisdn, text: message.text, purpose: message.purpose, sensitive: message.sensitive),
                on: db, now: now)
        case .email(let address):
            try await Outbox.enqueue(
                MailMessage(
                    to: address, subject: message.subject ?? "", textBody: message.text,
                    purpose: message.purpose, sensitive: message.sensitive),
                on: db, now: now)
        }
    }

    // MARK: Codes

    public func requestCode(_ request: CodeRequest) async throws -> CodeRequestOutcome {
        let now = request.now.storageMilliseconds
        let limits = request.limits
        let outcome = try await database.write { db -> CodeRequestOutcome in
            try await lock("send:" + request.key, on: db)
            let hourAgo = now - 3_600_000
            let dayAgo = now - 86_400_000
            let row = try await db.raw(
                """
                SELECT MAX(at) AS last,
                       SUM(CASE WHEN at > \(bind: hourAgo) THEN 1 ELSE 0 END) AS hour_count,
                       MIN(CASE WHEN at > \(bind: hourAgo) THEN at END) AS hour_first,
                       COUNT(*) AS day_count, MIN(at) AS day_first
                FROM auth_rate_event WHERE scope = 'send' AND key = \(bind: request.key) AND at > \(bind: dayAgo)
                """
            ).first()
            let last = try row?.decode(column: "last", as: Int64?.self)
            let hourCount = try row?.decode(column: "hour_count", as: Int64?.self) ?? 0
            let hourFirst = try row?.decode(column: "hour_first", as: Int64?.self)
            let dayCount = try row?.decode(column: "day_count", as: Int64?.self) ?? 0
            let dayFirst = try row?.decode(column: "day_first", as: Int64?.self)
            let resendMs = Int64(limits.resendInterval.timeInterval * 1000)
            if let last, now - last < resendMs {
                return .refused(
                    AuthError.tooMany(AuthError.codeTooSoon, retryAfter: Self.seconds(last + resendMs - now)))
            }
            if dayCount >= limits.maxPerDay, let dayFirst {
                return .refused(
                    AuthError.tooMany(AuthError.codeDailyLimit, retryAfter: Self.seconds(dayFirst + 86_400_000 - now)))
            }
            if hourCount >= limits.maxPerHour, let hourFirst {
                return .refused(
                    AuthError.tooMany(AuthError.codeHourlyLimit, retryAfter: Self.seconds(hourFirst + 3_600_000 - now)))
            }
            if let address = request.clientAddress {
                try await lock("send-ip:" + address, on: db)
                let ipRow = try await db.raw(
                    """
                    SELECT COUNT(*) AS n, MIN(at) AS first FROM auth_rate_event
                    WHERE scope = 'send-ip' AND key = \(bind: address) AND at > \(bind: hourAgo)
                    """
                ).first()
                if try ipRow?.decode(column: "n", as: Int64.self) ?? 0 >= limits.maxPerAddressPerHour,
                    let first = try ipRow?.decode(column: "first", as: Int64?.self)
                {
                    return .refused(
                        AuthError.tooMany(AuthError.codeAddressLimit, retryAfter: Self.seconds(first + 3_600_000 - now))
                    )
                }
                try await db.raw(
                    "INSERT INTO auth_rate_event (scope, key, at) VALUES ('send-ip', \(bind: address), \(bind: now))"
                ).run()
            }
            try await db.raw(
                "INSERT INTO auth_rate_event (scope, key, at) VALUES ('send', \(bind: request.key), \(bind: now))"
            ).run()
            if let issue = request.issue {
                // Only the newest code counts.
                try await db.raw(
                    """
                    UPDATE auth_code SET status = 'superseded'
                    WHERE purpose = \(bind: request.purpose.rawValue) AND key = \(bind: request.key) AND status = 'active'
                    """
                ).run()
                try await db.raw(
                    """
                    INSERT INTO auth_code (purpose, key, subscriber_id, session_id, target, code_hash, created_at, expires_at)
                    VALUES (\(bind: request.purpose.rawValue), \(bind: request.key), \(bind: issue.subscriberID?.rawValue),
                            \(bind: issue.sessionID), \(bind: issue.target), \(bind: issue.codeHash), \(bind: now),
                            \(bind: issue.expiresAt.storageMilliseconds))
                    """
                ).run()
                if let message = issue.message {
                    try await Self.enqueue(message, on: db, now: request.now)
                }
            }
            return .accepted(nextAt: request.now.addingTimeInterval(limits.resendInterval.timeInterval))
        }
        if case .accepted = outcome, request.issue?.message != nil { messagesQueued() }
        return outcome
    }

    public func checkCode(_ check: CodeCheck) async throws -> CodeCheckOutcome {
        let now = check.now.storageMilliseconds
        return try await database.write { db -> CodeCheckOutcome in
            let outcome = try await checkCode(check, now: now, on: db)
            if case .valid = outcome {
            } else if var entry = check.failureJournal {
                entry.detail = "\(outcome)"
                try await Self.insertJournal(entry, on: db)
            }
            return outcome
        }
    }

    private func checkCode(_ check: CodeCheck, now: Int64, on db: any SQLDatabase) async throws -> CodeCheckOutcome {
        try await lock("send:" + check.key, on: db)
        let pair = try await Self.failure(factor: "otp", key: check.pairKey, on: db)
        if let until = pair.lockedUntil, until > check.now { return .locked(until: until) }
        if let address = check.clientAddress {
            let row = try await db.raw(
                """
                SELECT COUNT(*) AS n, MIN(at) AS first FROM auth_rate_event
                WHERE scope = 'verify-fail-ip' AND key = \(bind: address) AND at > \(bind: now - 3_600_000)
                """
            ).first()
            if try row?.decode(column: "n", as: Int64.self) ?? 0 >= check.maxFailuresPerAddressPerHour,
                let first = try row?.decode(column: "first", as: Int64?.self)
            {
                return .addressLimited(until: Date(storageMilliseconds: first + 3_600_000))
            }
        }
        let sessionFilter: SQLQueryString = check.sessionID.map { " AND session_id = \(bind: $0)" } ?? ""
        let code = try await db.raw(
            """
            SELECT id, subscriber_id, target, code_hash, created_at, expires_at, attempts FROM auth_code
            WHERE purpose = \(bind: check.purpose.rawValue) AND key = \(bind: check.key) AND status = 'active'\(sessionFilter)
            ORDER BY id DESC LIMIT 1
            """
        ).first()
        guard let code else {
            // Nothing to guess: only the address is counted, so nobody locks a number by typing codes at it.
            try await countAddressFailure(check, on: db, now: now)
            return .noCode
        }
        let id = try code.decode(column: "id", as: Int64.self)
        let attempts = try code.decode(column: "attempts", as: Int.self)
        let number = try await Self.failure(factor: "otp-number", key: check.key, on: db)
        if let until = number.lockedUntil, until > check.now,
            try code.decode(column: "created_at", as: Int64.self)
                < check.numberLockStart(until: until).storageMilliseconds
        {
            return .locked(until: until)
        }
        if try code.decode(column: "expires_at", as: Int64.self) <= now { return .expired }
        if attempts >= check.maxAttempts { return .exhausted }
        if ConstantTime.equals(try code.decode(column: "code_hash", as: String.self), check.codeHash) {
            try await db.raw("UPDATE auth_code SET status = 'used' WHERE id = \(bind: id)").run()
            try await db.raw(
                """
                DELETE FROM auth_failure WHERE (factor = 'otp' AND key = \(bind: check.pairKey))
                    OR (factor = 'otp-number' AND key = \(bind: check.key))
                """
            ).run()
            return .valid(
                subscriberID: try code.decode(column: "subscriber_id", as: Int64?.self).map { SubscriberID($0) },
                target: try code.decode(column: "target", as: String?.self))
        }
        let used = attempts + 1
        try await db.raw(
            """
            UPDATE auth_code SET attempts = \(bind: used),
                status = \(bind: used >= check.maxAttempts ? "exhausted" : "active") WHERE id = \(bind: id)
            """
        ).run()
        if let until = try await fail(check, on: db, now: now) { return .locked(until: until) }
        return .wrong(remaining: check.maxAttempts - used)
    }

    private func countAddressFailure(_ check: CodeCheck, on db: any SQLDatabase, now: Int64) async throws {
        guard let address = check.clientAddress else { return }
        try await db.raw(
            "INSERT INTO auth_rate_event (scope, key, at) VALUES ('verify-fail-ip', \(bind: address), \(bind: now))"
        ).run()
    }

    /// Counts a wrong code for the address, the number from this address, and the number from anywhere; returns the
    /// lock's end when this failure locked the number (from this address, or from everywhere at its higher ceiling).
    @discardableResult
    private func fail(_ check: CodeCheck, on db: any SQLDatabase, now: Int64) async throws -> Date? {
        try await countAddressFailure(check, on: db, now: now)
        let lockMs = Int64(check.lockDuration.timeInterval * 1000)
        let pair = try await Self.bumpFailure(factor: "otp", key: check.pairKey, now: now, on: db) { count in
            count >= check.maxFailuresBeforeLock ? now + lockMs : nil
        }
        let number = try await Self.bumpFailure(factor: "otp-number", key: check.key, now: now, on: db) { count in
            count >= check.maxFailuresPerNumber ? now + lockMs : nil
        }
        return [pair.lockedUntil, number.lockedUntil].compactMap { $0 }.max()
    }

    static func seconds(_ milliseconds: Int64) -> Int { Int((Double(milliseconds) / 1000).rounded(.up)) }

    // MARK: Failures

    static func failure(factor: String, key: String, on db: any SQLDatabase) async throws -> FailureState {
        guard
            let row = try await db.raw(
                """
                SELECT consecutive, last_failure_at, locked_until FROM auth_failure WHERE factor = \(bind: factor) AND key = \(bind: key)
                """
            ).first()
        else { return FailureState() }
        return FailureState(
            consecutive: try row.decode(column: "consecutive", as: Int.self),
            lastFailureAt: try row.decode(column: "last_failure_at", as: Int64?.self).map(
                Date.init(storageMilliseconds:)),
            lockedUntil: try row.decode(column: "locked_until", as: Int64?.self).map(Date.init(storageMilliseconds:)))
    }

    /// Increments the counter; when `lockUntil(count)` gives a time, the key is locked until then. After a lock has
    /// run out the count starts again.
    static func bumpFailure(factor: String, key: String, now: Int64, on db: any SQLDatabase, lockUntil: (Int) -> Int64?)
        async throws -> FailureState
    {
        let current = try await failure(factor: factor, key: key, on: db)
        let expired = current.lockedUntil.map { $0.storageMilliseconds <= now } ?? false
        let count = (expired ? 0 : current.consecutive) + 1
        let until = lockUntil(count)
        try await db.raw(
            """
            INSERT INTO auth_failure (factor, key, consecutive, last_failure_at, locked_until)
            VALUES (\(bind: factor), \(bind: key), \(bind: count), \(bind: now), \(bind: until))
            ON CONFLICT (factor, key) DO UPDATE SET consecutive = \(bind: count), last_failure_at = \(bind: now),
                locked_until = \(bind: until)
            """
        ).run()
        return FailureState(
            consecutive: count, lastFailureAt: Date(storageMilliseconds: now),
            lockedUntil: until.map(Date.init(storageMilliseconds:)))
    }

    public func failureState(factor: String, key: String) async throws -> FailureState {
        try await database.read { db in try await Self.failure(factor: factor, key: key, on: db) }
    }

    public func recordFailure(factor: String, key: String, now: Date, lockUntil: @escaping @Sendable (Int) -> Date?)
        async throws -> FailureState
    {
        try await database.write { db in
            try await lock("\(factor):\(key)", on: db)
            return try await Self.bumpFailure(factor: factor, key: key, now: now.storageMilliseconds, on: db) { count in
                lockUntil(count).map { min($0, Date(timeIntervalSince1970: 32_503_680_000)).storageMilliseconds }
            }
        }
    }

    public func clearFailures(factor: String, key: String) async throws {
        try await database.write { db in
            try await db.raw("DELETE FROM auth_failure WHERE factor = \(bind: factor) AND key = \(bind: key)").run()
        }
    }

    public func clearFailures(factor: String) async throws {
        try await database.write { db in
            try await db.raw("DELETE FROM auth_failure WHERE factor = \(bind: factor)").run()
        }
    }

    // MARK: Secrets

    public func passwordHash(of subscriber: SubscriberID) async throws -> String? {
        try await database.read { db in
            try await db.raw("SELECT hash FROM auth_password WHERE subscriber_id = \(bind: subscriber.rawValue)")
                .first()?
                .decode(column: "hash", as: String.self)
        }
    }

    public func setPassword(_ hash: String, for subscriber: SubscriberID, now: Date, maxChangesPerDay: Int?)
        async throws -> Bool
    {
        let at = now.storageMilliseconds
        return try await database.write { db in
            try await lock("password:\(subscriber.rawValue)", on: db)
            if let maxChangesPerDay {
                let changes =
                    try await db.raw(
                        """
                        SELECT COUNT(*) AS n FROM auth_password_change
                        WHERE subscriber_id = \(bind: subscriber.rawValue) AND at > \(bind: at - 86_400_000)
                        """
                    ).first()?.decode(column: "n", as: Int.self) ?? 0
                guard changes < maxChangesPerDay else { return false }
                try await db.raw(
                    "INSERT INTO auth_password_change (subscriber_id, at) VALUES (\(bind: subscriber.rawValue), \(bind: at))"
                ).run()
            }
            try await db.raw(
                """
                INSERT INTO auth_password (subscriber_id, hash, set_at) VALUES (\(bind: subscriber.rawValue), \(bind: hash), \(bind: at))
                ON CONFLICT (subscriber_id) DO UPDATE SET hash = \(bind: hash), set_at = \(bind: at)
                """
            ).run()
            return true
        }
    }

    public func pukHash(of subscriber: SubscriberID) async throws -> String? {
        try await database.read { db in
            try await db.raw("SELECT hash FROM auth_puk WHERE subscriber_id = \(bind: subscriber.rawValue)").first()?
                .decode(column: "hash", as: String.self)
        }
    }

    public func setPUK(_ hash: String, for subscriber: SubscriberID, now: Date) async throws {
        try await database.write { db in
            try await db.raw(
                """
                INSERT INTO auth_puk (subscriber_id, hash, set_at) VALUES (\(bind: subscriber.rawValue), \(bind: hash), \(bind: now.storageMilliseconds))
                ON CONFLICT (subscriber_id) DO UPDATE SET hash = \(bind: hash), set_at = \(bind: now.storageMilliseconds)
                """
            ).run()
        }
    }
}
