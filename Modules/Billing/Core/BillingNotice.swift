public import CabinetCore
public import Foundation
public import Tariffs

/// What Billing texts a subscriber about, each at most once per period: the store remembers the period and the
/// ``kind`` and queues the text (purpose `billing.<kind>`) in the write that crossed the mark.
public enum BillingNotice: Sendable, Hashable {
    /// The balance fell below the region's threshold.
    case lowBalance(balance: Money, threshold: Money)
    /// 80 % of the period's package of a unit is used.
    case packageMostlyUsed(PackageUnit, left: Int64)
    /// The period's package of a unit is used up.
    case packageUsedUp(PackageUnit)

    /// What is sent once per period: `lowBalance`, `package80:<unit>`, `packageOut:<unit>`.
    public var kind: String {
        switch self {
        case .lowBalance: "lowBalance"
        case .packageMostlyUsed(let unit, _): "package80:\(unit.rawValue)"
        case .packageUsedUp(let unit): "packageOut:\(unit.rawValue)"
        }
    }

    /// The SMS.
    public func text(_ texts: BillingTexts) -> String {
        switch self {
        case .lowBalance(let balance, let threshold): texts.lowBalance(balance, threshold: threshold)
        case .packageMostlyUsed(let unit, let left): texts.packageMostlyUsed(unit, left: left)
        case .packageUsedUp(let unit): texts.packageExhausted(unit)
        }
    }

    /// The low-balance notice when a movement takes a line's balance (minor units of `currency`) from the region's
    /// threshold or above to below it.
    public static func lowBalance(
        rules: BillingRules, region: RegionID, currency: Currency, before: Int64, after: Int64
    )
        -> BillingNotice?
    {
        guard let threshold = rules.settings(region)?.lowBalanceThreshold, threshold.currency == currency,
            before >= threshold.minorUnits, after < threshold.minorUnits
        else { return nil }
        return .lowBalance(balance: Money(minorUnits: after, currency: currency), threshold: threshold)
    }

    /// The package notices a rating batch earns, per unit: the current period's package (its buckets that start with
    /// the period, rolled-over units included) ran out, or crossed 80 % used. `before` and `after` are the line's
    /// buckets around the batch.
    public static func packages(before: [Bucket], after: [Bucket], periodStart: Date) -> [BillingNotice] {
        var notices: [BillingNotice] = []
        for unit in PackageUnit.allCases {
            let current = { (bucket: Bucket) in bucket.unit == unit && bucket.validFrom == periodStart }
            let total = after.filter(current).reduce(Int64(0)) { $0 + $1.total }
            guard total > 0 else { continue }
            let leftBefore = before.filter(current).reduce(Int64(0)) { $0 + $1.left }
            let leftAfter = after.filter(current).reduce(Int64(0)) { $0 + $1.left }
            guard leftAfter < leftBefore else { continue }
            if leftAfter == 0 {
                notices.append(.packageUsedUp(unit))
            } else if (total - leftBefore) * 5 < total * 4, (total - leftAfter) * 5 >= total * 4 {
                notices.append(.packageMostlyUsed(unit, left: leftAfter))
            }
        }
        return notices
    }
}
