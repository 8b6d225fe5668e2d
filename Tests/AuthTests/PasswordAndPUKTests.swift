import Auth
import AuthTesting
import CabinetCore
import CabinetMessaging
import CabinetTesting
import Foundation
import Subscribers
import Testing

@Suite struct PasswordAndPUKTests {
    let client = ClientInfo(address: "10.0.0.1", userAgent: "test")
    let number = "+79001234567"
    var msisdn: MSISDN { MSISDN(e164: number)! }

    @Test(arguments: AuthTestBed.Backend.all)
    func aPasswordSetAfterACodeLoginLogsIn(_ backend: AuthTestBed.Backend) async throws {
        try await AuthTestBed.with(backend) { bed in
            try await bed.line(number)
            let first = try await bed.loginByCode(number)
            _ = try await bed.service.setPassword(
                "горный-ветер-над-рекой", session: first.session, proof: .recentCode, client: client)
            let result = try await bed.service.login(
                msisdn: msisdn, password: "горный-ветер-над-рекой", kind: .web, client: client)
            #expect(result.session.method == .password)
            await #expect(throws: CabinetError(AuthError.loginFailed)) {
                try await bed.service.login(
                    msisdn: msisdn, password: "горный-ветер-над-реко", kind: .web, client: client)
            }
            // An unknown number and a number without a password answer the same.
            await #expect(throws: CabinetError(AuthError.loginFailed)) {
                try await bed.service.login(
                    msisdn: MSISDN(e164: "+79009999999")!, password: "горный-ветер-над-рекой", kind: .web,
                    client: client)
            }
            #expect(try await bed.messages(to: number).contains { $0.purpose == "auth.passwordChanged" })
        }
    }

    @Test(arguments: AuthTestBed.Backend.all)
    func passwordRulesFollowNIST(_ backend: AuthTestBed.Backend) async throws {
        try await AuthTestBed.with(backend) { bed in
            try await bed.line(number)
            let session = try await bed.loginByCode(number).session
            for (password, code) in [
                ("short", AuthError.passwordTooShort), ("password123", AuthError.passwordCommon),
                ("Qwerty123456", AuthError.passwordCommon), ("+79001234567", AuthError.passwordIsNumber),
                ("89001234567", AuthError.passwordIsNumber),
                (String(repeating: "я", count: 600), AuthError.passwordTooLong),
            ] {
                do {
                    _ = try await bed.service.setPassword(
                        password, session: session, proof: .recentCode, client: client)
                    Issue.record("\(password.prefix(20)) accepted")
                } catch let error as CabinetError {
                    #expect(error.code == code, "\(password.prefix(20))")
                }
            }
            // Longer than bcrypt's 72 bytes and accepted whole: a difference after byte 72 matters.
            let long = String(repeating: "длинный пароль ", count: 10)
            _ = try await bed.service.setPassword(long + "A", session: session, proof: .recentCode, client: client)
            _ = try await bed.service.login(msisdn: msisdn, password: long + "A", kind: .web, client: client)
            await #expect(throws: CabinetError.self) {
                try await bed.service.login(msisdn: msisdn, password: long + "B", kind: .web, client: client)
            }
        }
    }

    @Test(arguments: AuthTestBed.Backend.all)
    func failuresAreDelayedFromTheFifthAndLockedAtAHundred(_ backend: AuthTestBed.Backend) async throws {
        try await AuthTestBed.with(backend) { bed in
            try await bed.line(number)
            let session = try await bed.loginByCode(number).session
            _ = try await bed.service.setPassword(
                "горный-ветер-над-рекой", session: session, proof: .recentCode, client: client)
            for _ in 1...5 {
                await #expect(throws: CabinetError(AuthError.loginFailed)) {
                    try await bed.service.login(msisdn: msisdn, password: "wrong-password", kind: .web, client: client)
                }
            }
            do {
                _ = try await bed.service.login(
                    msisdn: msisdn, password: "горный-ветер-над-рекой", kind: .web, client: client)
                Issue.record("no delay after five failures")
            } catch let error as CabinetError {
                #expect(error.code == AuthError.passwordDelayed)
                #expect(error.retryAfterSeconds == 30)
            }
            bed.clock.advance(by: .seconds(31))
            _ = try await bed.service.login(
                msisdn: msisdn, password: "горный-ветер-над-рекой", kind: .web, client: client)
            // A hundred failures lock password login; the code login still works.
            for _ in 1...100 {
                bed.clock.advance(by: .seconds(3601))
                _ = try? await bed.service.login(msisdn: msisdn, password: "wrong-password", kind: .web, client: client)
            }
            bed.clock.advance(by: .seconds(3601))
            await #expect(throws: CabinetError(AuthError.passwordLocked)) {
                try await bed.service.login(
                    msisdn: msisdn, password: "горный-ветер-над-рекой", kind: .web, client: client)
            }
            _ = try await bed.loginByCode(number)
            #expect(try await bed.messages(to: number).contains { $0.purpose == "auth.passwordLocked" })
            // Recovery by SMS lifts the lock (every SMS to a number counts against its limits, so wait a minute).
            bed.clock.advance(by: .seconds(61))
            _ = try await bed.service.requestPasswordReset(for: msisdn, client: client)
            let code = try #require(try await bed.lastCode(to: number))
            _ = try await bed.service.resetPassword(
                msisdn: msisdn, code: code, newPassword: "новый-пароль-на-зиму", kind: .web, client: client)
            _ = try await bed.service.login(
                msisdn: msisdn, password: "новый-пароль-на-зиму", kind: .web, client: client)
        }
    }

    /// `reset/confirm` answers a number that is a line and one that is not alike: a bad new password is refused the
    /// same way for both (before the code is looked at, so it burns no code), a wrong code the same way too.
    @Test(arguments: AuthTestBed.Backend.all)
    func aResetAnswersEveryNumberAlike(_ backend: AuthTestBed.Backend) async throws {
        try await AuthTestBed.with(backend) { bed in
            try await bed.line(number)
            let stranger = try #require(MSISDN(e164: "+79001110099"))
            for target in [msisdn, stranger] {
                do {
                    _ = try await bed.service.resetPassword(
                        msisdn: target, code: "123456", newPassword: "short", kind: .web,
                        client: client)
                    Issue.record("a short password was accepted for \(target.e164)")
                } catch let error as CabinetError {
                    #expect(error.code == AuthError.passwordTooShort, "\(target.e164): \(error)")
                }
                do {
                    _ = try await bed.service.resetPassword(
                        msisdn: target, code: "123456", newPassword: "новый-пароль-на-зиму",
                        kind: .web, client: client)
                    Issue.record("a reset without a code succeeded for \(target.e164)")
                } catch let error as CabinetError {
                    #expect(error.code == AuthError.codeExpired, "\(target.e164): no code was sent, \(error)")
                }
            }
        }
    }

    /// One address trying one password against many numbers is stopped, before any hashing, after the region's
    /// number of wrong passwords or PUKs in an hour; another address is not, and the lock ends after the hour.
    @Test(arguments: AuthTestBed.Backend.all)
    func oneAddressGuessesAFewTimesAnHourWhateverTheNumbers(_ backend: AuthTestBed.Backend) async throws {
        var policy = AuthSettings.Fallback.policy
        policy.password.maxFailuresPerAddressPerHour = 3
        try await AuthTestBed.with(backend, auth: policy) { bed in
            let guesser = ClientInfo(address: "203.0.113.7", userAgent: "bot")
            for index in 1...3 {
                let number = try #require(MSISDN(e164: "+7900123450\(index)"))
                await #expect(throws: CabinetError(AuthError.loginFailed)) {
                    try await bed.service.login(msisdn: number, password: "Password123!", kind: .api, client: guesser)
                }
            }
            do {
                _ = try await bed.service.login(msisdn: msisdn, puk: "12345678", kind: .api, client: guesser)
                Issue.record("the fourth guess from one address was checked")
            } catch let error as CabinetError {
                #expect(error.code == AuthError.passwordAddressLimit)
                #expect((error.retryAfterSeconds ?? 0) > 3000, "an hour")
            }
            // Another address is not held back by it.
            await #expect(throws: CabinetError(AuthError.loginFailed)) {
                try await bed.service.login(msisdn: msisdn, password: "Password123!", kind: .api, client: client)
            }
            bed.clock.advance(by: .seconds(3601))
            await #expect(throws: CabinetError(AuthError.loginFailed)) {
                try await bed.service.login(msisdn: msisdn, password: "Password123!", kind: .api, client: guesser)
            }
        }
    }

    @Test(arguments: AuthTestBed.Backend.all)
    func aChangeNeedsProofAndAtMostTwoADay(_ backend: AuthTestBed.Backend) async throws {
        try await AuthTestBed.with(backend) { bed in
            try await bed.line(number)
            let session = try await bed.loginByCode(number).session
            _ = try await bed.service.setPassword(
                "первый-пароль-2026", session: session, proof: .recentCode, client: client)
            bed.clock.advance(by: .seconds(600))
            await #expect(throws: CabinetError(AuthError.stepUpRequired)) {
                try await bed.service.setPassword(
                    "второй-пароль-2026", session: session, proof: .recentCode, client: client)
            }
            await #expect(throws: CabinetError.self) {
                try await bed.service.setPassword(
                    "второй-пароль-2026", session: session, proof: .currentPassword("не тот"), client: client)
            }
            _ = try await bed.service.setPassword(
                "второй-пароль-2026", session: session, proof: .currentPassword("первый-пароль-2026"), client: client)
            _ = try await bed.service.setPassword(
                "третий-пароль-2026", session: session, proof: .currentPassword("второй-пароль-2026"), client: client)
            await #expect(throws: CabinetError(AuthError.passwordChangeLimit, arguments: ["count": "2"])) {
                try await bed.service.setPassword(
                    "четвёртый-пароль-2026", session: session, proof: .currentPassword("третий-пароль-2026"),
                    client: client)
            }
            bed.clock.advance(by: .seconds(86_401))
            _ = try await bed.service.setPassword(
                "четвёртый-пароль-2026", session: session, proof: .currentPassword("третий-пароль-2026"), client: client
            )
        }
    }

    @Test(arguments: AuthTestBed.Backend.all)
    func aPasswordChangeEndsOtherSessions(_ backend: AuthTestBed.Backend) async throws {
        try await AuthTestBed.with(backend) { bed in
            try await bed.line(number)
            let other = try await bed.loginByCode(number)
            bed.clock.advance(by: .seconds(61))
            let current = try await bed.loginByCode(number)
            _ = try await bed.service.setPassword(
                "пароль-для-всех-сеансов", session: current.session, proof: .recentCode, client: client)
            #expect(try await bed.service.authenticate(token: other.token) == nil)
            #expect(try await bed.service.authenticate(token: current.token) != nil)
        }
    }

    @Test(arguments: AuthTestBed.Backend.all)
    func pukLoginRequiresAPasswordAndLocksAfterTenFailures(_ backend: AuthTestBed.Backend) async throws {
        try await AuthTestBed.with(backend) { bed in
            try await bed.line(number, status: .blocked)
            try await bed.service.provisionPUK("1234 5678", for: msisdn)
            let result = try await bed.service.login(msisdn: msisdn, puk: "12345678", kind: .web, client: client)
            #expect(result.passwordRequired)
            let authenticated = try #require(try await bed.service.authenticate(token: result.token))
            #expect(authenticated.session.info.passwordChangeRequired)
            let updated = try await bed.service.setPassword(
                "новый-пароль-после-puk", session: result.session, proof: .pukLogin, client: client)
            #expect(!updated.passwordRequired)
            await #expect(throws: CabinetError.self) {
                try await bed.service.login(msisdn: msisdn, puk: "1234", kind: .web, client: client)
            }
            for attempt in 1...10 {
                do {
                    _ = try await bed.service.login(msisdn: msisdn, puk: "87654321", kind: .web, client: client)
                } catch let error as CabinetError {
                    #expect(error.code == (attempt < 10 ? AuthError.loginFailed : AuthError.pukLocked))
                }
            }
            let locked = await #expect(throws: CabinetError.self) {
                try await bed.service.login(msisdn: msisdn, puk: "12345678", kind: .web, client: client)
            }
            #expect(locked?.code == AuthError.pukLocked)
            #expect(locked?.retryAfterSeconds == 86_400, "the lock ends by itself after pukLockDuration")
            // From another address the owner (with the right PUK) gets in: ten wrong tries lock only their address.
            let elsewhere = ClientInfo(address: "198.51.100.77")
            _ = try await bed.service.login(msisdn: msisdn, puk: "12345678", kind: .web, client: elsewhere)
            // Thirty wrong tries from anywhere lock the PUK for everyone, for a day.
            for n in 0..<30 {
                _ = try? await bed.service.login(
                    msisdn: msisdn, puk: "87654321", kind: .web, client: ClientInfo(address: "198.51.100.\(n / 5)"))
            }
            let everywhere = await #expect(throws: CabinetError.self) {
                try await bed.service.login(msisdn: msisdn, puk: "12345678", kind: .web, client: elsewhere)
            }
            #expect(everywhere?.code == AuthError.pukLocked)
            bed.clock.advance(by: .seconds(86_401))
            _ = try await bed.service.login(msisdn: msisdn, puk: "12345678", kind: .web, client: elsewhere)
            for _ in 1...10 {
                _ = try? await bed.service.login(msisdn: msisdn, puk: "87654321", kind: .web, client: client)
            }
            // The operator re-provisioning the PUK (new SIM pack) lifts the lock.
            try await bed.service.provisionPUK("11112222", for: msisdn)
            _ = try await bed.service.login(msisdn: msisdn, puk: "11112222", kind: .web, client: client)
        }
    }

    /// The lost phone's second way to a block: a code to the owner's contact number, sent only when it is the line's
    /// (the same answer otherwise), taken once, wrong codes counted.
    @Test(arguments: AuthTestBed.Backend.all)
    func aBlockCodeGoesOnlyToTheLinesContactNumber(_ backend: AuthTestBed.Backend) async throws {
        try await AuthTestBed.with(backend) { bed in
            let line = try await bed.line(number)
            let msisdn = try #require(MSISDN(e164: number))
            let contact = try #require(MSISDN(e164: "+79161112233"))
            var patch = LinePatch()
            patch.contactNumber = .set(contact)
            _ = try await bed.lines.update(msisdn: msisdn, with: patch)
            let stranger = try #require(MSISDN(e164: "+79165554433"))
            _ = try await bed.service.sendBlockCode(for: msisdn, to: stranger, clientAddress: "10.0.0.9", language: .ru)
            #expect(try await bed.messages(to: stranger.e164).isEmpty, "not the line's contact number")
            await #expect(throws: CabinetError.self) {
                try await bed.service.confirmBlockCode(
                    "123456", for: msisdn, contact: stranger, clientAddress: "10.0.0.9")
            }
            // Whoever holds the lost phone asks for login codes to it: the owner's block code is not held back.
            for _ in 0..<3 {
                _ = try? await bed.service.requestLoginCode(for: msisdn, client: ClientInfo(address: "10.0.0.66"))
                bed.clock.advance(by: .seconds(61))
            }
            _ = try await bed.service.sendBlockCode(for: msisdn, to: contact, clientAddress: "10.0.0.9", language: .ru)
            let code = try #require(try await bed.lastCode(to: contact.e164))
            #expect(try await bed.messages(to: number).filter { $0.purpose == "auth.simBlock" }.isEmpty)
            let wrong = await #expect(throws: CabinetError.self) {
                try await bed.service.confirmBlockCode(
                    code == "000000" ? "111111" : "000000", for: msisdn, contact: contact, clientAddress: "10.0.0.9")
            }
            #expect(wrong?.code == AuthError.codeWrong)
            // A request with a wrong contact number does not replace the owner's code, nor may it use it.
            _ = try await bed.service.sendBlockCode(
                for: msisdn, to: stranger, clientAddress: "10.0.0.66", language: .ru)
            await #expect(throws: CabinetError.self, "the code belongs to its pair of numbers") {
                try await bed.service.confirmBlockCode(code, for: msisdn, contact: stranger, clientAddress: "10.0.0.9")
            }
            #expect(
                try await bed.service.confirmBlockCode(code, for: msisdn, contact: contact, clientAddress: "10.0.0.9")
                    == line.id)
            await #expect(throws: CabinetError.self, "a code is taken once") {
                try await bed.service.confirmBlockCode(code, for: msisdn, contact: contact, clientAddress: "10.0.0.9")
            }
        }
    }
}
