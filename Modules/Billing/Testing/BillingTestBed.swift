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

/// Billing wired for tests: the real SQL store on a test database, in-memory lines, a manual clock, and a catalogue
/// that does not change when an operator edits Regions/ (``TariffsFixture``).
public struct BillingTestBed: Sendable {
    public let database: CabinetDatabase
    public let clock: ManualClock
    public let lines: DefaultSubscriberService
    public let directory: InMemorySubscriberStore
    public let store: SQLBillingStore
    public let service: DefaultBillingService
    public let rules: BillingRules
    public let texts: BillingTexts

    /// Billing settings of the test regions: fees on the 1st, a 30.00 low-balance threshold, statements at 30.00.
    public static let billingYAML = """
        monthlyFeeDay: 1
        lowBalanceThreshold: "30.00"
        statements:
          shortOnline: "0.00"
          fullByEmail: "30.00"
          historyDepthDays: 180
        """

    /// Moscow (`900`, `901`, RUB) and Almaty (`701`, KZT) with Subscribers, Tariffs and Billing on.
    /// Settings of further modules (Payments' test bed adds its section), made per currency.
    public typealias ExtraSettings = [ModuleID: @Sendable (Currency) -> (any ModuleSettings)?]

    public static func regions(extra: ExtraSettings = [:]) -> RegionCatalog {
        let modules: [ModuleID] = ["subscribers", "tariffs", "billing"] + extra.keys.sorted()
        let rub = SettingsProbe.read(BillingSettings.self, yaml: billingYAML).settings
        let kzt = SettingsProbe.read(BillingSettings.self, yaml: billingYAML, currency: .kzt).settings
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
            .fixture(id: "almaty", name: "Алматы", currency: .kzt, timeZone: "Asia/Almaty", prefixes: ["701"], modules: modules,
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
    public static func with<T: Sendable>(_ backend: TestDatabase, start: String = "2026-11-10T09:00:00Z",
                                         _ body: (BillingTestBed) async throws -> T) async throws -> T {
        try await backend.withDatabase(migrations: migrations) { database throws in
            try await body(try await BillingTestBed(database: database, start: start))
        }
    }

    public init(database: CabinetDatabase, start: String, extraSettings: ExtraSettings = [:]) async throws {
        self.database = database
        clock = ManualClock(iso8601: start)
        let regions = Self.regions(extra: extraSettings)
        rules = BillingRules(regions: regions)
        texts = BillingTexts(catalog: Self.catalog())
        directory = InMemorySubscriberStore()
        lines = DefaultSubscriberService(store: directory, regions: regions, clock: clock, logger: .test)
        store = try await SQLBillingStore.open(database: database, rules: rules, texts: texts, logger: .test)
        service = DefaultBillingService(store: store, rules: rules, lines: directory, clock: clock, logger: .test)
    }

    /// Provisions a line and opens its account on `tariff` now; `credit` is put on the balance first thing.
    @discardableResult
    public func line(_ number: String, region: String = "msk", tariff: String = "monthly", credit: String? = nil,
                     email: String? = "owner@example.com") async throws -> Line {
        let line = try await lines.provision(NewLine(
            msisdn: MSISDN(e164: number)!, region: RegionID(rawValue: region)!, status: .active,
            owner: OwnerProfile(fullName: "Иванов Иван", email: email)))
        try await service.openAccount(for: line, tariff: TariffID(rawValue: tariff)!)
        if let credit {
            try await topUp(line, credit, id: "credit:\(line.id.rawValue)")
        }
        return line
    }

    /// A top-up as Payments would post it.
    @discardableResult
    public func topUp(_ line: Line, _ amount: String, id: String) async throws -> PostingResult {
        let currency = rules.region(line.region)?.currency ?? .rub
        return try await store.post(LedgerPosting(
            externalID: id, kind: .topUp, line: line.id, amount: try Money(parsing: amount, currency: currency), counterparty: .gateway,
            explanation: "billing.explain.topUp", allowsNegativeBalance: true, at: clock.now))
    }

    public func access(_ line: Line) -> LineAccess { .owned(line.id, msisdn: line.msisdn, region: line.region) }

    public func balance(_ line: Line) async throws -> String { try await store.balance(of: line.id).amountString }

    /// A call, SMS or data event of `line` at the clock's time (or `at`).
    public func call(_ line: Line, _ id: String, seconds: Int64, kind: UsageEvent.CallKind = .offNet, at: Date? = nil) -> UsageEvent {
        UsageEvent(eventID: id, msisdn: line.msisdn, kind: .call, occurredAt: at ?? clock.now, quantity: seconds, callKind: kind,
                   otherParty: "+79161234567")
    }

    public func sms(_ line: Line, _ id: String, at: Date? = nil) -> UsageEvent {
        UsageEvent(eventID: id, msisdn: line.msisdn, kind: .sms, occurredAt: at ?? clock.now, quantity: 1, otherParty: "+79161234567")
    }

    public func data(_ line: Line, _ id: String, megabytes: Int64, at: Date? = nil) -> UsageEvent {
        UsageEvent(eventID: id, msisdn: line.msisdn, kind: .data, occurredAt: at ?? clock.now, quantity: megabytes * 1_048_576)
    }

    /// Remainders of the line now, by unit: (left, total) summed over its buckets.
    public func remainders(_ line: Line) async throws -> [PackageUnit: (left: Int64, total: Int64)] {
        let snapshot = try await store.snapshot(of: line.id, at: clock.now)
        var result: [PackageUnit: (left: Int64, total: Int64)] = [:]
        for bucket in snapshot?.buckets ?? [] {
            let current = result[bucket.unit] ?? (0, 0)
            result[bucket.unit] = (current.left + bucket.left, current.total + bucket.total)
        }
        return result
    }

    /// Messages queued to a number, oldest first.
    public func messages(to number: String) async throws -> [OutboxEntry] {
        try await database.read { db in try await Outbox.recent(to: number, limit: 100, on: db) }.reversed()
    }

    /// The ledger check; tests call it after every scenario.
    public func check() async throws -> LedgerCheckReport { try await store.check() }
}
