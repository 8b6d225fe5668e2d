public import CabinetCore
public import Foundation
public import Tariffs

/// The region-file facts Billing works with (tariffs, calendars, thresholds), in one value the stores can carry into
/// their transactions: opening a period while rating a late event needs the same rules as the fee scheduler.
public struct BillingRules: Sendable {
    public let regions: RegionCatalog

    public init(regions: RegionCatalog) {
        self.regions = regions
    }

    public func region(_ id: RegionID) -> Region? { regions.region(id) }

    public func settings(_ region: RegionID) -> BillingSettings? {
        regions.region(region)?.settings(for: BillingModule.self)
    }

    public func calendar(_ region: RegionID) -> BillingCalendar? {
        regions.region(region).flatMap(BillingCalendar.init(region:))
    }

    public func tariff(_ id: TariffID, in region: RegionID) -> Tariff? {
        regions.tariff(id, in: region)
    }

    /// The period a tariff opens at `start`: it ends where the tariff's natural period (day, or fee day to fee day)
    /// ends; a period that starts late (activation, an immediate tariff change) pays fee and package in proportion.
    public func plan(tariff: Tariff, region: RegionID, from start: Date) throws -> PeriodPlan {
        guard let calendar = calendar(region) else {
            throw CabinetError.internal("region \(region.rawValue) has no billing calendar")
        }
        let natural = calendar.period(containing: start, feePeriod: tariff.fee.period)
        let period = BillingPeriod(start: start, end: natural.end)
        let part = period.length
        let whole = natural.length
        var packages: [PackageUnit: Int64] = [:]
        for (unit, amount) in tariff.packages.amounts where amount > 0 {
            packages[unit] = Self.prorate(amount, unit: unit, part: part, whole: whole)
        }
        return PeriodPlan(
            tariffID: tariff.id, period: period,
            fee: BillingCalendar.prorate(tariff.fee.amount, part: part, whole: whole),
            packages: packages, rollover: tariff.rollover)
    }

    /// Whether a fee of `period` that falls due on a line whose balance is `balance` (minor units) goes uncharged: a
    /// daily fee on a restricted line (below zero) where the region's `dailyFeesWhileRestricted` is `skip`. Monthly fees
    /// are always charged.
    public func skipsRestrictedDay(_ period: RecurringFee.Period, region: RegionID, balance: Int64) -> Bool {
        guard period == .day, balance < 0 else { return false }
        return settings(region)?.dailyFeesWhileRestricted == .skip
    }

    /// Package units for part of a period, rounded half up; call time to whole minutes.
    static func prorate(_ amount: Int64, unit: PackageUnit, part: TimeInterval, whole: TimeInterval) -> Int64 {
        guard whole > 0, part < whole else { return amount }
        guard part > 0 else { return 0 }
        let partSeconds = Int64(part.rounded(.down))
        let wholeSeconds = max(1, Int64(whole.rounded(.down)))
        let step: Int64 = unit == .seconds ? 60 : 1
        let (product, overflow) = (amount / step).multipliedReportingOverflow(by: partSeconds)
        guard !overflow else { return amount }
        return (product + wholeSeconds / 2) / wholeSeconds * step
    }
}

/// What opening a period means: its span, the tariff, the fee to charge and the package to grant.
public struct PeriodPlan: Sendable, Hashable {
    public var tariffID: TariffID
    public var period: BillingPeriod
    public var fee: Money
    public var packages: [PackageUnit: Int64]
    /// Whether the tariff carries unused units into the next period.
    public var rollover: Bool

    public init(tariffID: TariffID, period: BillingPeriod, fee: Money, packages: [PackageUnit: Int64], rollover: Bool) {
        self.tariffID = tariffID
        self.period = period
        self.fee = fee
        self.packages = packages
        self.rollover = rollover
    }
}
