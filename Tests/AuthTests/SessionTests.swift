import Auth
import AuthTesting
import CabinetCore
import CabinetMessaging
import CabinetTesting
import Foundation
import Subscribers
import Testing

@Suite struct SessionTests {
    let client = ClientInfo(address: "10.0.0.1", userAgent: "test")
    let number = "+79001234567"

    @Test(arguments: AuthTestBed.Backend.all)
    func idleAndAbsoluteTimeoutsAreEnforcedByTheServer(_ backend: AuthTestBed.Backend) async throws {
        try await AuthTestBed.with(backend) { bed in
            try await bed.line(number)
            let idle = try await bed.loginByCode(number)
            bed.clock.advance(by: .seconds(29 * 60))
            #expect(try await bed.service.authenticate(token: idle.token) != nil)
            bed.clock.advance(by: .seconds(29 * 60))
            #expect(try await bed.service.authenticate(token: idle.token) != nil, "activity keeps it alive")
            bed.clock.advance(by: .seconds(31 * 60))
            #expect(try await bed.service.authenticate(token: idle.token) == nil, "31 minutes idle")

            bed.clock.advance(by: .seconds(61))
            let busy = try await bed.loginByCode(number)
            for _ in 0..<25 {
                bed.clock.advance(by: .seconds(29 * 60))
                _ = try await bed.service.authenticate(token: busy.token)
            }
            #expect(try await bed.service.authenticate(token: busy.token) == nil, "12 hours is the end, however active")
            let journal = try await bed.service.journal(of: busy.session)
            #expect(journal.filter { $0.event == .sessionEnded }.count == 2)
        }
    }

    @Test(arguments: AuthTestBed.Backend.all)
    func logoutAndLogoutElsewhere(_ backend: AuthTestBed.Backend) async throws {
        try await AuthTestBed.with(backend) { bed in
            try await bed.line(number)
            let a = try await bed.loginByCode(number)
            bed.clock.advance(by: .seconds(61))
            let b = try await bed.loginByCode(number)
            bed.clock.advance(by: .seconds(61))
            let c = try await bed.loginByCode(number)
            #expect(try await bed.service.sessions(of: c.session).map(\.id).first == c.session.id)
            #expect(try await bed.service.sessions(of: c.session).count == 3)
            #expect(try await bed.service.endSession(id: a.session.id, of: c.session))
            #expect(try await bed.service.authenticate(token: a.token) == nil)
            #expect(try await bed.service.logoutOthers(c.session) == 1)
            #expect(try await bed.service.authenticate(token: b.token) == nil)
            try await bed.service.logout(c.session)
            #expect(try await bed.service.authenticate(token: c.token) == nil)
            #expect(try await bed.service.authenticate(token: "garbage") == nil)
        }
    }

    @Test(arguments: AuthTestBed.Backend.all)
    func stepUpConfirmsWithAFreshCodeAndRotatesTheToken(_ backend: AuthTestBed.Backend) async throws {
        try await AuthTestBed.with(backend) { bed in
            try await bed.line(number)
            let login = try await bed.loginByCode(number)
            let other = try await { () async throws -> LoginResult in
                bed.clock.advance(by: .seconds(61))
                return try await bed.loginByCode(number)
            }()
            bed.clock.advance(by: .seconds(61))
            _ = try await bed.service.requestStepUpCode(login.session, client: client)
            let code = try #require(try await bed.lastCode(to: number))
            // The code is bound to the session that asked for it.
            await #expect(throws: CabinetError.self) {
                try await bed.service.confirmStepUp(other.session, code: code, client: client)
            }
            let (token, session) = try await bed.service.confirmStepUp(login.session, code: code, client: client)
            #expect(session.steppedUpAt == bed.clock.now)
            #expect(try await bed.service.authenticate(token: login.token) == nil, "the old token is gone")
            #expect(try await bed.service.authenticate(token: token)?.session.steppedUpAt == bed.clock.now)
        }
    }

    @Test(arguments: AuthTestBed.Backend.all)
    func pushLoginCompletesOnceWhenConfirmed(_ backend: AuthTestBed.Backend) async throws {
        try await AuthTestBed.with(backend) { bed in
            try await bed.line(number)
            let started = try await bed.service.startPushLogin(for: MSISDN(e164: number)!, client: client)
            #expect(bed.push.asked == [started.id])
            guard case .pending = try await bed.service.pollPushLogin(id: started.id, kind: .web, client: client) else {
                Issue.record("not pending")
                return
            }
            try await bed.service.resolvePush(id: started.id, confirmed: true)
            guard
                case .loggedIn(let result) = try await bed.service.pollPushLogin(
                    id: started.id, kind: .web, client: client)
            else {
                Issue.record("not logged in")
                return
            }
            #expect(result.session.method == .push)
            guard case .expired = try await bed.service.pollPushLogin(id: started.id, kind: .web, client: client) else {
                Issue.record("used twice")
                return
            }
            // A confirmation not used before the request expires is no good afterwards.
            bed.clock.advance(by: .seconds(61))
            let late = try await bed.service.startPushLogin(for: MSISDN(e164: number)!, client: client)
            try await bed.service.resolvePush(id: late.id, confirmed: true)
            bed.clock.advance(by: .seconds(181))
            guard case .expired = try await bed.service.pollPushLogin(id: late.id, kind: .web, client: client) else {
                Issue.record("a confirmation was used after its request expired")
                return
            }
            // An unknown number gets a request that waits like a real one and can never be confirmed.
            bed.clock.advance(by: .seconds(61))
            let fake = try await bed.service.startPushLogin(for: MSISDN(e164: "+79009999999")!, client: client)
            guard case .pending = try await bed.service.pollPushLogin(id: fake.id, kind: .web, client: client) else {
                Issue.record("unknown number told apart")
                return
            }
            await #expect(throws: CabinetError.self) { try await bed.service.resolvePush(id: fake.id, confirmed: true) }
            bed.clock.advance(by: .seconds(121))
            guard case .expired = try await bed.service.pollPushLogin(id: fake.id, kind: .web, client: client) else {
                Issue.record("did not expire")
                return
            }
        }
    }

    @Test(arguments: AuthTestBed.Backend.all)
    func emailIsConfirmedByACode(_ backend: AuthTestBed.Backend) async throws {
        try await AuthTestBed.with(backend) { bed in
            try await bed.line(number)
            let session = try await bed.loginByCode(number).session
            _ = try await bed.service.updateProfile(
                session, fullName: .set("Иванов Иван"), email: .set("ivan@example.com"),
                contactNumber: .keep, postalAddress: .set("Москва"), client: client)
            let mail = try #require(try await bed.messages(to: "ivan@example.com").last)
            let code = try #require(AuthTestBed.code(in: mail.body))
            #expect(try await bed.service.profile(session).emailConfirmed == false)
            try await bed.service.confirmEmail(session, code: code, client: client)
            let profile = try await bed.service.profile(session)
            #expect(profile.emailConfirmed)
            #expect(profile.line.owner.completenessPercent == 75)
        }
    }

    /// The e-mail is where statements and notices go: changing it needs a fresh code to the line's number, and the
    /// phone and the old confirmed address are told; the new address counts only once confirmed.
    @Test(arguments: AuthTestBed.Backend.all)
    func changingTheEmailNeedsAStepUpAndTellsThePhoneAndTheOldAddress(_ backend: AuthTestBed.Backend) async throws {
        try await AuthTestBed.with(backend) { bed in
            let line = try await bed.line(number)
            let session = try await bed.loginByCode(number).session
            _ = try await bed.service.updateProfile(
                session, fullName: .keep, email: .set("ivan@example.com"), contactNumber: .keep, postalAddress: .keep,
                client: client)
            let confirmation = try #require(try await bed.messages(to: "ivan@example.com").last)
            let code = try #require(AuthTestBed.code(in: confirmation.body))
            try await bed.service.confirmEmail(session, code: code, client: client)
            #expect(try await bed.service.isConfirmed(email: "IVAN@example.com", of: line.id))

            // Six minutes later the login's code no longer vouches: the change is refused and nothing moves.
            bed.clock.advance(by: .seconds(360))
            let refused = await #expect(throws: CabinetError.self) {
                try await bed.service.updateProfile(
                    session, fullName: .keep, email: .set("thief@example.net"), contactNumber: .keep,
                    postalAddress: .keep, client: client)
            }
            #expect(refused?.code == AuthError.stepUpRequired)
            #expect(try await bed.service.profile(session).line.owner.email == "ivan@example.com")
            // Other fields need no step-up.
            _ = try await bed.service.updateProfile(
                session, fullName: .set("Иванов Иван"), email: .keep, contactNumber: .keep, postalAddress: .keep,
                client: client)

            _ = try await bed.service.requestStepUpCode(session, client: client)
            let stepUp = try #require(try await bed.lastCode(to: number))
            let (_, steppedUp) = try await bed.service.confirmStepUp(session, code: stepUp, client: client)
            _ = try await bed.service.updateProfile(
                steppedUp, fullName: .keep, email: .set("new@example.com"), contactNumber: .keep, postalAddress: .keep,
                client: client)
            #expect(try await bed.messages(to: number).last?.body.contains("new@example.com") == true)
            let told = try #require(try await bed.messages(to: "ivan@example.com").last)
            #expect(told.body.contains("new@example.com"), "the old confirmed address is told")
            #expect(try await bed.service.isConfirmed(email: "new@example.com", of: line.id) == false)
            #expect(try await bed.service.profile(steppedUp).emailConfirmed == false)
        }
    }
}
