public import Auth
import AuthStorage
public import CabinetCore
import CabinetMessaging
public import CabinetStorage
public import CabinetTesting
import Foundation
import Logging
public import Subscribers
import SubscribersTesting
import Synchronization

/// Auth wired for tests: the real SQL store on a test database or the in-memory store, in-memory lines, a manual
/// clock, bcrypt at cost 4.
public struct AuthTestBed: Sendable {
    /// Where Auth keeps its data in a test.
    public enum Storage: Sendable {
        /// `SQLAuthStore` on a migrated database; messages go to the outbox table.
        case sql(CabinetDatabase)
        /// ``InMemoryAuthStore``, which keeps the messages it queues.
        case memory(InMemoryAuthStore)
    }

    /// The backends Auth's domain tests run on: each SQL backend of ``TestDatabase/available`` and the in-memory store.
    ///
    /// The backends the module's domain tests run on: each SQL backend and the in-memory store.
    public typealias Backend = TestBackend

    public let storage: Storage
    /// The store the service uses (`SQLAuthStore` or the in-memory one).
    public let store: any AuthStore
    public let clock: ManualClock
    public let lines: DefaultSubscriberService
    public let service: DefaultAuthService
    public let push: RecordingPushGateway

    /// The database under the SQL store; `nil` on the in-memory store.
    public var database: CabinetDatabase? {
        if case .sql(let database) = storage { return database }
        return nil
    }

    /// The in-memory store; `nil` on a SQL backend.
    public var memoryStore: InMemoryAuthStore? {
        if case .memory(let store) = storage { return store }
        return nil
    }

    /// Moscow (`900`, `901`) and Almaty with Subscribers and Auth on, the federal auth policy.
    public static func regions(auth: AuthSettings = AuthSettings.Fallback.policy) -> RegionCatalog {
        RegionCatalog(regions: [
            .fixture(modules: ["subscribers", "auth"], settings: ["auth": auth]),
            .fixture(
                id: "almaty", name: "Алматы", currency: .kzt, timeZone: "Asia/Almaty", prefixes: ["701"],
                modules: ["subscribers", "auth"], settings: ["auth": auth]),
        ])
    }

    /// A test bed over `SQLAuthStore` on a migrated database (see ``migrations``).
    public init(
        database: CabinetDatabase, auth: AuthSettings = AuthSettings.Fallback.policy,
        providers: [IdentityProviderConfiguration] = [], providerClient: (any IdentityProviderClient)? = nil
    ) async {
        await self.init(storage: .sql(database), auth: auth, providers: providers, providerClient: providerClient)
    }

    /// A test bed over an in-memory store.
    public init(
        memory store: InMemoryAuthStore = InMemoryAuthStore(), auth: AuthSettings = AuthSettings.Fallback.policy,
        providers: [IdentityProviderConfiguration] = [], providerClient: (any IdentityProviderClient)? = nil
    ) async {
        await self.init(storage: .memory(store), auth: auth, providers: providers, providerClient: providerClient)
    }

    public init(
        storage: Storage, auth: AuthSettings = AuthSettings.Fallback.policy,
        providers: [IdentityProviderConfiguration] = [], providerClient: (any IdentityProviderClient)? = nil
    ) async {
        self.storage = storage
        let clock = ManualClock(iso8601: "2026-11-22T09:00:00Z")
        self.clock = clock
        let regions = Self.regions(auth: auth)
        lines = DefaultSubscriberService(
            store: InMemorySubscriberStore(), regions: regions, clock: clock, logger: .test)
        push = RecordingPushGateway()
        let store: any AuthStore =
            switch storage {
            case .sql(let database): SQLAuthStore(database: database)
            case .memory(let memory): memory
            }
        self.store = store
        service = await DefaultAuthService(
            store: store, lines: lines, regions: regions,
            secrets: AuthSecrets(secret: Data("test-secret-test-secret-test-secret".utf8)),
            hasher: BcryptPasswordHasher(cost: 4),
            commonPasswords: (try? CommonPasswords.bundled()) ?? CommonPasswords([]), push: push, providers: providers,
            providerClient: providerClient,
            clock: clock, logger: .test, webOTPHost: Self.webOTPHost)
    }

    /// The host the login code's WebOTP line names in tests.
    public static let webOTPHost = "lk.cabinet.test"

    /// The migrations Auth's tests need.
    public static var migrations: [Migration] { MessagingSchema.migrations + AuthSchema.migrations }

    /// Runs `body` with a test bed over a fresh database of a SQL backend.
    public static func with<T: Sendable>(
        _ backend: TestDatabase, auth: AuthSettings = AuthSettings.Fallback.policy,
        _ body: (AuthTestBed) async throws -> T
    ) async throws -> T {
        try await backend.withDatabase(migrations: migrations) { database throws in
            try await body(await AuthTestBed(database: database, auth: auth))
        }
    }

    /// Runs `body` with a test bed over a fresh store of `backend`.
    public static func with<T: Sendable>(
        _ backend: Backend, auth: AuthSettings = AuthSettings.Fallback.policy,
        _ body: (AuthTestBed) async throws -> T
    ) async throws -> T {
        switch backend {
        case .sql(let database): try await with(database, auth: auth, body)
        case .memory: try await body(await AuthTestBed(memory: InMemoryAuthStore(), auth: auth))
        }
    }

    /// Provisions an active line.
    @discardableResult
    public func line(_ number: String, region: String = "msk", status: LineStatus = .active, name: String? = nil)
        async throws -> Line
    {
        guard let msisdn = MSISDN(e164: number), let region = RegionID(rawValue: region) else {
            throw CabinetError.internal("bad test line \(number) in \(region)")
        }
        return try await lines.provision(
            NewLine(msisdn: msisdn, region: region, status: status, owner: OwnerProfile(fullName: name)))
    }

    /// Messages queued to a number or address, oldest first (the newest 100), from whichever store the bed has.
    public func messages(to recipient: String) async throws -> [QueuedMessage] {
        switch storage {
        case .sql(let database):
            try await database.read { db in try await Outbox.recent(to: recipient, limit: 100, on: db) }.reversed().map(
                QueuedMessage.init)
        case .memory(let store):
            Array(await store.messages(to: recipient).suffix(100))
        }
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
    public func loginByCode(
        _ number: String, client: ClientInfo = ClientInfo(address: "10.0.0.1", userAgent: "test"),
        kind: AuthSession.Kind = .api
    ) async throws -> LoginResult {
        guard let msisdn = MSISDN(e164: number) else { throw CabinetError.internal("bad test number \(number)") }
        _ = try await service.requestLoginCode(for: msisdn, client: client)
        guard let code = try await lastCode(to: number) else {
            throw CabinetError.internal("no code sent to \(number)")
        }
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
