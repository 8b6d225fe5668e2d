public import Auth
import AuthStorage
public import CabinetCore
public import CabinetMessaging
public import CabinetStorage
public import CabinetTesting
import Foundation
import Logging
public import Subscribers
import SubscribersTesting

/// Auth wired for tests: the real SQL store on a test database, in-memory lines, a manual clock, bcrypt at cost 4.
public struct AuthTestBed: Sendable {
    public let database: CabinetDatabase
    public let clock: ManualClock
    public let lines: DefaultSubscriberService
    public let service: DefaultAuthService
    public let push: RecordingPushGateway

    /// Moscow (`900`, `901`) and Almaty with Subscribers and Auth on, the federal auth policy.
    public static func regions(auth: AuthSettings = AuthSettings.Fallback.policy) -> RegionCatalog {
        RegionCatalog(regions: [
            .fixture(modules: ["subscribers", "auth"], settings: ["auth": auth]),
            .fixture(id: "almaty", name: "Алматы", currency: .kzt, timeZone: "Asia/Almaty", prefixes: ["701"],
                     modules: ["subscribers", "auth"], settings: ["auth": auth]),
        ])
    }

    public init(database: CabinetDatabase, auth: AuthSettings = AuthSettings.Fallback.policy,
                providers: [IdentityProviderConfiguration] = [], providerClient: (any IdentityProviderClient)? = nil) async {
        self.database = database
        let clock = ManualClock(iso8601: "2026-11-22T09:00:00Z")
        self.clock = clock
        let regions = Self.regions(auth: auth)
        lines = DefaultSubscriberService(store: InMemorySubscriberStore(), regions: regions, clock: clock, logger: .test)
        push = RecordingPushGateway()
        service = await DefaultAuthService(
            store: SQLAuthStore(database: database), lines: lines, regions: regions,
            secrets: AuthSecrets(secret: Data("test-secret-test-secret-test-secret".utf8)), hasher: BcryptPasswordHasher(cost: 4),
            commonPasswords: (try? CommonPasswords.bundled()) ?? CommonPasswords([]), push: push, providers: providers, providerClient: providerClient,
            clock: clock, logger: .test)
    }

    /// The migrations Auth's tests need.
    public static var migrations: [Migration] { MessagingSchema.migrations + AuthSchema.migrations }

    /// Runs `body` with a test bed over each backend's fresh database.
    public static func with<T: Sendable>(_ backend: TestDatabase, auth: AuthSettings = AuthSettings.Fallback.policy,
                                         _ body: (AuthTestBed) async throws -> T) async throws -> T {
        try await backend.withDatabase(migrations: migrations) { database throws in
            try await body(await AuthTestBed(database: database, auth: auth))
        }
    }

    /// Provisions an active line.
    @discardableResult
    public func line(_ number: String, region: String = "msk", status: LineStatus = .active, name: String? = nil) async throws -> Line {
        try await lines.provision(NewLine(msisdn: MSISDN(e164: number)!, region: RegionID(rawValue: region)!, status: status,
                                          owner: OwnerProfile(fullName: name)))
    }

    /// Messages queued to a number or address, oldest first.
    public func messages(to recipient: String) async throws -> [OutboxEntry] {
        try await database.read { db in try await Outbox.recent(to: recipient, limit: 100, on: db) }.reversed()
    }

    /// The digits of the newest code texted to `number`, if any.
    public func lastCode(to number: String) async throws -> String? {
        guard let text = try await messages(to: number).last?.body else { return nil }
        return Self.code(in: text)
    }

    public static func code(in text: String) -> String? {
        text.split(whereSeparator: { !$0.isNumber }).map(String.init).first { $0.count >= 4 && $0.count <= 8 }
    }

    /// Logs in by SMS code (requests a code, reads it from the outbox, enters it).
    public func loginByCode(_ number: String, client: ClientInfo = ClientInfo(address: "10.0.0.1", userAgent: "test"),
                            kind: AuthSession.Kind = .api) async throws -> LoginResult {
        let msisdn = MSISDN(e164: number)!
        _ = try await service.requestLoginCode(for: msisdn, client: client)
        guard let code = try await lastCode(to: number) else { throw CabinetError.internal("no code sent to \(number)") }
        return try await service.login(msisdn: msisdn, code: code, kind: kind, client: client)
    }
}

/// A push gateway that remembers what it was asked.
public final class RecordingPushGateway: PushConfirmationGateway {
    private let requests = Mutex<[String]>([])
    public init() {}
    public var asked: [String] { requests.withLock { $0 } }
    public func requestConfirmation(id: String, msisdn: MSISDN, text: String) async throws {
        requests.withLock { $0.append(id) }
    }
}

import Synchronization
