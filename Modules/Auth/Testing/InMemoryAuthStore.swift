public import Auth
public import CabinetCore
import CabinetStorage
public import CabinetTesting
public import Foundation

/// Auth's storage in memory, for domain tests: every requirement of ``AuthStore`` with the observable behaviour of
/// `SQLAuthStore` (the same limits, retry times, attempt counts, locks, directed links, one-time use and purge).
///
/// Each method runs on the actor without suspending, so it is as atomic as one SQL transaction. Instants are kept
/// as whole milliseconds, as the SQL tables keep them, and come back rounded the same way. Messages the SQL store
/// would write to the outbox are kept in order and read with ``messages(to:)``.
public actor InMemoryAuthStore: AuthStore {
    private enum CodeStatus { case active, used, superseded, exhausted }

    private struct CodeRow {
        let id: Int64
        let purpose: CodePurpose
        let key: String
        let subscriberID: SubscriberID?
        let sessionID: String?
        let target: String?
        let codeHash: String
        let createdAt: Int64
        let expiresAt: Int64
        var attempts: Int
        var status: CodeStatus
    }

    /// One counted event of a rate limit: `send` and `send-ip` (code requests), `verify-fail-ip` (wrong codes).
    private struct RateEvent {
        let scope: String
        let key: String
        let at: Int64
    }

    private struct FailureKey: Hashable {
        let factor: String
        let key: String
    }

    private struct FailureRow {
        var consecutive: Int
        var lastFailureAt: Int64?
        var lockedUntil: Int64?
    }

    private struct SecretRow {
        var hash: String
        var setAt: Int64
    }

    private struct PasswordChange {
        let subscriberID: SubscriberID
        let at: Int64
    }

    private struct SessionRow {
        var session: AuthSession
        let expiresAt: Int64
    }

    private struct DeviceRow {
        let subscriberID: SubscriberID
        let deviceHash: String
        let firstSeenAt: Int64
    }

    private struct LinkRow {
        let holder: SubscriberID
        let line: SubscriberID
        let createdAt: Int64
    }

    private struct DelegationRow {
        var delegation: Delegation
        let expiresAt: Int64
    }

    private struct SocialRow {
        let state: SocialState
        let expiresAt: Int64
    }

    private struct PushRow {
        var push: PushLogin
        let expiresAt: Int64
    }

    private struct EmailRow {
        var email: String
        var confirmedAt: Int64
    }

    private var codes: [CodeRow] = []
    private var rateEvents: [RateEvent] = []
    private var failures: [FailureKey: FailureRow] = [:]
    private var passwords: [SubscriberID: SecretRow] = [:]
    private var passwordChanges: [PasswordChange] = []
    private var puks: [SubscriberID: SecretRow] = [:]
    /// In the order they were opened.
    private var sessionRows: [SessionRow] = []
    private var devices: [DeviceRow] = []
    private var pushes: [String: PushRow] = [:]
    private var socialStates: [String: SocialRow] = [:]
    private var identityRows: [LinkedIdentity] = []
    private var emails: [SubscriberID: EmailRow] = [:]
    private var links: [LinkRow] = []
    /// By id, ascending.
    private var grantRows: [DelegationRow] = []
    /// By id, ascending.
    private var entries: [JournalEntry] = []
    /// By id, ascending.
    private var outbox: [QueuedMessage] = []
    private var lastCodeID: Int64 = 0
    private var lastDelegationID: Int64 = 0
    private var lastJournalID: Int64 = 0
    private var lastMessageID: Int64 = 0

    private static let hour: Int64 = 3_600_000
    private static let day: Int64 = 86_400_000

    public init() {}

    // MARK: Outgoing messages

    /// The messages queued to a number (E.164) or an e-mail address, oldest first.
    public func messages(to recipient: String) -> [QueuedMessage] {
        outbox.filter { $0.recipient == recipient }
    }

    /// Every message queued, oldest first.
    public var allMessages: [QueuedMessage] { outbox }

    /// Queues a message as `SQLAuthStore` writes it into the outbox.
    private func enqueue(_ message: OutgoingText, now: Date) {
        lastMessageID += 1
        let createdAt = Self.stored(now)
        switch message.to {
        case .phone(let msisdn):
            outbox.append(
                QueuedMessage(
                    id: lastMessageID, channel: "sms", recipient: msisdn.e164, subject: nil, body: message.text,
                    purpose: message.purpose, createdAt: createdAt))
        case .email(let address):
            outbox.append(
                QueuedMessage(
                    id: lastMessageID, channel: "email", recipient: address, subject: message.subject ?? "",
                    body: message.text, purpose: message.purpose, createdAt: createdAt))
        }
    }

    /// An instant as it comes back from storage: whole milliseconds.
    private static func stored(_ date: Date) -> Date { Date(storageMilliseconds: date.storageMilliseconds) }

    private static func date(_ milliseconds: Int64) -> Date { Date(storageMilliseconds: milliseconds) }

    /// Whole seconds until a retry, rounded up (as the SQL store reports them).
    private static func seconds(_ milliseconds: Int64) -> Int { Int((Double(milliseconds) / 1000).rounded(.up)) }

    // MARK: Codes

    public func requestCode(_ request: CodeRequest) async throws -> CodeRequestOutcome {
        let now = request.now.storageMilliseconds
        let limits = request.limits
        let hourAgo = now - Self.hour
        let dayAgo = now - Self.day
        let day = rateEvents.filter { $0.scope == "send" && $0.key == request.key && $0.at > dayAgo }.map(\.at)
        let hour = day.filter { $0 > hourAgo }
        let resend = Int64(limits.resendInterval.timeInterval * 1000)
        if let last = day.max(), now - last < resend {
            return .refused(AuthError.tooMany(AuthError.codeTooSoon, retryAfter: Self.seconds(last + resend - now)))
        }
        if day.count >= limits.maxPerDay, let first = day.min() {
            return .refused(
                AuthError.tooMany(AuthError.codeDailyLimit, retryAfter: Self.seconds(first + Self.day - now)))
        }
        if hour.count >= limits.maxPerHour, let first = hour.min() {
            return .refused(
                AuthError.tooMany(AuthError.codeHourlyLimit, retryAfter: Self.seconds(first + Self.hour - now)))
        }
        if let address = request.clientAddress {
            let fromAddress = rateEvents.filter { $0.scope == "send-ip" && $0.key == address && $0.at > hourAgo }.map(
                \.at)
            if fromAddress.count >= limits.maxPerAddressPerHour, let first = fromAddress.min() {
                return .refused(
                    AuthError.tooMany(AuthError.codeAddressLimit, retryAfter: Self.seconds(first + Self.hour - now)))
            }
            rateEvents.append(RateEvent(scope: "send-ip", key: address, at: now))
        }
        rateEvents.append(RateEvent(scope: "send", key: request.key, at: now))
        if let issue = request.issue {
            // Only the newest code counts.
            for index in codes.indices
            where codes[index].purpose == request.purpose && codes[index].key == request.key
                && codes[index].status == .active
            {
                codes[index].status = .superseded
            }
            lastCodeID += 1
            codes.append(
                CodeRow(
                    id: lastCodeID, purpose: request.purpose, key: request.key, subscriberID: issue.subscriberID,
                    sessionID: issue.sessionID,
                    target: issue.target, codeHash: issue.codeHash, createdAt: now,
                    expiresAt: issue.expiresAt.storageMilliseconds,
                    attempts: 0, status: .active))
            if let message = issue.message { enqueue(message, now: request.now) }
        }
        return .accepted(nextAt: request.now.addingTimeInterval(limits.resendInterval.timeInterval))
    }

    public func checkCode(_ check: CodeCheck) async throws -> CodeCheckOutcome {
        let outcome = checkCode(check, now: check.now.storageMilliseconds)
        if case .valid = outcome {
        } else if var entry = check.failureJournal {
            entry.detail = "\(outcome)"
            insertJournal(entry)
        }
        return outcome
    }

    private func checkCode(_ check: CodeCheck, now: Int64) -> CodeCheckOutcome {
        let pair = failureState(FailureKey(factor: "otp", key: check.pairKey))
        if let until = pair.lockedUntil, until > check.now { return .locked(until: until) }
        if let address = check.clientAddress {
            let failed = rateEvents.filter {
                $0.scope == "verify-fail-ip" && $0.key == address && $0.at > now - Self.hour
            }.map(\.at)
            if failed.count >= check.maxFailuresPerAddressPerHour, let first = failed.min() {
                return .addressLimited(until: Self.date(first + Self.hour))
            }
        }
        guard
            let index = codes.lastIndex(where: {
                $0.purpose == check.purpose && $0.key == check.key && $0.status == .active
                    && (check.sessionID == nil || $0.sessionID == check.sessionID)
            })
        else {
            countAddressFailure(check, now: now)
            return .noCode
        }
        let code = codes[index]
        let number = failureState(FailureKey(factor: "otp-number", key: check.key))
        if let until = number.lockedUntil, until > check.now,
            code.createdAt < check.numberLockStart(until: until).storageMilliseconds
        {
            return .locked(until: until)
        }
        if code.expiresAt <= now { return .expired }
        if code.attempts >= check.maxAttempts { return .exhausted }
        if ConstantTime.equals(code.codeHash, check.codeHash) {
            codes[index].status = .used
            failures[FailureKey(factor: "otp", key: check.pairKey)] = nil
            failures[FailureKey(factor: "otp-number", key: check.key)] = nil
            return .valid(subscriberID: code.subscriberID, target: code.target)
        }
        let used = code.attempts + 1
        codes[index].attempts = used
        codes[index].status = used >= check.maxAttempts ? .exhausted : .active
        if let until = fail(check, now: now) { return .locked(until: until) }
        return .wrong(remaining: check.maxAttempts - used)
    }

    private func countAddressFailure(_ check: CodeCheck, now: Int64) {
        if let address = check.clientAddress {
            rateEvents.append(RateEvent(scope: "verify-fail-ip", key: address, at: now))
        }
    }

    /// Counts a wrong code as `SQLAuthStore` does: the address, the number from this address, the number.
    @discardableResult
    private func fail(_ check: CodeCheck, now: Int64) -> Date? {
        countAddressFailure(check, now: now)
        let lock = Int64(check.lockDuration.timeInterval * 1000)
        let pair = bumpFailure(FailureKey(factor: "otp", key: check.pairKey), now: now) { count in
            count >= check.maxFailuresBeforeLock ? now + lock : nil
        }
        let number = bumpFailure(FailureKey(factor: "otp-number", key: check.key), now: now) { count in
            count >= check.maxFailuresPerNumber ? now + lock : nil
        }
        return [pair.lockedUntil, number.lockedUntil].compactMap { $0 }.max()
    }

    // MARK: Failures

    private func failureState(_ key: FailureKey) -> FailureState {
        guard let row = failures[key] else { return FailureState() }
        return FailureState(
            consecutive: row.consecutive, lastFailureAt: row.lastFailureAt.map(Self.date),
            lockedUntil: row.lockedUntil.map(Self.date))
    }

    /// Increments the counter; when `lockUntil(count)` gives a time, the key is locked until then. After a lock has
    /// run out the count starts again.
    private func bumpFailure(_ key: FailureKey, now: Int64, lockUntil: (Int) -> Int64?) -> FailureState {
        let current = failureState(key)
        let expired = current.lockedUntil.map { $0.storageMilliseconds <= now } ?? false
        let count = (expired ? 0 : current.consecutive) + 1
        let until = lockUntil(count)
        failures[key] = FailureRow(consecutive: count, lastFailureAt: now, lockedUntil: until)
        return FailureState(consecutive: count, lastFailureAt: Self.date(now), lockedUntil: until.map(Self.date))
    }

    public func failureState(factor: String, key: String) async throws -> FailureState {
        failureState(FailureKey(factor: factor, key: key))
    }

    public func recordFailure(factor: String, key: String, now: Date, lockUntil: @escaping @Sendable (Int) -> Date?)
        async throws -> FailureState
    {
        bumpFailure(FailureKey(factor: factor, key: key), now: now.storageMilliseconds) { count in
            // The SQL store keeps "for ever" as the year 3000.
            lockUntil(count).map { min($0, Date(timeIntervalSince1970: 32_503_680_000)).storageMilliseconds }
        }
    }

    public func clearFailures(factor: String, key: String) async throws {
        failures[FailureKey(factor: factor, key: key)] = nil
    }

    public func clearFailures(factor: String) async throws {
        failures = failures.filter { $0.key.factor != factor }
    }

    // MARK: Credentials

    public func passwordHash(of subscriber: SubscriberID) async throws -> String? { passwords[subscriber]?.hash }

    public func setPassword(_ hash: String, for subscriber: SubscriberID, now: Date, maxChangesPerDay: Int?)
        async throws -> Bool
    {
        let at = now.storageMilliseconds
        if let maxChangesPerDay {
            let changes = passwordChanges.count { $0.subscriberID == subscriber && $0.at > at - Self.day }
            guard changes < maxChangesPerDay else { return false }
            passwordChanges.append(PasswordChange(subscriberID: subscriber, at: at))
        }
        passwords[subscriber] = SecretRow(hash: hash, setAt: at)
        return true
    }

    public func pukHash(of subscriber: SubscriberID) async throws -> String? { puks[subscriber]?.hash }

    public func setPUK(_ hash: String, for subscriber: SubscriberID, now: Date) async throws {
        puks[subscriber] = SecretRow(hash: hash, setAt: now.storageMilliseconds)
    }

    public func identity(provider: String, subject: String) async throws -> LinkedIdentity? {
        identityRows.first { $0.provider == provider && $0.subject == subject }
    }

    public func identities(of subscriber: SubscriberID) async throws -> [LinkedIdentity] {
        identityRows.filter { $0.subscriberID == subscriber }.sorted { $0.provider < $1.provider }
    }

    public func linkIdentity(_ identity: LinkedIdentity) async throws -> Bool {
        // One line per subject of a provider, one subject of a provider per line.
        guard
            !identityRows.contains(where: {
                $0.provider == identity.provider
                    && ($0.subject == identity.subject || $0.subscriberID == identity.subscriberID)
            })
        else { return false }
        var stored = identity
        stored.linkedAt = Self.stored(identity.linkedAt)
        identityRows.append(stored)
        return true
    }

    public func unlinkIdentity(provider: String, subscriber: SubscriberID) async throws -> Bool {
        let before = identityRows.count
        identityRows.removeAll { $0.provider == provider && $0.subscriberID == subscriber }
        return identityRows.count < before
    }

    public func confirmedEmail(of subscriber: SubscriberID) async throws -> String? { emails[subscriber]?.email }

    public func confirmEmail(_ email: String, for subscriber: SubscriberID, now: Date) async throws {
        emails[subscriber] = EmailRow(email: email, confirmedAt: now.storageMilliseconds)
    }

    // MARK: Sessions

    /// A session as it comes back from storage: instants in whole milliseconds, the client without its language.
    private static func storedSession(_ session: AuthSession) -> AuthSession {
        var stored = session
        stored.createdAt = Self.stored(session.createdAt)
        stored.lastSeenAt = Self.stored(session.lastSeenAt)
        stored.expiresAt = Self.stored(session.expiresAt)
        stored.steppedUpAt = session.steppedUpAt.map(Self.stored)
        stored.idleTimeout = .milliseconds(Int64(session.idleTimeout.timeInterval * 1000))
        stored.client = ClientInfo(
            address: session.client.address, userAgent: session.client.userAgent,
            deviceID: session.client.deviceID)
        return stored
    }

    public func insertSession(_ session: AuthSession) async throws {
        guard !sessionRows.contains(where: { $0.session.id == session.id || $0.session.tokenHash == session.tokenHash })
        else {
            throw CabinetError.internal("auth session \(session.id) exists")
        }
        sessionRows.append(
            SessionRow(session: Self.storedSession(session), expiresAt: session.expiresAt.storageMilliseconds))
    }

    public func session(tokenHash: String) async throws -> AuthSession? {
        sessionRows.first { $0.session.tokenHash == tokenHash }?.session
    }

    public func session(id: String) async throws -> AuthSession? {
        sessionRows.first { $0.session.id == id }?.session
    }

    public func sessions(of subscriber: SubscriberID) async throws -> [AuthSession] {
        sessionRows.filter { $0.session.subscriberID == subscriber }.map(\.session)
    }

    public func updateSession(_ session: AuthSession) async throws {
        guard let index = sessionRows.firstIndex(where: { $0.session.id == session.id }) else { return }
        guard !sessionRows.contains(where: { $0.session.id != session.id && $0.session.tokenHash == session.tokenHash })
        else {
            throw CabinetError.internal("auth session token of \(session.id) is taken")
        }
        let changes = Self.storedSession(session)
        sessionRows[index].session.tokenHash = changes.tokenHash
        sessionRows[index].session.actingSubscriberID = changes.actingSubscriberID
        sessionRows[index].session.lastSeenAt = changes.lastSeenAt
        sessionRows[index].session.steppedUpAt = changes.steppedUpAt
        sessionRows[index].session.steppedUpFor = changes.steppedUpFor
        sessionRows[index].session.passwordRequired = changes.passwordRequired
    }

    public func deleteSession(id: String) async throws {
        sessionRows.removeAll { $0.session.id == id }
    }

    public func deleteSessions(of subscriber: SubscriberID, except keeping: String?) async throws -> Int {
        let before = sessionRows.count
        sessionRows.removeAll { $0.session.subscriberID == subscriber && $0.session.id != (keeping ?? "") }
        return before - sessionRows.count
    }

    public func rememberDevice(_ deviceHash: String, for subscriber: SubscriberID, now: Date) async throws
        -> DeviceOutcome
    {
        let known = devices.filter { $0.subscriberID == subscriber }.map(\.deviceHash)
        if known.contains(deviceHash) { return .known }
        devices.append(
            DeviceRow(subscriberID: subscriber, deviceHash: deviceHash, firstSeenAt: now.storageMilliseconds))
        return known.isEmpty ? .first : .new
    }

    public func insertPush(_ push: PushLogin) async throws {
        guard pushes[push.id] == nil else { throw CabinetError.internal("push login \(push.id) exists") }
        var stored = push
        stored.createdAt = Self.stored(push.createdAt)
        stored.expiresAt = Self.stored(push.expiresAt)
        pushes[push.id] = PushRow(push: stored, expiresAt: push.expiresAt.storageMilliseconds)
    }

    public func push(id: String) async throws -> PushLogin? { pushes[id]?.push }

    public func resolvePush(id: String, to status: PushLogin.Status, now: Date) async throws -> Bool {
        guard let row = pushes[id], row.push.status == .pending, row.push.subscriberID != nil,
            row.expiresAt > now.storageMilliseconds
        else { return false }
        pushes[id]?.push.status = status
        return true
    }

    public func usePush(id: String, now: Date) async throws -> Bool {
        guard let row = pushes[id], row.push.status == .confirmed, row.push.expiresAt > now else { return false }
        pushes[id]?.push.status = .used
        return true
    }

    public func saveSocialState(_ state: SocialState) async throws {
        guard socialStates[state.state] == nil else { throw CabinetError.internal("social state exists") }
        var stored = state
        stored.expiresAt = Self.stored(state.expiresAt)
        socialStates[state.state] = SocialRow(state: stored, expiresAt: state.expiresAt.storageMilliseconds)
    }

    public func takeSocialState(_ state: String, now: Date) async throws -> SocialState? {
        guard let row = socialStates.removeValue(forKey: state), row.state.expiresAt > now else { return nil }
        return row.state
    }

    // MARK: Linked numbers

    private func ordered(_ rows: [LinkRow]) -> [LinkRow] {
        rows.sorted {
            ($0.createdAt, $0.line.rawValue, $0.holder.rawValue) < ($1.createdAt, $1.line.rawValue, $1.holder.rawValue)
        }
    }

    public func linkedLines(of holder: SubscriberID) async throws -> [SubscriberID] {
        ordered(links.filter { $0.holder == holder }).map(\.line)
    }

    public func linkHolders(of line: SubscriberID) async throws -> [SubscriberID] {
        links.filter { $0.line == line }
            .sorted { ($0.createdAt, $0.holder.rawValue) < ($1.createdAt, $1.holder.rawValue) }.map(\.holder)
    }

    public func link(_ line: SubscriberID, to holder: SubscriberID, limit: Int, now: Date) async throws -> LinkOutcome {
        let held = links.filter { $0.holder == holder }
        if held.contains(where: { $0.line == line }) { return .alreadyLinked }
        if held.count >= limit { return .limitReached }
        links.append(LinkRow(holder: holder, line: line, createdAt: now.storageMilliseconds))
        return .linked
    }

    public func unlink(_ line: SubscriberID, from holder: SubscriberID) async throws -> Bool {
        let before = links.count
        links.removeAll { $0.holder == holder && $0.line == line }
        return before - links.count == 1
    }

    public func dropLinks(of line: SubscriberID) async throws -> [SubscriberID] {
        var partners: [SubscriberID] = []
        for row in ordered(links) where row.holder == line || row.line == line {
            let other = row.holder == line ? row.line : row.holder
            if !partners.contains(other) { partners.append(other) }
        }
        links.removeAll { $0.holder == line || $0.line == line }
        return partners
    }

    // MARK: Delegations

    public func grant(
        owner: SubscriberID, ownerMSISDN: MSISDN, grantee: MSISDN, scopes: Set<AccessScope>, expiresAt: Date,
        now: Date, messages: [OutgoingText]
    ) async throws -> Delegation {
        // A new grant to the same number replaces the old one.
        for index in grantRows.indices
        where grantRows[index].delegation.ownerID == owner && grantRows[index].delegation.grantee.e164 == grantee.e164
            && grantRows[index].delegation.revokedAt == nil
        {
            grantRows[index].delegation.revokedAt = Self.stored(now)
        }
        lastDelegationID += 1
        let delegation = Delegation(
            id: lastDelegationID, ownerID: owner, ownerMSISDN: ownerMSISDN, grantee: grantee, scopes: scopes,
            createdAt: Self.stored(now), expiresAt: Self.stored(expiresAt), revokedAt: nil)
        grantRows.append(DelegationRow(delegation: delegation, expiresAt: expiresAt.storageMilliseconds))
        for message in messages { enqueue(message, now: now) }
        return delegation
    }

    /// Reads, asks for the messages, then revokes if nobody did meanwhile, as the SQL store does (the caller's
    /// closure runs off the actor).
    public nonisolated func revoke(
        delegation id: Int64, owners: [SubscriberID], now: Date,
        messages: (Delegation) -> [OutgoingText]
    ) async throws -> Delegation? {
        guard let current = await delegation(id: id), owners.contains(current.ownerID), current.revokedAt == nil else {
            return nil
        }
        let notes = messages(current)
        guard await markRevoked(id: id, now: now, messages: notes) else { return nil }
        var result = current
        result.revokedAt = now
        return result
    }

    private func delegation(id: Int64) -> Delegation? {
        grantRows.first { $0.delegation.id == id }?.delegation
    }

    private func markRevoked(id: Int64, now: Date, messages: [OutgoingText]) -> Bool {
        guard let index = grantRows.firstIndex(where: { $0.delegation.id == id && $0.delegation.revokedAt == nil })
        else {
            return false
        }
        grantRows[index].delegation.revokedAt = Self.stored(now)
        for message in messages { enqueue(message, now: now) }
        return true
    }

    public func delegations(owners: [SubscriberID]) async throws -> [Delegation] {
        Array(grantRows.reversed().lazy.filter { owners.contains($0.delegation.ownerID) }.map(\.delegation).prefix(200))
    }

    /// Not revoked and not expired at `now` (to the millisecond, as stored).
    private func isActive(_ row: DelegationRow, now: Date) -> Bool {
        row.delegation.revokedAt == nil && row.expiresAt > now.storageMilliseconds
    }

    public func delegations(grantee: MSISDN, now: Date) async throws -> [Delegation] {
        grantRows.reversed().filter { $0.delegation.grantee.e164 == grantee.e164 && isActive($0, now: now) }.map(
            \.delegation)
    }

    public func activeDelegation(owner: SubscriberID, grantee: MSISDN, now: Date) async throws -> Delegation? {
        grantRows.last {
            $0.delegation.ownerID == owner && $0.delegation.grantee.e164 == grantee.e164 && isActive($0, now: now)
        }?.delegation
    }

    // MARK: Journal

    private func insertJournal(_ entry: JournalEntry) {
        lastJournalID += 1
        entries.append(
            JournalEntry(
                id: lastJournalID, subscriberID: entry.subscriberID, msisdn: entry.msisdn, at: Self.stored(entry.at),
                event: entry.event,
                method: entry.method,
                client: ClientInfo(address: entry.client.address, userAgent: entry.client.userAgent),
                detail: entry.detail))
    }

    public func record(_ entry: JournalEntry, message: OutgoingText?) async throws {
        insertJournal(entry)
        if let message { enqueue(message, now: entry.at) }
    }

    public func journal(of subscriber: SubscriberID, before cursor: Int64?, limit: Int) async throws -> [JournalEntry] {
        let cursor = cursor ?? Int64.max
        return Array(
            entries.reversed().lazy.filter { $0.subscriberID == subscriber && ($0.id ?? 0) < cursor }.prefix(
                max(limit, 0)))
    }

    // MARK: Housekeeping

    public func purgeExpired(now: Date) async throws -> Int {
        let at = now.storageMilliseconds
        var removed = 0
        func purge<Row>(_ rows: inout [Row], where expired: (Row) -> Bool) {
            let before = rows.count
            rows.removeAll(where: expired)
            removed += before - rows.count
        }
        purge(&sessionRows) { $0.expiresAt < at }
        purge(&codes) { $0.expiresAt < at - Self.day }
        purge(&rateEvents) { $0.at < at - 2 * Self.day }
        let states = socialStates.count
        socialStates = socialStates.filter { $0.value.expiresAt >= at }
        removed += states - socialStates.count
        let pending = pushes.count
        pushes = pushes.filter { $0.value.expiresAt >= at - Self.day }
        removed += pending - pushes.count
        purge(&passwordChanges) { $0.at < at - 2 * Self.day }
        return removed
    }
}
