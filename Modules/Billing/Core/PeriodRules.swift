public import CabinetCore
public import Foundation
public import Tariffs

// What a store does when it opens a period or changes a tariff, as pure rules: `SQLBillingStore` and the in-memory
// store of BillingTesting follow the same ones inside their transactions.

extension BillingRules {
    /// At most this many periods are opened for one line in one run (a daily tariff after a long outage catches up over
    /// several runs instead of holding the writer).
    public static let maxPeriodsPerRun = 62

    /// How a tariff change is carried out under the line's lock. An immediate change takes effect now, or one
    /// millisecond after the current period opened when that was this very millisecond (so no period is empty), and
    /// opens a period there with the new tariff's prorated fee and package; a change for the next period opens nothing
    /// now. `periodStart` is the current period's start in milliseconds since 1970, as the store keeps it.
    public func carryOut(_ order: TariffChangeOrder, to target: Tariff, region: RegionID, periodStart: Int64) throws
        -> TariffChangeExecution
    {
        let effective = max(order.now.timeIntervalSince1970Milliseconds, periodStart + 1)
        let plan: PeriodPlan? =
            order.timing == .immediately
            ? try plan(tariff: target, region: region, from: Date(timeIntervalSince1970: Double(effective) / 1000))
            : nil
        return TariffChangeExecution(
            effective: effective, newPeriod: plan,
            charge: order.changeFee.minorUnits + (plan?.fee.minorUnits ?? 0))
    }
}

/// A tariff change as the store carries it out (see ``BillingRules/carryOut(_:to:region:periodStart:)``).
public struct TariffChangeExecution: Sendable, Hashable {
    /// When an immediate change takes effect, in milliseconds since 1970.
    public var effective: Int64
    /// The period an immediate change opens.
    public var newPeriod: PeriodPlan?
    /// What is charged now, in minor units: the change fee and the new period's fee.
    public var charge: Int64

    public init(effective: Int64, newPeriod: PeriodPlan?, charge: Int64) {
        self.effective = effective
        self.newPeriod = newPeriod
        self.charge = charge
    }
}

extension PeriodPlan {
    /// The package the period grants: a bucket per unit with units to give, in `PackageUnit.allCases` order, valid
    /// through the period.
    public var grants: [(unit: PackageUnit, units: Int64)] {
        PackageUnit.allCases.compactMap { unit in
            guard let units = packages[unit], units > 0 else { return nil }
            return (unit, units)
        }
    }

    /// The period's fee as a posting, `nil` when it has none: `fee:<line>:<start in ms>`, so a period's fee is charged
    /// once; it may take the balance below zero and is dated at the period's start (now, for a period opened ahead).
    /// The same period left unpaid: no fee and no package (a restricted day the region does not charge, see
    /// ``BillingRules/skipsRestrictedDay(_:region:balance:)``).
    public var unpaid: PeriodPlan {
        var plan = self
        plan.fee = Money(minorUnits: 0, currency: fee.currency)
        plan.packages = [:]
        return plan
    }

    public func feePosting(line: SubscriberID, calendar: BillingCalendar?, now: Date) throws -> LedgerPosting? {
        guard fee.isPositive else { return nil }
        let arguments = [
            "tariff": tariffID.rawValue,
            "from": calendar?.date(of: period.start).description ?? "",
            "to": calendar?.date(of: period.end.addingTimeInterval(-1)).description ?? "",
        ]
        return LedgerPosting(
            externalID: "fee:\(line.rawValue):\(period.start.timeIntervalSince1970Milliseconds)", kind: .fee,
            line: line,
            amount: try fee.negated(), counterparty: .revenue, explanation: "billing.explain.fee", arguments: arguments,
            allowsNegativeBalance: true, at: min(period.start, now))
    }

    /// Whether the period takes over the package units the period before it left unused: the line stays on the same
    /// tariff, and that tariff (`rollover`) carries units over.
    public func takesOverUnused(from previousTariff: TariffID, rollover: Bool) -> Bool {
        rollover && previousTariff == tariffID
    }

    /// The rollover of the period before (`previous`, whose buckets are `buckets`): what each of its package buckets has
    /// left moves once into a bucket valid through this period that remembers the period it came from (a late event of
    /// that period still draws on it, see ``Bucket/serves(_:)``). Rolled-over units do not roll again. Each new bucket
    /// (id 0: the store gives ids) comes with the bucket it empties. Ask ``takesOverUnused(from:rollover:)`` first.
    public func rollover(of buckets: [Bucket], from previous: BillingPeriod) -> [(emptied: Bucket, carried: Bucket)] {
        buckets.compactMap { bucket in
            guard bucket.source == .package, bucket.left > 0 else { return nil }
            return (
                bucket,
                Bucket(
                    id: 0, unit: bucket.unit, total: bucket.left, left: bucket.left, validFrom: period.start,
                    expiresAt: period.end, source: .rollover, carriedFrom: previous)
            )
        }
    }
}
