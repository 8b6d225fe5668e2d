import Auth
import AuthTesting
import CabinetCore
import CabinetMessaging
import CabinetTesting
import Foundation
import Subscribers
import Testing

@Suite struct AccessTests {
    let client = ClientInfo(address: "10.0.0.1", userAgent: "test")
    let a = "+79001110001"
    let b = "+79001110002"
    let c = "+79001110003"

    func msisdn(_ text: String) -> MSISDN { MSISDN(e164: text)! }

    @Test(arguments: AuthTestBed.Backend.all)
    func aLinkedNumberNeedsItsOwnCodeAndCanBeActedOn(_ backend: AuthTestBed.Backend) async throws {
        try await AuthTestBed.with(backend) { bed in
            try await bed.line(a, name: "Иванов")
            try await bed.line(b, name: "Иванова")
            try await bed.line(c)
            let session = try await bed.loginByCode(a).session
            _ = try await bed.service.requestLink(session, msisdn: msisdn(b), client: client)
            let code = try #require(try await bed.lastCode(to: b))
            // A code sent to B cannot link C.
            await #expect(throws: CabinetError.self) {
                try await bed.service.confirmLink(session, msisdn: msisdn(c), code: code, client: client)
            }
            _ = try await bed.service.confirmLink(session, msisdn: msisdn(b), code: code, client: client)
            let lines = try await bed.service.accessibleLines(session)
            #expect(lines.map(\.access.msisdn.e164) == [a, b])
            #expect(lines[1].access.relation == .linked)
            let (token, _, line) = try await bed.service.switchLine(session, to: msisdn(b))
            #expect(line.msisdn.e164 == b)
            let authenticated = try #require(try await bed.service.authenticate(token: token))
            #expect(authenticated.line.msisdn.e164 == b)
            #expect(authenticated.line.scopes == Set(AccessScope.allCases))
            // IDOR: a line that is neither linked nor delegated cannot be acted on.
            await #expect(throws: CabinetError(AuthError.lineNotAccessible, arguments: ["msisdn": "+7 900 111-00-03"]))
            {
                try await bed.service.switchLine(authenticated.session, to: msisdn(c))
            }
            // The link is directed: B confirmed that A may act on B, not the reverse.
            bed.clock.advance(by: .seconds(61))
            let fromB = try await bed.loginByCode(b).session
            #expect(try await bed.service.accessibleLines(fromB).map(\.access.msisdn.e164) == [b])
            await #expect(throws: CabinetError.self) { try await bed.service.switchLine(fromB, to: msisdn(a)) }
            let links = try await bed.service.links(fromB)
            #expect(links.held.isEmpty && links.holders.map(\.msisdn.e164) == [a])
            // B ends it from its own side, at any time; A is told and loses B at once.
            try await bed.service.unlink(fromB, msisdn: msisdn(a), client: client)
            #expect(try await bed.service.accessibleLines(session).map(\.access.msisdn.e164) == [a])
            #expect(try await bed.messages(to: a).contains { $0.purpose == "auth.linkRemoved" })
            await #expect(throws: CabinetError(AuthError.linkNotFound, arguments: ["msisdn": "+7 900 111-00-01"])) {
                try await bed.service.unlink(fromB, msisdn: msisdn(a), client: client)
            }
        }
    }

    /// Whoever resets a line's password or logs in with its PUK may not be whoever linked it: every link of the line
    /// ends, both ways, and the other numbers and the line are told.
    @Test(arguments: AuthTestBed.Backend.all)
    func aResetOrAPUKLoginEndsTheLinesLinks(_ backend: AuthTestBed.Backend) async throws {
        try await AuthTestBed.with(backend) { bed in
            try await bed.line(a)
            try await bed.line(b)
            try await bed.line(c)
            let fromA = try await bed.loginByCode(a).session
            _ = try await bed.service.requestLink(fromA, msisdn: msisdn(b), client: client)
            _ = try await bed.service.confirmLink(
                fromA, msisdn: msisdn(b), code: try #require(try await bed.lastCode(to: b)), client: client)
            let fromC = try await bed.loginByCode(c).session
            bed.clock.advance(by: .seconds(61))
            _ = try await bed.service.requestLink(fromC, msisdn: msisdn(b), client: client)
            _ = try await bed.service.confirmLink(
                fromC, msisdn: msisdn(b), code: try #require(try await bed.lastCode(to: b)), client: client)
            bed.clock.advance(by: .seconds(61))
            #expect(try await bed.service.links(try await bed.loginByCode(b).session).holders.count == 2)
            bed.clock.advance(by: .seconds(61))
            _ = try await bed.service.requestPasswordReset(for: msisdn(b), client: client)
            let reset = try await bed.service.resetPassword(
                msisdn: msisdn(b), code: try #require(try await bed.lastCode(to: b)),
                newPassword: "новый-пароль-на-зиму", kind: .web, client: client)
            #expect(try await bed.service.accessibleLines(fromA).map(\.access.msisdn.e164) == [a])
            #expect(try await bed.service.accessibleLines(fromC).map(\.access.msisdn.e164) == [c])
            #expect(try await bed.messages(to: a).contains { $0.purpose == "auth.linkRemoved" })
            #expect(try await bed.messages(to: c).contains { $0.purpose == "auth.linkRemoved" })
            #expect(try await bed.messages(to: b).contains { $0.purpose == "auth.linkRemoved" })

            // A PUK login ends them too, and the line's delegations.
            let fromB = reset.session
            let bAccess = try #require(try await bed.service.accessibleLines(fromB).first).access
            _ = try await bed.service.grant(
                fromB, on: bAccess, to: msisdn(c), scopes: [.viewBalance], through: LocalDate("2026-12-31")!,
                client: client)
            #expect(try await bed.service.accessibleLines(fromC).map(\.access.msisdn.e164) == [c, b])
            bed.clock.advance(by: .seconds(61))
            bed.clock.advance(by: .seconds(61))
            _ = try await bed.service.requestLink(fromA, msisdn: msisdn(b), client: client)
            _ = try await bed.service.confirmLink(
                fromA, msisdn: msisdn(b), code: try #require(try await bed.lastCode(to: b)), client: client)
            try await bed.service.provisionPUK("12345678", for: msisdn(b))
            _ = try await bed.service.login(msisdn: msisdn(b), puk: "12345678", kind: .web, client: client)
            #expect(try await bed.service.accessibleLines(fromA).map(\.access.msisdn.e164) == [a])
            #expect(
                try await bed.service.accessibleLines(fromC).map(\.access.msisdn.e164) == [c], "the delegation ended")
        }
    }

    @Test(arguments: AuthTestBed.Backend.all)
    func theRegionLimitsHowManyNumbersALinkHas(_ backend: AuthTestBed.Backend) async throws {
        var policy = AuthSettings.Fallback.policy
        policy.linkedNumbersLimit = 1
        try await AuthTestBed.with(backend, auth: policy) { bed in
            try await bed.line(a)
            try await bed.line(b)
            try await bed.line(c)
            let session = try await bed.loginByCode(a).session
            _ = try await bed.service.requestLink(session, msisdn: msisdn(b), client: client)
            _ = try await bed.service.confirmLink(
                session, msisdn: msisdn(b), code: try #require(try await bed.lastCode(to: b)), client: client)
            await #expect(throws: CabinetError(AuthError.linkLimit, arguments: ["limit": "1"])) {
                try await bed.service.requestLink(session, msisdn: msisdn(c), client: client)
            }
            await #expect(throws: CabinetError.self) {
                try await bed.service.requestLink(session, msisdn: msisdn(a), client: client)
            }
        }
    }

    @Test(arguments: AuthTestBed.Backend.all)
    func delegationGrantsScopesUntilRevokedOrExpired(_ backend: AuthTestBed.Backend) async throws {
        try await AuthTestBed.with(backend) { bed in
            try await bed.line(a, name: "Мама")
            try await bed.line(b, name: "Сын")
            try await bed.line(c)
            let owner = try await bed.loginByCode(a)
            let ownerAccess = try #require(try await bed.service.authenticate(token: owner.token)).line
            let grant = try await bed.service.grant(
                owner.session, on: ownerAccess, to: msisdn(b), scopes: [.viewBalance],
                through: LocalDate("2026-12-31")!, client: client)
            #expect(grant.expiresAt == LocalDate("2027-01-01")!.startOfDay(in: TimeZone(identifier: "Europe/Moscow")!))
            #expect(try await bed.messages(to: a).contains { $0.purpose == "auth.delegation" })
            #expect(try await bed.messages(to: b).contains { $0.purpose == "auth.delegation" })

            bed.clock.advance(by: .seconds(61))
            let grantee = try await bed.loginByCode(b)
            let lines = try await bed.service.accessibleLines(grantee.session)
            #expect(lines.map(\.access.msisdn.e164) == [b, a])
            let (token, session, access) = try await bed.service.switchLine(grantee.session, to: msisdn(a))
            #expect(access.scopes == [.viewBalance])
            #expect(throws: CabinetError.self) { try access.require(.pay) }
            #expect(try await bed.service.authenticate(token: token)?.line.msisdn.e164 == a)
            // Rights received cannot be passed on.
            await #expect(throws: CabinetError(AuthError.delegationNotOwner)) {
                try await bed.service.grant(
                    session, on: access, to: msisdn(c), scopes: [.viewBalance], through: LocalDate("2026-12-01")!,
                    client: client)
            }
            // Revocation takes effect on the grantee's next request.
            try await bed.service.revoke(owner.session, delegation: grant.id, client: client)
            await #expect(throws: CabinetError(AuthError.accessRevoked)) {
                try await bed.service.authenticate(token: token)
            }
            #expect(try await bed.service.authenticate(token: token)?.line.msisdn.e164 == b, "back on the own line")

            // Expiry ends it too.
            _ = try await bed.service.grant(
                owner.session, on: ownerAccess, to: msisdn(b), scopes: [.pay, .viewBalance],
                through: LocalDate("2026-11-23")!, client: client)
            let (again, _, _) = try await bed.service.switchLine(
                try #require(try await bed.service.authenticate(token: token)).session,
                to: msisdn(a))
            bed.clock.set(ISO8601DateFormatter().date(from: "2026-11-23T21:00:01Z")!)
            #expect(try await bed.service.accessibleLines(session).map(\.access.msisdn.e164) == [b])
            let afterExpiry = try? await bed.service.authenticate(token: again)
            #expect(afterExpiry.flatMap { $0 }?.line.msisdn.e164 != a)
        }
    }

    /// A step-up vouches for the line whose number received the code: a delegate acting on the owner's line gets no
    /// code on their own phone; the owner's number gets it, saying who asks, and only that code steps the session up.
    @Test(arguments: AuthTestBed.Backend.all)
    func aDelegatesStepUpCodeGoesToTheOwnersNumber(_ backend: AuthTestBed.Backend) async throws {
        try await AuthTestBed.with(backend) { bed in
            try await bed.line(a)
            try await bed.line(b)
            let owner = try await bed.loginByCode(a)
            let ownerAccess = try #require(try await bed.service.authenticate(token: owner.token)).line
            _ = try await bed.service.grant(
                owner.session, on: ownerAccess, to: msisdn(b), scopes: [.pay, .moveMoney],
                through: LocalDate("2026-12-31")!, client: client)
            bed.clock.advance(by: .seconds(61))
            let grantee = try await bed.loginByCode(b)
            #expect(
                grantee.session.info.steppedUpFor == grantee.session.subscriberID,
                "a code login vouches for the own line")
            let (_, acting, access) = try await bed.service.switchLine(grantee.session, to: msisdn(a))
            #expect(access.scopes == [.pay, .moveMoney])
            let sentToGrantee = try await bed.messages(to: b).count
            bed.clock.advance(by: .seconds(61))
            _ = try await bed.service.requestStepUpCode(acting, client: client)
            #expect(try await bed.messages(to: b).count == sentToGrantee, "nothing goes to the delegate's phone")
            let text = try #require(try await bed.messages(to: a).last { $0.purpose == "auth.stepUp" }).body
            #expect(text.contains("просит действие"), "the owner is told who asks: \(text)")
            let code = try #require(AuthTestBed.code(in: text.components(separatedBy: "Код:").last ?? ""))
            let (_, confirmed) = try await bed.service.confirmStepUp(acting, code: code, client: client)
            #expect(confirmed.steppedUpFor == ownerAccess.subscriberID)
            #expect(confirmed.info.steppedUpFor == ownerAccess.subscriberID)
        }
    }

    @Test(arguments: AuthTestBed.Backend.all)
    func onlyTheOwnerRevokesAndGrantsAreJournaled(_ backend: AuthTestBed.Backend) async throws {
        try await AuthTestBed.with(backend) { bed in
            try await bed.line(a)
            try await bed.line(b)
            let owner = try await bed.loginByCode(a)
            let access = try #require(try await bed.service.authenticate(token: owner.token)).line
            let grant = try await bed.service.grant(
                owner.session, on: access, to: msisdn(b), scopes: [.viewBalance],
                through: LocalDate("2026-12-31")!, client: client)
            bed.clock.advance(by: .seconds(61))
            let grantee = try await bed.loginByCode(b)
            await #expect(throws: CabinetError(AuthError.delegationNotFound)) {
                try await bed.service.revoke(grantee.session, delegation: grant.id, client: client)
            }
            let journal = try await bed.service.journal(of: owner.session).map(\.event)
            #expect(journal.contains(.delegationGranted))
            await #expect(throws: CabinetError.self) {
                try await bed.service.grant(
                    owner.session, on: access, to: msisdn(a), scopes: [.viewBalance],
                    through: LocalDate("2026-12-31")!, client: client)
            }
            await #expect(throws: CabinetError.self) {
                try await bed.service.grant(
                    owner.session, on: access, to: msisdn(b), scopes: [], through: LocalDate("2026-12-31")!,
                    client: client)
            }
            await #expect(throws: CabinetError.self) {
                try await bed.service.grant(
                    owner.session, on: access, to: msisdn(b), scopes: [.pay], through: LocalDate("2026-11-01")!,
                    client: client)
            }
        }
    }

    @Test func textsExistInBothLanguages() throws {
        let catalog = try AuthModule.messages()
        #expect(catalog.untranslatedKeys.isEmpty)
        for code in AuthError.all {
            #expect(catalog.contains(code.rawValue, in: .ru), "\(code)")
            #expect(catalog.contains(code.rawValue, in: .en), "\(code)")
        }
        #expect(try CommonPasswords.bundled().count > 8000)
    }
}
