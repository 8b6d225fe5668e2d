public import Billing
public import BillingStorage
public import CabinetCore
public import CabinetMessaging
public import CabinetStorage
public import CabinetTesting
public import Foundation
import Logging
public import Subscribers
public import SubscribersTesting
public import Tariffs
import TariffsStorage
import TariffsTesting

/// Billing wired for tests: the real SQL store on a test database or ``InMemoryBillingStore``, in-memory lines, a
/// manual clock, and a catalogue that does not change when an operator edits Regions/ (``TariffsFixture``).
///
/// Domain tests take a ``Backend`` and reach the store through ``billingStore``, ``requests``, ``lineTariffs``,
/// ``queuedMessages(to:)`` and ``deliverMail()``, so they run on SQL and in memory alike. ``database``, ``store`` and
/// ``messages(to:)`` are the SQL backend's own, for tests of SQL behaviour and for test beds built on this one.
public struct BillingTestBed: Sendable {
    /// Where Billing keeps its data in a test.
    public enum Storage: Sendable {
        /// `SQLBillingStore` on a migrated database (see ``migrations``); messages go to the outbox table.
        case sql(CabinetDatabase)
        /// ``InMemoryBillingStore``, which keeps its requests, tariff spans and the messages it queues.
        case memory(InMemoryBillingStore)
    }

    /// The backends Billing's domain tests run on: each SQL backend of ``TestDatabase/available`` and the in-memory store.
    ///
    /// The backends the module's domain tests run on: each SQL backend and the in-memory store.
    public typealias Backend = TestBackend

    public let storage: Storage
    /// The store the service uses (`SQLBillingStore` or ``InMemoryBillingStore``).
    public let billingStore: any BillingStore
    /// The request records the store opens (tariff changes, statements).
    public let requests: any RequestRegistry
    /// The lines' tariff spans the store keeps with Tariffs.
    public let lineTariffs: any LineTariffStore
    public let clock: ManualClock
    /// Which e-mail addresses count as confirmed (every one unless a test says otherwise).
    public let emails = TestConfirmedEmails()
    public let lines: DefaultSubscriberService
    public let directory: InMemorySubscriberStore
    public let service: DefaultBillingService
    public let rules: BillingRules
    public let texts: BillingTexts
    private let sqlStore: SQLBillingStore?

    /// The database under the SQL store; `nil` on the in-memory store.
    public var sqlDatabase: CabinetDatabase? {
        if case .sql(let database) = storage { return database }
        return nil
    }

    /// The in-memory store; `nil` on a SQL backend.
    public var memoryStore: InMemoryBillingStore? {
        if case .memory(let store) = storage { return store }
        return nil
    }

    /// The database under the SQL store. A bed on the in-memory store has none: asking for it is a mistake in the test
    /// (use ``sqlDatabase``, or the readers that work on every backend).
    public var database: CabinetDatabase {
        guard let database = sqlDatabase else { preconditionFailure("an in-memory BillingTestBed has no database") }
        return database
    }

    /// The SQL store. A bed on the in-memory store has none: asking for it is a mistake in the test (use
    /// ``billingStore``).
    public var store: SQLBillingStore {
        guard let sqlStore else {
            preconditionFailure("an in-memory BillingTestBed has no SQLBillingStore; use billingStore")
        }
        return sqlStore
    }

    /// Billing settings of the test regions: fees on the 1st, a 30.00 low-balance threshold, statements at 30.00, daily
    /// fees charged on restricted days (Almaty: skipped).
    public static let billingYAML = """
        monthlyFeeDay: 1
        lowBalanceThreshold: "30.00"
        dailyFeesWhileRestricted: charge
        sharing: {maxGigabytes: 3, validDays: 2, fee: "5.00", maxPerDay: 2, maxPerMonth: 3}
        statements:
          shortOnline: "0.00"
          fullByEmail: "30.00"
          historyDepthDays: 180
        """

    /// Where the clock starts unless a test says otherwise: Moscow 12:00 on 2026-11-10.
    public static let defaultStart = "2026-11-10T09:00:00Z"

    /// Moscow (`900`, `901`, RUB) and Almaty (`701`, KZT) with Subscribers, Tariffs and Billing on.
    /// Settings of further modules (Payments' test bed adds its section), made per currency.
    public typealias ExtraSettings = [ModuleID: @Sendable (Currency) -> (any ModuleSettings)?]

    public static func regions(extra: ExtraSettings = [:]) -> RegionCatalog {
        let modules: [ModuleID] = ["subscribers", "tariffs", "billing"] + extra.keys.sorted()
        let rub = SettingsProbe.read(BillingSettings.self, yaml: billingYAML).settings
        // Almaty does not charge daily fees on restricted days; Moscow does.
        let kzt = SettingsProbe.read(
            BillingSettings.self, yaml: billingYAML.replacingOccurrences(of: ": charge", with: ": skip"),
            currency: .kzt
        ).settings
        var msk: [ModuleID: any ModuleSettings] = [:]
        var almaty: [ModuleID: any ModuleSettings] = [:]
        msk["tariffs"] = TariffsFixture.settings()
        msk["billing"] = rub
        almaty["tariffs"] = TariffsFixture.settings(currency: .kzt)
        almaty["billing"] = kzt
        for (module, make) in extra {
            msk[module] = make(.rub)
            almaty[module] = make(.kzt)
        }
        return RegionCatalog(regions: [
            .fixture(modules: modules, settings: msk),
            .fixture(
                id: "almaty", name: "Алматы", currency: .kzt, timeZone: "Asia/Almaty", prefixes: ["701"],
                modules: modules,
                settings: almaty),
        ])
    }

    /// The texts of Tariffs and Billing.
    public static func catalog() -> MessageCatalog {
        let tariffs = (try? TariffsModule.messages()) ?? MessageCatalog()
        let billing = (try? BillingModule.messages()) ?? MessageCatalog()
        return tariffs.merging(billing)
    }

    public static var migrations: [Migration] {
        SQLRequestRegistry.migrations + MessagingSchema.migrations + TariffsSchema.migrations + BillingSchema.migrations
    }

    /// Runs `body` with a test bed over a fresh database of `backend`, the clock at `start` (Moscow 12:00 on 2026-11-10).
    public static func with<T: Sendable>(
        _ backend: TestDatabase, start: String = defaultStart,
        _ body: (BillingTestBed) async throws -> T
    ) async throws -> T {
        try await backend.withDatabase(migrations: migrations) { database throws in
            try await body(try await BillingTestBed(database: database, start: start))
        }
    }

    /// Runs `body` with a test bed over a fresh store of `backend`, the clock at `start`.
    public static func with<T: Sendable>(
        _ backend: Backend, start: String = defaultStart, extraSettings: ExtraSettings = [:],
        _ body: (BillingTestBed) async throws -> T
    ) async throws -> T {
        switch backend {
        case .sql(let database):
            try await database.withDatabase(migrations: migrations) { database throws in
                try await body(try await BillingTestBed(database: database, start: start, extraSettings: extraSettings))
            }
        case .memory:
            try await body(BillingTestBed(memoryStart: start, extraSettings: extraSettings))
        }
    }

    /// A test bed over `SQLBillingStore` on a migrated database (see ``migrations``).
    public init(database: CabinetDatabase, start: String, extraSettings: ExtraSettings = [:]) async throws {
        let parts = Self.parts(start: start, extraSettings: extraSettings)
        let store = try await SQLBillingStore.open(
            database: database, rules: parts.rules, texts: parts.texts,
            lineTariffs: SQLLineTariffStore(database: database), logger: .test, statuses: parts.directory)
        self.init(
            storage: .sql(database), store: store, sqlStore: store, requests: SQLRequestRegistry(database: database),
            lineTariffs: SQLLineTariffStore(database: database), parts: parts)
    }

    /// A test bed over a fresh ``InMemoryBillingStore`` on the bed's rules and texts, the clock at `start`.
    public init(memoryStart start: String = defaultStart, extraSettings: ExtraSettings = [:]) {
        let parts = Self.parts(start: start, extraSettings: extraSettings)
        let store = InMemoryBillingStore(rules: parts.rules, texts: parts.texts, logger: .test)
        self.init(
            storage: .memory(store), store: store, sqlStore: nil, requests: store, lineTariffs: store, parts: parts)
    }

    /// What both kinds of bed are made of besides the store.
    private struct Parts {
        var clock: ManualClock
        var rules: BillingRules
        var texts: BillingTexts
        var directory: InMemorySubscriberStore
        var lines: DefaultSubscriberService
    }

    private static func parts(start: String, extraSettings: ExtraSettings) -> Parts {
        let clock = ManualClock(iso8601: start)
        let regions = regions(extra: extraSettings)
        let directory = InMemorySubscriberStore()
        return Parts(
            clock: clock, rules: BillingRules(regions: regions), texts: BillingTexts(catalog: catalog()),
            directory: directory,
            lines: DefaultSubscriberService(store: directory, regions: regions, clock: clock, logger: .test))
    }

    private init(
        storage: Storage, store: any BillingStore, sqlStore: SQLBillingStore?, requests: any RequestRegistry,
        lineTariffs: any LineTariffStore, parts: Parts
    ) {
        self.storage = storage
        billingStore = store
        self.sqlStore = sqlStore
        self.requests = requests
        self.lineTariffs = lineTariffs
        clock = parts.clock
        rules = parts.rules
        texts = parts.texts
        directory = parts.directory
        lines = parts.lines
        service = DefaultBillingService(
            store: store, rules: parts.rules, lines: parts.directory, emails: emails, clock: parts.clock, logger: .test,
            tariffOptionRules: sqlStore?.tariffOptionRules ?? Listeners(), recurring: sqlStore, sharing: sqlStore)
    }

    /// Provisions a line and opens its account on `tariff` now; `credit` is put on the balance first thing.
    @discardableResult
    public func line(
        _ number: String, region: String = "msk", tariff: String = "monthly", credit: String? = nil,
        email: String? = "owner@example.com"
    ) async throws -> Line {
        guard let msisdn = MSISDN(e164: number), let regionID = RegionID(rawValue: region),
            let tariffID = TariffID(rawValue: tariff)
        else {
            throw CabinetError.internal("bad test line \(number) in \(region) on \(tariff)")
        }
        let line = try await lines.provision(
            NewLine(
                msisdn: msisdn, region: regionID, status: .active,
                owner: OwnerProfile(fullName: "Иванов Иван", email: email)))
        try await service.openAccount(for: line, tariff: tariffID)
        if let credit {
            try await topUp(line, credit, id: "credit:\(line.id.rawValue)")
        }
        return line
    }

    /// A top-up as Payments would post it.
    @discardableResult
    public func topUp(_ line: Line, _ amount: String, id: String) async throws -> PostingResult {
        let currency = rules.region(line.region)?.currency ?? .rub
        return try await billingStore.post(
            LedgerPosting(
                externalID: id, kind: .topUp, line: line.id, amount: try Money(parsing: amount, currency: currency),
                counterparty: .gateway,
                explanation: "billing.explain.topUp", allowsNegativeBalance: true, at: clock.now))
    }

    public func access(_ line: Line) -> LineAccess { .owned(line.id, msisdn: line.msisdn, region: line.region) }

    public func balance(_ line: Line) async throws -> String {
        try await billingStore.balance(of: line.id).amountString
    }

    /// A call, SMS or data event of `line` at the clock's time (or `at`).
    public func call(_ line: Line, _ id: String, seconds: Int64, kind: UsageEvent.CallKind = .offNet, at: Date? = nil)
        -> UsageEvent
    {
        UsageEvent(
            eventID: id, msisdn: line.msisdn, kind: .call, occurredAt: at ?? clock.now, quantity: seconds,
            callKind: kind,
            otherParty: "+79161234567")
    }

    public func sms(_ line: Line, _ id: String, at: Date? = nil) -> UsageEvent {
        UsageEvent(
            eventID: id, msisdn: line.msisdn, kind: .sms, occurredAt: at ?? clock.now, quantity: 1,
            otherParty: "+79161234567")
    }

    public func data(_ line: Line, _ id: String, megabytes: Int64, at: Date? = nil) -> UsageEvent {
        UsageEvent(
            eventID: id, msisdn: line.msisdn, kind: .data, occurredAt: at ?? clock.now, quantity: megabytes * 1_048_576)
    }

    /// Remainders of the line now, by unit: (left, total) summed over its buckets.
    public func remainders(_ line: Line) async throws -> [PackageUnit: (left: Int64, total: Int64)] {
        let snapshot = try await billingStore.snapshot(of: line.id, at: clock.now)
        var result: [PackageUnit: (left: Int64, total: Int64)] = [:]
        for bucket in snapshot?.buckets ?? [] {
            let current = result[bucket.unit] ?? (0, 0)
            result[bucket.unit] = (current.left + bucket.left, current.total + bucket.total)
        }
        return result
    }

    /// Messages queued to a number, oldest first, as the outbox table holds them (the SQL backend's own reader; a bed
    /// on the in-memory store throws: use ``queuedMessages(to:)``).
    public func messages(to number: String) async throws -> [OutboxEntry] {
        guard let database = sqlDatabase else {
            throw CabinetError.internal("an in-memory BillingTestBed has no outbox table; read queuedMessages(to:)")
        }
        return try await database.read { db in try await Outbox.recent(to: number, limit: 100, on: db) }.reversed()
    }

    /// Messages queued to a number or an address, oldest first (the newest 100), from whichever store the bed has.
    public func queuedMessages(to recipient: String) async throws -> [QueuedMessage] {
        switch storage {
        case .sql(let database):
            try await database.read { db in try await Outbox.recent(to: recipient, limit: 100, on: db) }.reversed().map
            {
                QueuedMessage(
                    id: $0.id, channel: $0.channel, recipient: $0.recipient, subject: $0.subject, body: $0.body,
                    purpose: $0.purpose, createdAt: $0.createdAt)
            }
        case .memory(let store):
            Array(await store.messages(to: recipient).suffix(100))
        }
    }

    /// Delivers the e-mails queued since the last delivery, with their attachments, as the outbox worker hands them to a
    /// mail server: on SQL the worker runs once over the outbox with recording senders (texts are delivered too), in
    /// memory the store hands them over.
    public func deliverMail() async throws -> [MailMessage] {
        switch storage {
        case .sql(let database):
            let mail = RecordingMailSender()
            let worker = OutboxWorker(
                database: database, sms: RecordingSMSSender(), mail: mail, clock: clock, logger: .test)
            while try await worker.deliverDue() > 0 {}
            return mail.sent
        case .memory(let store):
            return await store.takeMail()
        }
    }

    /// The ledger check; tests call it after every scenario.
    public func check() async throws -> LedgerCheckReport { try await billingStore.check() }
}
