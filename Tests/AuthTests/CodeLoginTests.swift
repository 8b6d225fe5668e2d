import Auth
import AuthTesting
import CabinetCore
import CabinetMessaging
import CabinetTesting
import Foundation
import Subscribers
import Testing

@Suite struct CodeLoginTests {
    let client = ClientInfo(address: "10.0.0.1", userAgent: "test-browser")
    let number = "+79001234567"
    var msisdn: MSISDN { MSISDN(e164: number)! }

    @Test(arguments: AuthTestBed.Backend.all)
    func aCodeLogsInOnceAndOnlyOnce(_ backend: AuthTestBed.Backend) async throws {
        try await AuthTestBed.with(backend) { bed in
            try await bed.line(number)
            let sent = try await bed.service.requestLoginCode(for: msisdn, client: client)
            #expect(sent.codeLength == 6)
            #expect(sent.resendAt == bed.clock.now.addingTimeInterval(60))
            let code = try #require(try await bed.lastCode(to: number))
            #expect(code.count == 6)
            let result = try await bed.service.login(msisdn: msisdn, code: code, kind: .api, client: client)
            #expect(result.session.subscriberID == result.session.actingSubscriberID)
            #expect(try await bed.service.authenticate(token: result.token)?.line.msisdn == msisdn)
            // Single use.
            await #expect(throws: CabinetError(AuthError.codeExpired)) {
                try await bed.service.login(msisdn: msisdn, code: code, kind: .api, client: client)
            }
            let messages = try await bed.messages(to: number)
            #expect(messages.map(\.purpose) == ["auth.login", "auth.newDevice"], "the line's first login is told")
            #expect(messages[0].body.hasSuffix("\n@lk.cabinet.test #\(code)"), "a phone's browser may fill the code in")
        }
    }

    @Test(arguments: AuthTestBed.Backend.all)
    func onlyTheNewestCodeCounts(_ backend: AuthTestBed.Backend) async throws {
        try await AuthTestBed.with(backend) { bed in
            try await bed.line(number)
            _ = try await bed.service.requestLoginCode(for: msisdn, client: client)
            let first = try #require(try await bed.lastCode(to: number))
            bed.clock.advance(by: .seconds(61))
            _ = try await bed.service.requestLoginCode(for: msisdn, client: client)
            let second = try #require(try await bed.lastCode(to: number))
            if first != second {
                await #expect(throws: CabinetError.self) {
                    try await bed.service.login(msisdn: msisdn, code: first, kind: .api, client: client)
                }
            }
            _ = try await bed.service.login(msisdn: msisdn, code: second, kind: .api, client: client)
        }
    }

    @Test(arguments: AuthTestBed.Backend.all)
    func aCodeExpiresAfterTenMinutes(_ backend: AuthTestBed.Backend) async throws {
        try await AuthTestBed.with(backend) { bed in
            try await bed.line(number)
            _ = try await bed.service.requestLoginCode(for: msisdn, client: client)
            let code = try #require(try await bed.lastCode(to: number))
            bed.clock.advance(by: .seconds(601))
            await #expect(throws: CabinetError(AuthError.codeExpired)) {
                try await bed.service.login(msisdn: msisdn, code: code, kind: .api, client: client)
            }
        }
    }

    @Test(arguments: AuthTestBed.Backend.all)
    func fiveWrongTriesKillTheCode(_ backend: AuthTestBed.Backend) async throws {
        try await AuthTestBed.with(backend) { bed in
            try await bed.line(number)
            _ = try await bed.service.requestLoginCode(for: msisdn, client: client)
            let code = try #require(try await bed.lastCode(to: number))
            let wrong = code == "000000" ? "111111" : "000000"
            for remaining in (0...4).reversed() {
                do {
                    _ = try await bed.service.login(msisdn: msisdn, code: wrong, kind: .api, client: client)
                    Issue.record("a wrong code logged in")
                } catch let error as CabinetError {
                    #expect(error.code == AuthError.codeWrong)
                    #expect(error.arguments["remaining"] == String(remaining))
                }
            }
            await #expect(throws: CabinetError(AuthError.codeExpired)) {
                try await bed.service.login(msisdn: msisdn, code: code, kind: .api, client: client)
            }
            await #expect(throws: CabinetError.self) {
                try await bed.service.login(msisdn: msisdn, code: "12", kind: .api, client: client)
            }
        }
    }

    @Test(arguments: AuthTestBed.Backend.all)
    func sendingIsLimitedPerNumber(_ backend: AuthTestBed.Backend) async throws {
        try await AuthTestBed.with(backend) { bed in
            try await bed.line(number)
            _ = try await bed.service.requestLoginCode(for: msisdn, client: client)
            bed.clock.advance(by: .seconds(30))
            do {
                _ = try await bed.service.requestLoginCode(for: msisdn, client: client)
                Issue.record("a second code within 60 s")
            } catch let error as CabinetError {
                #expect(error.code == AuthError.codeTooSoon)
                #expect(error.retryAfterSeconds == 30)
                #expect(error.kind == .tooManyRequests)
            }
            for _ in 1...4 {
                bed.clock.advance(by: .seconds(61))
                _ = try await bed.service.requestLoginCode(for: msisdn, client: client)
            }
            bed.clock.advance(by: .seconds(61))
            do {
                _ = try await bed.service.requestLoginCode(for: msisdn, client: client)
                Issue.record("a sixth code within the hour")
            } catch let error as CabinetError {
                #expect(error.code == AuthError.codeHourlyLimit)
                #expect(error.retryAfterSeconds == 3600 - 5 * 61 - 30)
            }
            bed.clock.advance(by: .seconds(3600))
            for _ in 1...5 {
                _ = try await bed.service.requestLoginCode(for: msisdn, client: client)
                bed.clock.advance(by: .seconds(61))
            }
            bed.clock.advance(by: .seconds(3600))
            do {
                _ = try await bed.service.requestLoginCode(for: msisdn, client: client)
                Issue.record("an eleventh code within the day")
            } catch let error as CabinetError {
                #expect(error.code == AuthError.codeDailyLimit)
            }
            #expect(try await bed.messages(to: number).count == 10)
        }
    }

    @Test(arguments: AuthTestBed.Backend.all)
    func sendingIsLimitedPerAddress(_ backend: AuthTestBed.Backend) async throws {
        var policy = AuthSettings.Fallback.policy
        policy.otp.maxPerAddressPerHour = 3
        try await AuthTestBed.with(backend, auth: policy) { bed in
            for n in 1...3 {
                _ = try await bed.service.requestLoginCode(for: MSISDN(e164: "+7900123450\(n)")!, client: client)
            }
            do {
                _ = try await bed.service.requestLoginCode(for: MSISDN(e164: "+79001234509")!, client: client)
                Issue.record("a fourth code from one address")
            } catch let error as CabinetError {
                #expect(error.code == AuthError.codeAddressLimit)
            }
            _ = try await bed.service.requestLoginCode(
                for: MSISDN(e164: "+79001234509")!, client: ClientInfo(address: "10.0.0.2"))
        }
    }

    @Test(arguments: AuthTestBed.Backend.all)
    func anUnknownNumberLooksExactlyLikeAKnownOne(_ backend: AuthTestBed.Backend) async throws {
        try await AuthTestBed.with(backend) { bed in
            try await bed.line(number)
            try await bed.line("+79001234568", status: .blocked)
            var answers: [String: [String]] = [:]
            for candidate in [number, "+79001234568", "+79009999999"] {
                let msisdn = MSISDN(e164: candidate)!
                let sent = try await bed.service.requestLoginCode(for: msisdn, client: ClientInfo(address: candidate))
                var trail = ["sent \(sent.codeLength) \(sent.resendAt.timeIntervalSince(bed.clock.now))"]
                for _ in 1...6 {
                    do {
                        _ = try await bed.service.login(
                            msisdn: msisdn, code: "000000", kind: .api, client: ClientInfo(address: candidate))
                    } catch let error as CabinetError {
                        trail.append("\(error.code) \(error.arguments)")
                    }
                }
                answers[candidate] = trail
            }
            #expect(answers[number] == answers["+79009999999"])
            #expect(answers["+79001234568"] == answers["+79009999999"])
            #expect(try await bed.messages(to: "+79009999999").isEmpty)
            #expect(try await bed.messages(to: "+79001234568").isEmpty, "a blocked line gets no code")
        }
    }

    @Test(arguments: AuthTestBed.Backend.all)
    func manyWrongCodesLockCodeLoginForAWhile(_ backend: AuthTestBed.Backend) async throws {
        try await AuthTestBed.with(backend) { bed in
            try await bed.line(number)
            var locked = false
            for round in 0..<5 {
                _ = try await bed.service.requestLoginCode(for: msisdn, client: client)
                for _ in 0..<5 {
                    do {
                        _ = try await bed.service.login(msisdn: msisdn, code: "000000", kind: .api, client: client)
                    } catch let error as CabinetError where error.code == AuthError.codeLocked {
                        locked = true
                        #expect(round == 3, "20 failures lock (the 20th is in the 4th code)")
                        #expect(error.retryAfterSeconds == 3600)
                        break
                    } catch {}
                }
                if locked { break }
                bed.clock.advance(by: .seconds(61))
            }
            #expect(locked)
            bed.clock.advance(by: .seconds(3601))
            _ = try await bed.loginByCode(number, client: client)
        }
    }

    @Test(arguments: AuthTestBed.Backend.all)
    func theJournalRecordsSuccessAndFailure(_ backend: AuthTestBed.Backend) async throws {
        try await AuthTestBed.with(backend) { bed in
            try await bed.line(number)
            _ = try await bed.service.requestLoginCode(for: msisdn, client: client)
            _ = try? await bed.service.login(msisdn: msisdn, code: "000000", kind: .api, client: client)
            let code = try #require(try await bed.lastCode(to: number))
            let result = try await bed.service.login(msisdn: msisdn, code: code, kind: .api, client: client)
            let journal = try await bed.service.journal(of: result.session)
            #expect(journal.map(\.event) == [.loginSucceeded, .loginFailed])
            #expect(journal.allSatisfy { $0.client.address == "10.0.0.1" && $0.client.userAgent == "test-browser" })
            #expect(journal[0].method == .otp)
        }
    }

    @Test(arguments: AuthTestBed.Backend.all)
    func aNewDeviceRaisesAnAlert(_ backend: AuthTestBed.Backend) async throws {
        try await AuthTestBed.with(backend) { bed in
            try await bed.line(number)
            _ = try await bed.loginByCode(
                number, client: ClientInfo(address: "10.0.0.1", userAgent: "phone", deviceID: "device-a"))
            bed.clock.advance(by: .seconds(61))
            _ = try await bed.loginByCode(
                number, client: ClientInfo(address: "10.0.0.1", userAgent: "phone", deviceID: "device-a"))
            #expect(
                try await bed.messages(to: number).filter { $0.purpose == "auth.newDevice" }.count == 1,
                "the first login (a new device: nothing was known) is told, the second from it is not")
            bed.clock.advance(by: .seconds(61))
            _ = try await bed.loginByCode(
                number, client: ClientInfo(address: "10.9.9.9", userAgent: "laptop", deviceID: "device-b"))
            var alerts = try await bed.messages(to: number).filter { $0.purpose == "auth.newDevice" }
            #expect(alerts.count == 2)
            #expect(alerts.last?.body.contains("10.9.9.9") == true)
            // An API client that sends no device id is known by its user agent: told once, not on every login.
            for _ in 1...2 {
                bed.clock.advance(by: .seconds(61))
                _ = try await bed.loginByCode(number, client: ClientInfo(address: "10.7.7.7", userAgent: "curl/8"))
            }
            alerts = try await bed.messages(to: number).filter { $0.purpose == "auth.newDevice" }
            #expect(alerts.count == 3)
            #expect(alerts.last?.body.contains("10.7.7.7") == true)
        }
    }
}
