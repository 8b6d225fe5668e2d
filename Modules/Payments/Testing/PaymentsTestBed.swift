import Billing
public import BillingTesting
import CabinetCore
public import CabinetStorage
public import CabinetTesting
public import Foundation
public import Payments
public import PaymentsStorage
public import Subscribers
import SubscribersTesting

/// Payments wired for tests over ``BillingTestBed``: the real SQL stores, the sandbox gateway, the manual clock, and
/// Moscow's payment rules (top-ups 50–15 000, promised payment from 60 days on the network).
public struct PaymentsTestBed: Sendable {
    public let billing: BillingTestBed
    public let store: SQLPaymentsStore
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
        """

    public static var migrations: [Migration] { BillingTestBed.migrations + SQLIdempotencyStore.migrations + PaymentsSchema.migrations }

    /// - Parameter gateway: the regions' `payments.gateway` (the sandbox unless a test brings another).
    public static func with<T: Sendable>(_ backend: TestDatabase, start: String = "2026-11-10T09:00:00Z", gateway: String = "sandbox",
                                         _ body: (PaymentsTestBed) async throws -> T) async throws -> T {
        try await backend.withDatabase(migrations: migrations) { database throws in
            let yaml = paymentsYAML + "\ngateway: \(gateway)"
            let billing = try await BillingTestBed(database: database, start: start, extraSettings: [
                "payments": { currency in SettingsProbe.read(PaymentsSettings.self, yaml: yaml, currency: currency).settings },
            ])
            return try await body(PaymentsTestBed(billing: billing))
        }
    }

    public init(billing: BillingTestBed) {
        self.billing = billing
        store = SQLPaymentsStore(database: billing.database, ledger: billing.store)
        sandbox = SandboxGateway(secret: Self.secret, pageBaseURL: "http://127.0.0.1:8080")
        service = DefaultPaymentsService(store: store, ledger: billing.store, lines: billing.directory, regions: billing.rules.regions,
                                  gateways: [sandbox], defaultGateway: "sandbox", clock: billing.clock, logger: .test)
    }

    /// A line activated `daysAgo` days ago with `credit` on the balance.
    public func line(_ number: String, daysAgo: Int = 400, credit: String? = nil) async throws -> Line {
        let line = try await billing.line(number, tariff: "payg", credit: credit)
        var changed = line
        changed.activatedOn = LocalDate(billing.clock.now, in: TimeZone(identifier: "Europe/Moscow") ?? .gmt).adding(days: -daysAgo)
        _ = try await billing.directory.update(changed)
        return changed
    }

    /// Starts a top-up and pays it on the sandbox page with `card`; returns the payment after every webhook arrived.
    @discardableResult
    public func topUp(_ line: Line, _ amount: String, card: String = "4242 4242 4242 4242", saveCard: Bool = false) async throws -> Payment {
        let started = try await service.startTopUp(of: line.id, amount: try Money(parsing: amount, currency: .rub), method: .card,
                                                   saveCard: saveCard, returnURL: { "/payments/\($0)" })
        guard case .finished(_, let webhooks) = try await sandbox.pay(started.payment.gatewayPaymentID ?? "", card: card,
                                                                      expiry: "12/30", cvc: "123", now: billing.clock.now)
        else { return started.payment }
        for webhook in webhooks {
            try await service.receiveWebhook(gateway: "sandbox", body: webhook.body, signature: webhook.signature)
        }
        return try await service.payment(started.payment.id, of: nil)
    }
}
