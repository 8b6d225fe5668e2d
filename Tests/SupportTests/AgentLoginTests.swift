import CabinetCore
import CabinetTesting
import Foundation
import Subscribers
import Support
import SupportStorage
import SupportTesting
import Testing

/// Agents log in with a password and a TOTP code (RFC 6238) against a fixed clock: enrolment first, a code used
/// once, lock-out after five failures, disabled agents out.
@Suite struct AgentLoginTests {
    @Test(arguments: TestDatabase.available)
    func passwordAndCodeWithEnrolmentFirst(_ backend: TestDatabase) async throws {
        try await SupportTestBed.with(backend) { bed in
            let (agent, credentials) = try await bed.agent("anna")
            #expect(!agent.enrolled)
            // Password right, no code: the secret to enrol.
            let first = try await bed.service.login(
                login: "anna", password: credentials.password, code: "", clientAddress: "10.0.0.1")
            guard case .enrolmentNeeded(let secret, let uri) = first else {
                Issue.record("expected enrolment, got \(first)")
                return
            }
            #expect(secret == credentials.totpSecret)
            #expect(uri.hasPrefix("otpauth://totp/"))
            // A wrong password with no code shows nothing.
            await #expect(throws: CabinetError.self) {
                try await bed.service.login(login: "anna", password: "wrong", code: "", clientAddress: nil)
            }
            let code = bed.code(for: credentials)
            let result = try await bed.service.login(
                login: "anna", password: credentials.password, code: code, clientAddress: nil)
            guard case .session(let token, let session) = result else {
                Issue.record("expected a session")
                return
            }
            #expect(session.agent.enrolled)
            #expect(try await bed.service.session(token: token)?.agent.id == agent.id)
            // The same code does not log in twice.
            let replay = await #expect(throws: CabinetError.self) {
                try await bed.service.login(
                    login: "anna", password: credentials.password, code: code, clientAddress: nil)
            }
            #expect(replay?.code == SupportError.agentLoginFailed)
            // A code of the next 30 seconds works once they come; one from two steps away never does.
            bed.clock.advance(by: .seconds(30))
            let far = bed.code(for: credentials, offset: 90)
            await #expect(throws: CabinetError.self) {
                try await bed.service.login(
                    login: "anna", password: credentials.password, code: far, clientAddress: nil)
            }
            _ = try await bed.service.login(
                login: "anna", password: credentials.password, code: bed.code(for: credentials), clientAddress: nil)
            // The agent's own password replaces the operator's; a wrong current one or a short new one is refused.
            await #expect(throws: CabinetError.self) {
                try await bed.service.changePassword(of: agent, current: "wrong", new: "A-long-enough-password")
            }
            let weak = await #expect(throws: CabinetError.self) {
                try await bed.service.changePassword(of: agent, current: credentials.password, new: "short")
            }
            #expect(weak?.fieldErrors.first?.code == SupportError.agentPasswordWeak)
            try await bed.service.changePassword(
                of: agent, current: credentials.password, new: "A-long-enough-password")
            #expect(try await bed.service.session(token: token)?.agent.passwordSet == true)
            bed.clock.advance(by: .seconds(30))
            await #expect(throws: CabinetError.self) {
                try await bed.service.login(
                    login: "anna", password: credentials.password, code: bed.code(for: credentials), clientAddress: nil)
            }
            bed.clock.advance(by: .seconds(30))
            _ = try await bed.service.login(
                login: "anna", password: "A-long-enough-password", code: bed.code(for: credentials), clientAddress: nil)
            // Logged out, the token is dead.
            try await bed.service.logout(token: token)
            #expect(try await bed.service.session(token: token) == nil)
        }
    }

    @Test(arguments: TestDatabase.available)
    func theAuthenticatorKeyIsStoredSealed(_ backend: TestDatabase) async throws {
        try await SupportTestBed.with(backend) { bed in
            let (_, credentials) = try await bed.agent("sealed")
            let stored = try #require(try await bed.store.agent(login: "sealed")).totpSecret
            let plain = try #require(Base32.decode(credentials.totpSecret))
            #expect(!stored.contains(credentials.totpSecret))
            #expect(!stored.contains(Hex.encode(plain)))
            #expect(AgentSecretBox(secret: Data(repeating: 7, count: 32)).open(stored) == plain)
            // Another server secret opens nothing.
            #expect(AgentSecretBox(secret: Data(repeating: 8, count: 32)).open(stored) == nil)
            #expect(AgentSecretBox(secret: Data(repeating: 7, count: 32)).open("not sealed") == nil)
        }
    }

    @Test(arguments: TestDatabase.available)
    func failuresLockAndDisablingEndsSessions(_ backend: TestDatabase) async throws {
        try await SupportTestBed.with(backend) { bed in
            let (_, credentials) = try await bed.agent("boris")
            for _ in 0..<5 {
                await #expect(throws: CabinetError.self) {
                    try await bed.service.login(login: "boris", password: "wrong", code: "123456", clientAddress: nil)
                }
            }
            // Locked now, even with everything right.
            let locked = await #expect(throws: CabinetError.self) {
                try await bed.service.login(
                    login: "boris", password: credentials.password, code: bed.code(for: credentials),
                    clientAddress: nil)
            }
            #expect(locked?.code == SupportError.agentLocked)
            #expect((locked?.retryAfterSeconds ?? 0) > 0)
            bed.clock.advance(by: .seconds(16 * 60))
            let result = try await bed.service.login(
                login: "boris", password: credentials.password, code: bed.code(for: credentials), clientAddress: nil)
            guard case .session(let token, _) = result else {
                Issue.record("expected a session")
                return
            }
            try await bed.service.setDisabled(login: "boris", true)
            #expect(try await bed.service.session(token: token) == nil)
            bed.clock.advance(by: .seconds(30))
            let disabled = await #expect(throws: CabinetError.self) {
                try await bed.service.login(
                    login: "boris", password: credentials.password, code: bed.code(for: credentials),
                    clientAddress: nil)
            }
            #expect(disabled?.code == SupportError.agentLoginFailed)
            // An unknown login answers as a wrong password does.
            let unknown = await #expect(throws: CabinetError.self) {
                try await bed.service.login(login: "nobody", password: "x", code: "123456", clientAddress: nil)
            }
            #expect(unknown?.code == SupportError.agentLoginFailed)
            // Logins and regions are checked when an agent is made.
            await #expect(throws: CabinetError.self) {
                try await bed.service.addAgent(login: "Bad Login", name: "X", role: .agent, regions: [])
            }
            let duplicate = await #expect(throws: CabinetError.self) {
                try await bed.service.addAgent(
                    login: "boris", name: "Again", role: .agent, regions: [try #require(RegionID(rawValue: "msk"))])
            }
            #expect(duplicate?.code == SupportError.agentExists)
        }
    }
}
