public import CabinetCore
public import Foundation

/// What a tariff change would do, shown before the subscriber confirms it.
public struct TariffChangePreview: Sendable, Hashable {
    /// What happens to the package of the current tariff.
    public enum PackageOutcome: Sendable, Hashable {
        /// The change is immediate: the remainders end now and the new tariff's package starts (in proportion to the
        /// days left in the period).
        case replacedNow(lost: [Remainder])
        /// The change waits for the next period: the current package is used until then.
        case keptUntil(Date)
    }

    /// A package remainder (units left of a bucket).
    public struct Remainder: Sendable, Hashable {
        public var unit: PackageUnit
        public var left: Int64
        public var total: Int64

        public init(unit: PackageUnit, left: Int64, total: Int64) {
            self.unit = unit
            self.left = left
            self.total = total
        }
    }

    public var current: Tariff?
    public var target: Tariff
    public var timing: TariffChangeTiming
    public var effectiveAt: Date
    /// The change fee of the region file.
    public var changeFee: Money
    /// The new tariff's fee for the rest of the current period (immediate change only).
    public var feeNow: Money
    /// Everything charged today: `changeFee + feeNow`.
    public var chargeToday: Money
    public var packageOutcome: PackageOutcome
    /// When the new tariff's regular fee is charged first.
    public var firstRegularFeeOn: LocalDate
    public var balance: Money
    public var balanceAfter: Money
    /// `nil` when the change may go ahead; otherwise why not (funds, archived, region, timing).
    public var refusal: CabinetError?
    /// What the change does to the line's options (freed, dropped, removed); kept ones are not listed.
    public var optionChanges: [TariffOptionChange] = []

    public init(
        current: Tariff?, target: Tariff, timing: TariffChangeTiming, effectiveAt: Date, changeFee: Money,
        feeNow: Money,
        chargeToday: Money, packageOutcome: PackageOutcome, firstRegularFeeOn: LocalDate, balance: Money,
        balanceAfter: Money, refusal: CabinetError?
    ) {
        self.current = current
        self.target = target
        self.timing = timing
        self.effectiveAt = effectiveAt
        self.changeFee = changeFee
        self.feeNow = feeNow
        self.chargeToday = chargeToday
        self.packageOutcome = packageOutcome
        self.firstRegularFeeOn = firstRegularFeeOn
        self.balance = balance
        self.balanceAfter = balanceAfter
        self.refusal = refusal
    }
}

/// Units of packages and of usage.
public enum PackageUnit: String, Sendable, Hashable, CaseIterable, Codable {
    /// Call time, counted in seconds (packages are given in minutes).
    case seconds
    case sms
    /// Data, counted in kilobytes (packages are given in megabytes).
    case kilobytes
}

/// Tariff change as Tariffs' HTTP target asks for it; implemented by Billing, which knows periods and money.
public protocol TariffChangeService: Sendable {
    func preview(line: LineAccess, to tariff: TariffID, timing: TariffChangeTiming) async throws -> TariffChangePreview
    /// Applies the change (or schedules it) and returns the request record; refuses with the preview's reason.
    func change(line: LineAccess, to tariff: TariffID, timing: TariffChangeTiming) async throws -> (
        ServiceRequest, TariffChangePreview
    )
}
