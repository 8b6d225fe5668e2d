public import Billing
import BillingStorage
public import BillingTesting
public import CabinetCore
import CabinetMessaging
public import CabinetStorage
public import CabinetTesting
public import Foundation
public import Payments
import PaymentsStorage
public import Subscribers
public import SubscribersTesting

/// Payments wired for tests: on a SQL backend, ``BillingTestBed`` with the real payments store joined to Billing's
/// ledger; in memory, ``InMemoryPaymentsStore`` over an ``InMemoryBalanceLedger``. Either way the sandbox gateway,
/// in-memory lines, the manual clock, and Moscow's payment rules (top-ups 50–15 000, promised payment from 60 days on
/// the network).
///
/// Domain tests read money, request records and SMS through the bed (``balance(_:)``, ``check()``,
/// ``movements(of:kinds:limit:)``, ``requests(of:limit:)``, ``messages(to:)``), so they run on every backend.
public struct PaymentsTestBed: Sendable {
    /// Where Payments and the ledger keep their data in a test.
    public enum Storage: Sendable {
        /// `SQLPaymentsStore` beside `SQLBillingStore` on Billing's test database; SMS go to the outbox table.
        case sql(BillingTestBed)
        /// ``InMemoryPaymentsStore`` and its ``InMemoryPaymentsStore/ledger``; the store keeps the SMS it queues.
        case memory(InMemoryPaymentsStore)
    }

    /// The backends Payments' domain tests run on: each SQL backend of ``TestDatabase/available`` and memory.
    ///
    /// The backends the module's domain tests run on: each SQL backend and the in-memory store.
    public typealias Backend = TestBackend

    /// A text queued for a subscriber, as a test reads it (from the outbox table, or from the in-memory store).
    public struct Message: Sendable, Hashable {
        /// The E.164 number.
        public var recipient: String
        public var body: String
        /// Why it was sent (`payments.autopay`, and on SQL Billing's `billing.lowBalance`).
        public var purpose: String
        public var createdAt: Date
    }

    public let storage: Storage
    /// The store the service uses (`SQLPaymentsStore` or ``InMemoryPaymentsStore``).
    public let store: any PaymentsStore
    /// Billing's ledger the service posts to (`SQLBillingStore` or ``InMemoryBalanceLedger``).
    public let ledger: any BalanceLedger
    public let clock: ManualClock
    public let lines: DefaultSubscriberService
    public let directory: InMemorySubscriberStore
    public let regions: RegionCatalog
    public let sandbox: SandboxGateway
    public let service: DefaultPaymentsService
    public static let secret = Data("sandbox-test-secret".utf8)

    public static let paymentsYAML = """
        topUp: {minimum: "50.00", maximum: "15000.00"}
        promisedPayment:
          availableBelow: "100.00"
          maxActive: 1
          tiers:
            - {minDaysOnNetwork: 60, minAverageMonthlyTopUps: "0.00", amounts: ["50.00", "100.00"], termDays: 3, fee: "5.00"}
            - {minDaysOnNetwork: 180, minAverageMonthlyTopUps: "300.00", amounts: ["100.00", "200.00", "300.00"], termDays: 7, fee: "15.00"}
        transfers: {minimum: "10.00", maxPerTransfer: "5000.00", maxPerDay: "15000.00", fee: "2.00"}
        autopay: {maxAmount: "5000.00", maxPerMonth: "15000.00"}
        anonymous: {maxPerAddressPerHour: 5, maxPerNumberPerHour: 3}
        """

    public static var migrations: [Migration] {
        BillingTestBed.migrations + SQLIdempotencyStore.migrations + SQLRateLimiter.migrations
            + PaymentsSchema.migrations
    }

    /// Billing's settings for the test regions plus Payments' section.
    ///
    /// - Parameter gateway: the regions' `payments.gateway`.
    public static func extraSettings(gateway: String = "sandbox") -> BillingTestBed.ExtraSettings {
        let yaml = paymentsYAML + "\ngateway: \(gateway)"
        return [
            "payments": { currency in SettingsProbe.read(PaymentsSettings.self, yaml: yaml, currency: currency).settings
            }
        ]
    }

    /// Runs `body` with a test bed over a fresh database of a SQL backend.
    ///
    /// - Parameter gateway: the regions' `payments.gateway` (the sandbox unless a test brings another).
    public static func with<T: Sendable>(
        _ backend: TestDatabase, start: String = BillingTestBed.defaultStart,
        gateway: String = "sandbox", _ body: (PaymentsTestBed) async throws -> T
    ) async throws -> T {
        try await backend.withDatabase(migrations: migrations) { database throws in
            let billing = try await BillingTestBed(
                database: database, start: start, extraSettings: extraSettings(gateway: gateway))
            return try await body(PaymentsTestBed(billing: billing))
        }
    }

    /// Runs `body` with a test bed over a fresh store of `backend`.
    public static func with<T: Sendable>(
        _ backend: Backend, start: String = BillingTestBed.defaultStart,
        gateway: String = "sandbox", _ body: (PaymentsTestBed) async throws -> T
    ) async throws -> T {
        switch backend {
        case .sql(let database): try await with(database, start: start, gateway: gateway, body)
        case .memory: try await body(PaymentsTestBed(memory: InMemoryPaymentsStore(), start: start, gateway: gateway))
        }
    }

    /// A test bed over `SQLPaymentsStore` on Billing's database, whose regions carry Payments' section
    /// (``extraSettings(gateway:)``).
    public init(billing: BillingTestBed) {
        let store = SQLPaymentsStore(database: billing.database, ledger: billing.store)
        self.init(
            storage: .sql(billing), store: store, ledger: billing.store, clock: billing.clock, lines: billing.lines,
            directory: billing.directory, regions: billing.rules.regions,
            limiter: SQLRateLimiter(database: billing.database))
    }

    /// A test bed over an in-memory store, the clock at `start`.
    public init(
        memory store: InMemoryPaymentsStore = InMemoryPaymentsStore(), start: String = BillingTestBed.defaultStart,
        gateway: String = "sandbox"
    ) {
        let clock = ManualClock(iso8601: start)
        let regions = BillingTestBed.regions(extra: Self.extraSettings(gateway: gateway))
        let directory = InMemorySubscriberStore()
        self.init(
            storage: .memory(store), store: store, ledger: store.ledger, clock: clock,
            lines: DefaultSubscriberService(store: directory, regions: regions, clock: clock, logger: .test),
            directory: directory,
            regions: regions, limiter: InMemoryRateLimiter())
    }

    private init(
        storage: Storage, store: any PaymentsStore, ledger: any BalanceLedger, clock: ManualClock,
        lines: DefaultSubscriberService, directory: InMemorySubscriberStore, regions: RegionCatalog,
        limiter: any RateLimiter
    ) {
        self.storage = storage
        self.store = store
        self.ledger = ledger
        self.clock = clock
        self.lines = lines
        self.directory = directory
        self.regions = regions
        sandbox = SandboxGateway(secret: Self.secret, pageBaseURL: "http://127.0.0.1:8080")
        service = DefaultPaymentsService(
            store: store, ledger: ledger, lines: directory, regions: regions, gateways: [sandbox],
            defaultGateway: "sandbox", limiter: limiter, clock: clock, logger: .test)
    }

    /// Billing's test bed under the SQL stores. A bed in memory has none: asking for it is a mistake in the test (tests
    /// that run on every backend use the bed's own ``clock``, ``directory``, ``ledger`` and readers).
    public var billing: BillingTestBed {
        guard case .sql(let billing) = storage else {
            preconditionFailure("an in-memory PaymentsTestBed has no BillingTestBed")
        }
        return billing
    }

    /// The database under the SQL stores; `nil` in memory.
    public var database: CabinetDatabase? {
        if case .sql(let billing) = storage { return billing.database }
        return nil
    }

    /// The in-memory store; `nil` on a SQL backend.
    public var memoryStore: InMemoryPaymentsStore? {
        if case .memory(let store) = storage { return store }
        return nil
    }

    // MARK: - Lines and money

    /// A line of Moscow activated `daysAgo` days ago with `credit` on the balance (on SQL, on the `payg` tariff).
    public func line(_ number: String, daysAgo: Int = 400, credit: String? = nil) async throws -> Line {
        let line: Line
        switch storage {
        case .sql(let billing):
            line = try await billing.line(number, tariff: "payg", credit: credit)
        case .memory(let store):
            guard let msisdn = MSISDN(e164: number), let region = RegionID(rawValue: "msk"),
                let currency = regions.region(region)?.currency
            else {
                throw CabinetError.internal("bad test line \(number)")
            }
            line = try await lines.provision(
                NewLine(
                    msisdn: msisdn, region: region, status: .active,
                    owner: OwnerProfile(fullName: "Иванов Иван", email: "owner@example.com")))
            await store.ledger.openAccount(for: line.id, currency: currency)
            if let credit {
                // As Billing's test bed credits it: a top-up posted directly.
                _ = try await store.ledger.post(
                    LedgerPosting(
                        externalID: "credit:\(line.id.rawValue)", kind: .topUp, line: line.id,
                        amount: try Money(parsing: credit, currency: currency),
                        counterparty: .gateway, explanation: "billing.explain.topUp", allowsNegativeBalance: true,
                        at: clock.now))
            }
        }
        var changed = line
        changed.activatedOn = LocalDate(clock.now, in: TimeZone(identifier: "Europe/Moscow") ?? .gmt).adding(
            days: -daysAgo)
        _ = try await directory.update(changed, ifStatus: line.status)
        return changed
    }

    /// The line's balance, e.g. `"500.00"`.
    public func balance(_ line: Line) async throws -> String { try await ledger.balance(of: line.id).amountString }

    /// The ledger check; tests call it after every scenario.
    public func check() async throws -> LedgerCheckReport {
        switch storage {
        case .sql(let billing): try await billing.check()
        case .memory(let store): await store.ledger.check()
        }
    }

    /// The line's balance history, newest first (of `kinds`, or of every kind when empty).
    public func movements(of line: Line, kinds: Set<MovementKind> = [], limit: Int = 50) async throws
        -> [LedgerMovement]
    {
        let query = MovementQuery(kinds: kinds, limit: limit)
        return switch storage {
        case .sql(let billing): try await billing.service.history(billing.access(line), query: query)
        case .memory(let store): await store.ledger.movements(of: line.id, query: query)
        }
    }

    /// Whether the line's paid outgoing service is restricted (its balance is below zero); `nil` without an account.
    public func isRestricted(_ line: Line) async throws -> Bool? {
        switch storage {
        case .sql(let billing): try await billing.store.account(of: line.id)?.restricted
        case .memory(let store): await store.ledger.isRestricted(line.id)
        }
    }

    /// The line's request records, newest first.
    public func requests(of line: Line, limit: Int = 10) async throws -> [ServiceRequest] {
        switch storage {
        case .sql(let billing): try await billing.requests.requests(of: line.id, before: nil, limit: limit)
        case .memory(let store): await store.requests(of: line.id, limit: limit)
        }
    }

    /// Texts queued to a number (E.164), oldest first. On SQL these include Billing's notices (low balance); the
    /// in-memory ledger sends none.
    public func messages(to number: String) async throws -> [Message] {
        switch storage {
        case .sql(let billing):
            try await billing.messages(to: number).map {
                Message(recipient: $0.recipient, body: $0.body, purpose: $0.purpose, createdAt: $0.createdAt)
            }
        case .memory(let store):
            await store.messages(to: number).map {
                Message(recipient: $0.to.e164, body: $0.text, purpose: $0.purpose, createdAt: $0.queuedAt)
            }
        }
    }

    // MARK: - Paying

    /// Starts a top-up and pays it on the sandbox page with `card`; returns the payment after every webhook arrived.
    @discardableResult
    public func topUp(_ line: Line, _ amount: String, card: String = "4242 4242 4242 4242", saveCard: Bool = false)
        async throws -> Payment
    {
        let started = try await service.startTopUp(
            of: line.id, amount: try Money(parsing: amount, currency: .rub), method: .card,
            saveCard: saveCard, returnURL: { "/payments/\($0)" })
        guard
            case .finished(_, let webhooks) = try await sandbox.pay(
                started.payment.gatewayPaymentID ?? "", card: card,
                expiry: "12/30", cvc: "123", now: clock.now)
        else { return started.payment }
        for webhook in webhooks {
            try await service.receiveWebhook(gateway: "sandbox", body: webhook.body, signature: webhook.signature)
        }
        return try await service.payment(started.payment.id, of: nil)
    }
}
