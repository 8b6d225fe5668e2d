import Auth
import AuthTesting
import CabinetCore
import CabinetStorage
import CabinetTesting
import Foundation
import Testing

/// What every ``AuthStore`` promises, checked on the SQL stores and the in-memory one alike, so domain tests on the
/// in-memory store mean what they mean on SQL.
@Suite struct AuthStoreContractTests {
    let limits = SendLimits(resendInterval: .seconds(60), maxPerHour: 3, maxPerDay: 4, maxPerAddressPerHour: 5)
    let owner = SubscriberID(1)
    let grantee = SubscriberID(2)

    func msisdn(_ text: String) throws -> MSISDN { try #require(MSISDN(e164: text)) }

    func request(
        _ key: String, at now: Date, address: String? = nil, hash: String? = "h1", session: String? = nil,
        message: OutgoingText? = nil
    ) -> CodeRequest {
        CodeRequest(
            purpose: .login, key: key, clientAddress: address, limits: limits, now: now,
            issue: hash.map {
                CodeIssue(
                    subscriberID: owner, sessionID: session, target: "t", codeHash: $0,
                    expiresAt: now.addingTimeInterval(600), message: message)
            })
    }

    func check(
        _ key: String, hash: String, at now: Date, address: String? = nil, session: String? = nil,
        failures: Int = 6, perNumber: Int = 100
    ) -> CodeCheck {
        CodeCheck(
            purpose: .login, key: key, sessionID: session, codeHash: hash, now: now, maxAttempts: 3,
            maxFailuresBeforeLock: failures, maxFailuresPerNumber: perNumber, lockDuration: .seconds(3600),
            clientAddress: address, maxFailuresPerAddressPerHour: 4)
    }

    /// "code seconds" of a refusal, `nil` when accepted.
    func retry(_ outcome: CodeRequestOutcome) -> String? {
        guard case .refused(let error) = outcome else { return nil }
        return "\(error.code.rawValue) \(error.retryAfterSeconds.map(String.init) ?? "-")"
    }

    @Test(arguments: AuthTestBed.Backend.all)
    func codeRequestsAreLimitedAndRefusalsAreNotCounted(_ backend: AuthTestBed.Backend) async throws {
        try await AuthTestBed.with(backend) { bed async throws in
            let store = bed.store
            let start = bed.clock.now
            let text = OutgoingText(to: .phone(try msisdn("+79001234567")), text: "код 123456", purpose: "auth.otp")
            #expect(
                try await store.requestCode(request("k", at: start, message: text))
                    == .accepted(nextAt: start.addingTimeInterval(60)))
            #expect(
                retry(try await store.requestCode(request("k", at: start.addingTimeInterval(20.5))))
                    == "\(AuthError.codeTooSoon.rawValue) \(40)")
            // Counting only (no code): still a request.
            _ = try await store.requestCode(request("k", at: start.addingTimeInterval(60), hash: nil))
            _ = try await store.requestCode(request("k", at: start.addingTimeInterval(120)))
            #expect(
                retry(try await store.requestCode(request("k", at: start.addingTimeInterval(180))))
                    == "\(AuthError.codeHourlyLimit.rawValue) \(3420)")
            _ = try await store.requestCode(request("k", at: start.addingTimeInterval(3601)))
            #expect(
                retry(try await store.requestCode(request("k", at: start.addingTimeInterval(3700))))
                    == "\(AuthError.codeDailyLimit.rawValue) \(86_400 - 3700)")
            #expect(try await bed.messages(to: "+79001234567").map(\.body) == ["код 123456"])

            // Per address, across keys; a refusal by address is not counted for the key.
            for n in 1...5 {
                _ = try await store.requestCode(request("a\(n)", at: start, address: "10.1.1.1"))
            }
            #expect(
                retry(try await store.requestCode(request("a6", at: start.addingTimeInterval(10), address: "10.1.1.1")))
                    == "\(AuthError.codeAddressLimit.rawValue) \(3590)")
            #expect(
                try await store.requestCode(request("a6", at: start.addingTimeInterval(11), address: "10.1.1.2"))
                    == .accepted(nextAt: start.addingTimeInterval(71)))
        }
    }

    @Test(arguments: AuthTestBed.Backend.all)
    func codesAreCheckedOnceAndWrongOnesCount(_ backend: AuthTestBed.Backend) async throws {
        try await AuthTestBed.with(backend) { bed async throws in
            let store = bed.store
            let now = bed.clock.now
            _ = try await store.requestCode(request("k", at: now, hash: "old"))
            _ = try await store.requestCode(request("k", at: now.addingTimeInterval(60), hash: "new"))
            #expect(
                try await store.checkCode(check("k", hash: "old", at: now.addingTimeInterval(61)))
                    == .wrong(remaining: 2))
            #expect(
                try await store.checkCode(check("k", hash: "new", at: now.addingTimeInterval(62)))
                    == .valid(subscriberID: owner, target: "t"))
            #expect(try await store.checkCode(check("k", hash: "new", at: now.addingTimeInterval(63))) == .noCode)
            #expect(
                try await store.failureState(factor: "otp", key: "k|-") == FailureState(),
                "cleared by the right code; a try when there is no code is not counted against the number")
            #expect(try await store.failureState(factor: "otp-number", key: "k") == FailureState())

            // A code bound to a session: another session sees no code; three wrong tries kill it.
            _ = try await store.requestCode(request("s", at: now, hash: "bound", session: "session-a"))
            #expect(try await store.checkCode(check("s", hash: "bound", at: now, session: "session-b")) == .noCode)
            #expect(
                try await store.checkCode(check("s", hash: "x", at: now, session: "session-a")) == .wrong(remaining: 2))
            #expect(
                try await store.checkCode(check("s", hash: "x", at: now, session: "session-a")) == .wrong(remaining: 1))
            #expect(
                try await store.checkCode(check("s", hash: "x", at: now, session: "session-a")) == .wrong(remaining: 0))
            #expect(try await store.checkCode(check("s", hash: "bound", at: now, session: "session-a")) == .noCode)
            #expect(try await store.failureState(factor: "otp", key: "s|-").consecutive == 3)
            #expect(try await store.failureState(factor: "otp-number", key: "s").consecutive == 3)

            // Expired: no failure counted.
            _ = try await store.requestCode(request("e", at: now, hash: "late"))
            #expect(try await store.checkCode(check("e", hash: "late", at: now.addingTimeInterval(600))) == .expired)
            #expect(try await store.failureState(factor: "otp", key: "e|-") == FailureState())

            // The lock comes with the failure that reaches the limit, and ends after its duration.
            _ = try await store.requestCode(request("l", at: now, hash: "right"))
            #expect(try await store.checkCode(check("l", hash: "x", at: now, failures: 2)) == .wrong(remaining: 2))
            let until = Date(storageMilliseconds: now.addingTimeInterval(3600).storageMilliseconds)
            #expect(try await store.checkCode(check("l", hash: "x", at: now, failures: 2)) == .locked(until: until))
            #expect(
                try await store.checkCode(check("l", hash: "right", at: now.addingTimeInterval(3599), failures: 2))
                    == .locked(until: until))
            #expect(
                try await store.checkCode(check("l", hash: "right", at: now.addingTimeInterval(3600), failures: 2))
                    == .expired)
        }
    }

    /// A stranger cannot lock the owner's number: tries when no code exists count only against the address; wrong
    /// codes lock the number from the stranger's address; from many addresses, the number's ceiling stops the codes
    /// sent until then, and a code the owner asks for after that works.
    @Test(arguments: AuthTestBed.Backend.all)
    func strangersCannotLockTheOwnerOut(_ backend: AuthTestBed.Backend) async throws {
        try await AuthTestBed.with(backend) { bed async throws in
            let store = bed.store
            let now = bed.clock.now
            for n in 0..<30 {
                let address = "10.3.0.\(n / 4)"
                #expect(
                    try await store.checkCode(check("m", hash: "x", at: now, address: address, failures: 2)) == .noCode)
            }
            _ = try await store.requestCode(request("m", at: now, hash: "owner"))
            #expect(
                try await store.checkCode(check("m", hash: "owner", at: now, address: "10.9.9.9", failures: 2))
                    == .valid(subscriberID: owner, target: "t"))

            // Two wrong codes from one address lock that address out of the number; the owner elsewhere goes on.
            let until = Date(storageMilliseconds: now.addingTimeInterval(3600).storageMilliseconds)
            _ = try await store.requestCode(request("p", at: now, hash: "owner"))
            #expect(
                try await store.checkCode(check("p", hash: "x", at: now, address: "10.4.0.1", failures: 2))
                    == .wrong(remaining: 2))
            #expect(
                try await store.checkCode(check("p", hash: "x", at: now, address: "10.4.0.1", failures: 2))
                    == .locked(until: until))
            #expect(
                try await store.checkCode(check("p", hash: "owner", at: now, address: "10.4.0.1", failures: 2))
                    == .locked(until: until))
            #expect(
                try await store.checkCode(check("p", hash: "owner", at: now, address: "10.4.0.2", failures: 2))
                    == .valid(subscriberID: owner, target: "t"))

            // Wrong codes from two addresses reach the number's ceiling of 2: the codes sent so far stop working...
            let later = now.addingTimeInterval(120)
            let numberUntil = Date(storageMilliseconds: later.addingTimeInterval(3600).storageMilliseconds)
            _ = try await store.requestCode(request("q", at: now, hash: "old"))
            #expect(
                try await store.checkCode(
                    check("q", hash: "x", at: later, address: "10.5.0.1", failures: 2, perNumber: 2))
                    == .wrong(remaining: 2))
            #expect(
                try await store.checkCode(
                    check("q", hash: "y", at: later, address: "10.5.0.2", failures: 2, perNumber: 2))
                    == .locked(until: numberUntil))
            #expect(
                try await store.checkCode(
                    check("q", hash: "old", at: later, address: "10.9.9.9", failures: 2, perNumber: 2))
                    == .locked(until: numberUntil))
            // ...and the code the owner asks for now works.
            let fresh = later.addingTimeInterval(61)
            _ = try await store.requestCode(request("q", at: fresh, hash: "fresh"))
            #expect(
                try await store.checkCode(
                    check("q", hash: "fresh", at: fresh, address: "10.9.9.9", failures: 2, perNumber: 2))
                    == .valid(subscriberID: owner, target: "t"))
        }
    }

    @Test(arguments: AuthTestBed.Backend.all)
    func wrongCodesAreLimitedPerAddressAndJournaled(_ backend: AuthTestBed.Backend) async throws {
        try await AuthTestBed.with(backend) { bed async throws in
            let store = bed.store
            let now = bed.clock.now
            for n in 1...4 {
                var attempt = check("n\(n)", hash: "x", at: now.addingTimeInterval(Double(n)), address: "10.2.2.2")
                attempt.failureJournal = JournalEntry(
                    subscriberID: owner, msisdn: "+79001234567", at: now, event: .loginFailed,
                    method: .otp, client: ClientInfo(address: "10.2.2.2"))
                #expect(try await store.checkCode(attempt) == .noCode)
            }
            let limited = try await store.checkCode(
                check("n5", hash: "x", at: now.addingTimeInterval(10), address: "10.2.2.2"))
            #expect(
                limited
                    == .addressLimited(
                        until: Date(storageMilliseconds: now.addingTimeInterval(3601).storageMilliseconds)))
            let journal = try await store.journal(of: owner, before: nil, limit: 10)
            #expect(journal.map(\.detail) == Array(repeating: "noCode", count: 4))
            #expect(journal.compactMap(\.id) == journal.compactMap(\.id).sorted(by: >))
            let page = try await store.journal(of: owner, before: journal[1].id, limit: 1)
            #expect(page.map(\.id) == [journal[2].id] as [Int64?])
        }
    }

    @Test(arguments: AuthTestBed.Backend.all)
    func failuresLockAndStartAgainAfterTheLock(_ backend: AuthTestBed.Backend) async throws {
        try await AuthTestBed.with(backend) { bed async throws in
            let store = bed.store
            let now = bed.clock.now
            for count in 1...2 {
                let state = try await store.recordFailure(factor: "puk", key: "7", now: now) {
                    $0 >= 2 ? now.addingTimeInterval(60) : nil
                }
                #expect(state.consecutive == count)
            }
            #expect(try await store.failureState(factor: "puk", key: "7").lockedUntil == now.addingTimeInterval(60))
            let again = try await store.recordFailure(factor: "puk", key: "7", now: now.addingTimeInterval(60)) { _ in
                nil
            }
            #expect(again == FailureState(consecutive: 1, lastFailureAt: now.addingTimeInterval(60), lockedUntil: nil))
            let forever = try await store.recordFailure(factor: "password", key: "7", now: now) { _ in .distantFuture }
            #expect(forever.lockedUntil == Date(timeIntervalSince1970: 32_503_680_000))
            try await store.clearFailures(factor: "puk", key: "7")
            #expect(try await store.failureState(factor: "puk", key: "7") == FailureState())
            #expect(try await store.failureState(factor: "password", key: "7").consecutive == 1)

            #expect(try await store.setPassword("p1", for: owner, now: now, maxChangesPerDay: 1))
            #expect(
                try await !store.setPassword("p2", for: owner, now: now.addingTimeInterval(86_399), maxChangesPerDay: 1)
            )
            #expect(
                try await store.setPassword(
                    "p3", for: owner, now: now.addingTimeInterval(86_399), maxChangesPerDay: nil))
            #expect(
                try await store.setPassword("p4", for: owner, now: now.addingTimeInterval(86_400), maxChangesPerDay: 1))
            #expect(try await store.passwordHash(of: owner) == "p4")
        }
    }

    @Test(arguments: AuthTestBed.Backend.all)
    func linksAreDirectedLimitedAndEndedFromEitherSide(_ backend: AuthTestBed.Backend) async throws {
        try await AuthTestBed.with(backend) { bed async throws in
            let store = bed.store
            let now = bed.clock.now
            let a = SubscriberID(10), b = SubscriberID(11), c = SubscriberID(12), d = SubscriberID(13)
            #expect(try await store.linkedLines(of: a) == [])
            #expect(try await store.link(c, to: a, limit: 2, now: now.addingTimeInterval(1)) == .linked)
            #expect(try await store.link(b, to: a, limit: 2, now: now) == .linked)
            #expect(try await store.linkedLines(of: a) == [b, c], "by the time linked")
            #expect(try await store.linkedLines(of: b) == [], "a link gives the linked line no rights on the holder")
            #expect(try await store.linkHolders(of: b) == [a])
            #expect(try await store.link(b, to: a, limit: 2, now: now) == .alreadyLinked)
            #expect(try await store.link(d, to: a, limit: 2, now: now) == .limitReached)
            #expect(try await store.link(a, to: b, limit: 2, now: now) == .linked, "the other way is a link of its own")
            #expect(try await store.link(a, to: d, limit: 2, now: now) == .linked)
            #expect(try await !store.unlink(d, from: a))
            #expect(try await store.unlink(c, from: a))
            #expect(try await !store.unlink(c, from: a), "once")
            #expect(try await store.linkedLines(of: a) == [b])
            #expect(Set(try await store.dropLinks(of: a)) == [b, d], "both ways")
            #expect(try await store.linkedLines(of: a) == [])
            #expect(try await store.linkHolders(of: a) == [])
            #expect(try await store.linkedLines(of: b) == [])
            #expect(try await store.linkedLines(of: d) == [])
        }
    }

    @Test(arguments: AuthTestBed.Backend.all)
    func delegationsAreReplacedRevokedOnceAndExpire(_ backend: AuthTestBed.Backend) async throws {
        try await AuthTestBed.with(backend) { bed async throws in
            let store = bed.store
            let now = bed.clock.now
            let ownerNumber = try msisdn("+79001110001")
            let granteeNumber = try msisdn("+79001110002")
            let note = OutgoingText(to: .phone(granteeNumber), text: "доступ", purpose: "auth.delegation")
            let first = try await store.grant(
                owner: owner, ownerMSISDN: ownerNumber, grantee: granteeNumber, scopes: [.pay],
                expiresAt: now.addingTimeInterval(86_400), now: now, messages: [note])
            let second = try await store.grant(
                owner: owner, ownerMSISDN: ownerNumber, grantee: granteeNumber, scopes: [.pay, .viewBalance],
                expiresAt: now.addingTimeInterval(3600), now: now, messages: [])
            #expect(second.id > first.id)
            #expect(second.scopes == [.pay, .viewBalance])
            #expect(try await store.delegations(owners: [owner]).map(\.id) == [second.id, first.id])
            #expect(try await store.delegations(owners: [owner]).last?.revokedAt == now, "replaced by the new grant")
            #expect(try await store.delegations(owners: []).isEmpty)
            #expect(try await store.delegations(grantee: granteeNumber, now: now).map(\.id) == [second.id])
            #expect(try await store.activeDelegation(owner: owner, grantee: granteeNumber, now: now)?.id == second.id)
            #expect(
                try await store.activeDelegation(
                    owner: owner, grantee: granteeNumber, now: now.addingTimeInterval(3600)) == nil)
            #expect(try await store.delegations(grantee: granteeNumber, now: now.addingTimeInterval(3600)).isEmpty)

            let notes: (Delegation) -> [OutgoingText] = {
                [OutgoingText(to: .phone($0.ownerMSISDN), text: "отозван", purpose: "auth.delegation")]
            }
            #expect(
                try await store.revoke(delegation: second.id, owners: [grantee], now: now, messages: notes) == nil,
                "not the owner")
            #expect(
                try await store.revoke(delegation: first.id, owners: [owner], now: now, messages: notes) == nil,
                "revoked already")
            let revoked = try await store.revoke(
                delegation: second.id, owners: [grantee, owner], now: now.addingTimeInterval(5), messages: notes)
            #expect(revoked?.revokedAt == now.addingTimeInterval(5))
            #expect(
                try await store.revoke(delegation: second.id, owners: [owner], now: now, messages: notes) == nil, "once"
            )
            #expect(try await bed.messages(to: "+79001110001").map(\.body) == ["отозван"])
            #expect(try await bed.messages(to: "+79001110002").map(\.body) == ["доступ"])
        }
    }

    @Test(arguments: AuthTestBed.Backend.all)
    func socialStatesAndPushLoginsAreUsedOnce(_ backend: AuthTestBed.Backend) async throws {
        try await AuthTestBed.with(backend) { bed async throws in
            let store = bed.store
            let now = bed.clock.now
            try await store.saveSocialState(
                SocialState(
                    state: "s1", provider: "vk", verifier: "v", intent: .link, sessionID: "x",
                    expiresAt: now.addingTimeInterval(600), browserHash: "b"))
            try await store.saveSocialState(
                SocialState(
                    state: "s2", provider: "vk", verifier: "v", intent: .login, sessionID: nil,
                    expiresAt: now.addingTimeInterval(600), browserHash: "b"))
            let taken = try await store.takeSocialState("s1", now: now)
            #expect(taken?.sessionID == "x")
            #expect(taken?.browserHash == "b")
            #expect(try await store.takeSocialState("s1", now: now) == nil)
            #expect(try await store.takeSocialState("s2", now: now.addingTimeInterval(600)) == nil, "expired")
            #expect(try await store.takeSocialState("s2", now: now) == nil, "and gone")

            let number = try msisdn("+79001234567")
            for (id, subscriber) in [("p1", Optional(owner)), ("p2", nil), ("p3", Optional(owner))] {
                try await store.insertPush(
                    PushLogin(
                        id: id, subscriberID: subscriber, msisdn: number, status: .pending, createdAt: now,
                        expiresAt: now.addingTimeInterval(120)))
            }
            #expect(try await !store.usePush(id: "p1", now: now), "not confirmed yet")
            #expect(try await store.resolvePush(id: "p1", to: .confirmed, now: now))
            #expect(try await !store.resolvePush(id: "p1", to: .declined, now: now), "answered already")
            #expect(try await !store.resolvePush(id: "p2", to: .confirmed, now: now), "not a line")
            #expect(try await !store.resolvePush(id: "p3", to: .confirmed, now: now.addingTimeInterval(120)), "expired")
            #expect(try await store.usePush(id: "p1", now: now))
            #expect(try await !store.usePush(id: "p1", now: now))
            #expect(try await store.push(id: "p1")?.status == .used)
            #expect(try await store.push(id: "p2")?.status == .pending)
        }
    }

    @Test(arguments: AuthTestBed.Backend.all)
    func identitiesAreUniquePerProvider(_ backend: AuthTestBed.Backend) async throws {
        try await AuthTestBed.with(backend) { bed async throws in
            let store = bed.store
            let now = bed.clock.now
            #expect(
                try await store.linkIdentity(
                    LinkedIdentity(provider: "vk", subject: "42", subscriberID: owner, displayName: "И", linkedAt: now))
            )
            #expect(
                try await !store.linkIdentity(
                    LinkedIdentity(
                        provider: "vk", subject: "42", subscriberID: grantee, displayName: nil, linkedAt: now)))
            #expect(
                try await !store.linkIdentity(
                    LinkedIdentity(provider: "vk", subject: "43", subscriberID: owner, displayName: nil, linkedAt: now))
            )
            #expect(
                try await store.linkIdentity(
                    LinkedIdentity(
                        provider: "google", subject: "42", subscriberID: owner, displayName: nil, linkedAt: now)))
            #expect(try await store.identities(of: owner).map(\.provider) == ["google", "vk"])
            #expect(try await store.identity(provider: "vk", subject: "42")?.subscriberID == owner)
            #expect(try await store.unlinkIdentity(provider: "vk", subscriber: owner))
            #expect(try await !store.unlinkIdentity(provider: "vk", subscriber: owner))
            #expect(try await store.confirmedEmail(of: owner) == nil)
            try await store.confirmEmail("a@example.com", for: owner, now: now)
            try await store.confirmEmail("b@example.com", for: owner, now: now)
            #expect(try await store.confirmedEmail(of: owner) == "b@example.com")
        }
    }

    @Test(arguments: AuthTestBed.Backend.all)
    func sessionsRotateAndEnd(_ backend: AuthTestBed.Backend) async throws {
        try await AuthTestBed.with(backend) { bed async throws in
            let store = bed.store
            let now = bed.clock.now
            let number = try msisdn("+79001234567")
            func session(_ id: String) -> AuthSession {
                AuthSession(
                    id: id, tokenHash: "hash-\(id)", subscriberID: owner, msisdn: number, actingSubscriberID: owner,
                    kind: .web,
                    method: .otp, createdAt: now, lastSeenAt: now, expiresAt: now.addingTimeInterval(3600),
                    idleTimeout: .seconds(1800),
                    client: ClientInfo(address: "10.0.0.1", userAgent: "ua", deviceID: "d", language: .en),
                    steppedUpAt: nil, passwordRequired: true, csrfToken: "csrf")
            }
            for id in ["a", "b", "c"] { try await store.insertSession(session(id)) }
            #expect(
                try await store.session(tokenHash: "hash-a")?.client
                    == ClientInfo(address: "10.0.0.1", userAgent: "ua", deviceID: "d"),
                "the language is not stored")
            var rotated = session("a")
            rotated.tokenHash = "hash-a2"
            rotated.steppedUpAt = now
            rotated.passwordRequired = false
            rotated.csrfToken = "not saved"
            try await store.updateSession(rotated)
            #expect(try await store.session(tokenHash: "hash-a") == nil)
            let saved = try #require(try await store.session(tokenHash: "hash-a2"))
            #expect(saved.steppedUpAt == now && !saved.passwordRequired && saved.csrfToken == "csrf")
            #expect(try await store.deleteSessions(of: owner, except: "a") == 2)
            #expect(try await store.sessions(of: owner).map(\.id) == ["a"])
            try await store.deleteSession(id: "a")
            #expect(try await store.session(id: "a") == nil)

            #expect(try await store.rememberDevice("d1", for: owner, now: now) == .first)
            #expect(try await store.rememberDevice("d1", for: owner, now: now) == .known)
            #expect(try await store.rememberDevice("d2", for: owner, now: now) == .new)
        }
    }

    @Test(arguments: AuthTestBed.Backend.all)
    func purgeRemovesWhatHasExpired(_ backend: AuthTestBed.Backend) async throws {
        try await AuthTestBed.with(backend) { bed async throws in
            let store = bed.store
            let now = bed.clock.now
            let number = try msisdn("+79001234567")
            try await store.insertSession(
                AuthSession(
                    id: "s", tokenHash: "h", subscriberID: owner, msisdn: number, actingSubscriberID: owner, kind: .api,
                    method: .otp,
                    createdAt: now, lastSeenAt: now, expiresAt: now.addingTimeInterval(60), idleTimeout: .seconds(60),
                    client: ClientInfo(),
                    steppedUpAt: nil, passwordRequired: false, csrfToken: "c"))
            _ = try await store.requestCode(request("k", at: now))
            _ = try await store.setPassword("p", for: owner, now: now, maxChangesPerDay: 2)
            try await store.saveSocialState(
                SocialState(
                    state: "st", provider: "vk", verifier: "v", intent: .login, sessionID: nil,
                    expiresAt: now.addingTimeInterval(60), browserHash: "b"))
            try await store.insertPush(
                PushLogin(
                    id: "p", subscriberID: owner, msisdn: number, status: .pending, createdAt: now,
                    expiresAt: now.addingTimeInterval(60)))
            #expect(try await store.purgeExpired(now: now.addingTimeInterval(60)) == 0, "nothing has expired yet")
            #expect(
                try await store.purgeExpired(now: now.addingTimeInterval(61)) == 2, "the session and the social state")
            #expect(
                try await store.purgeExpired(now: now.addingTimeInterval(86_461)) == 1,
                "the push a day after it expired")
            #expect(
                try await store.purgeExpired(now: now.addingTimeInterval(87_001)) == 1,
                "the code a day after it expired")
            #expect(
                try await store.purgeExpired(now: now.addingTimeInterval(172_801)) == 2,
                "the send event and the password change")
            #expect(try await store.purgeExpired(now: now.addingTimeInterval(172_801)) == 0)
        }
    }
}
