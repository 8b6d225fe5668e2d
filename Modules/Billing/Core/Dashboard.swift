public import CabinetCore
public import Foundation
import Subscribers
public import Tariffs

/// What the subscriber sees first: balance, remainders, tariff, next fee, status.
public struct Dashboard: Sendable, Hashable {
    /// A package remainder as shown with a progress bar.
    public struct Remainder: Sendable, Hashable {
        public var unit: PackageUnit
        public var left: Int64
        public var total: Int64
        public var expiresAt: Date
        public var rolledOver: Bool

        public init(unit: PackageUnit, left: Int64, total: Int64, expiresAt: Date, rolledOver: Bool) {
            self.unit = unit
            self.left = left
            self.total = total
            self.expiresAt = expiresAt
            self.rolledOver = rolledOver
        }

        /// Share left, 0–100, for progress bars.
        public var percentLeft: Int { total > 0 ? Int(left * 100 / total) : 0 }
    }

    /// The next regular fee.
    public struct NextFee: Sendable, Hashable {
        public var on: LocalDate
        public var amount: Money
        public var tariff: TariffID

        public init(on: LocalDate, amount: Money, tariff: TariffID) {
            self.on = on
            self.amount = amount
            self.tariff = tariff
        }
    }

    /// A recurring fee of a connected option (Services), due at the start of its next period.
    public struct OptionFee: Sendable, Hashable {
        public var name: LocalizedText
        public var amount: Money
        public var period: RecurringFee.Period
        public var on: LocalDate

        public init(name: LocalizedText, amount: Money, period: RecurringFee.Period, on: LocalDate) {
            self.name = name
            self.amount = amount
            self.period = period
            self.on = on
        }
    }

    public var msisdn: MSISDN
    public var region: RegionID
    public var status: LineStatus
    public var restricted: Bool
    public var balance: Money
    public var tariff: Tariff
    public var period: BillingPeriod
    public var remainders: [Remainder]
    public var nextFee: NextFee?
    /// A tariff ordered for the next period.
    public var plannedTariff: Tariff?
    /// The connected options' own fees, soonest first.
    public var optionFees: [OptionFee] = []

    public init(
        msisdn: MSISDN, region: RegionID, status: LineStatus, restricted: Bool, balance: Money, tariff: Tariff,
        period: BillingPeriod, remainders: [Remainder], nextFee: NextFee?, plannedTariff: Tariff?
    ) {
        self.msisdn = msisdn
        self.region = region
        self.status = status
        self.restricted = restricted
        self.balance = balance
        self.tariff = tariff
        self.period = period
        self.remainders = remainders
        self.nextFee = nextFee
        self.plannedTariff = plannedTariff
    }
}

/// The short statement: rated events of a period with totals.
public struct ShortStatement: Sendable, Hashable {
    public var from: LocalDate
    public var to: LocalDate
    public var events: [RatedEvent]
    public var totals: [UsageTotal]
    public var charged: Money
    /// Where the next page starts, when there is one.
    public var next: UsageCursor?

    public init(
        from: LocalDate, to: LocalDate, events: [RatedEvent], totals: [UsageTotal], charged: Money, next: UsageCursor?
    ) {
        self.from = from
        self.to = to
        self.events = events
        self.totals = totals
        self.charged = charged
        self.next = next
    }
}

/// What an ingestion did, with every refused event's position and reason.
public struct IngestReport: Sendable, Hashable {
    public var received: Int
    public var rated: Int
    public var duplicates: Int
    public var rejected: [Int: CabinetError]

    public init(received: Int, rated: Int, duplicates: Int, rejected: [Int: CabinetError]) {
        self.received = received
        self.rated = rated
        self.duplicates = duplicates
        self.rejected = rejected
    }
}
