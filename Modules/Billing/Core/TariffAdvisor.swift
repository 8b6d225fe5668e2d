public import CabinetCore
public import Foundation
import Subscribers
public import Tariffs

/// What a line's real usage would have cost on one tariff («Подобрать тариф»).
public struct TariffEstimate: Sendable, Hashable {
    public var tariff: Tariff
    public var isCurrent: Bool
    /// Fees, usage beyond the packages and recurring charges over the whole window.
    public var total: Money
    public var fees: Money
    public var usage: Money
    public var recurring: Money
    /// `total` per month of the window (rounded half up).
    public var perMonth: Money
    /// What it saves per month against the current tariff (negative: it costs more).
    public var savingPerMonth: Money
    /// What the line used per month (minutes, SMS, megabytes) and what the tariff includes: the reason in words.
    public var usedPerMonth: [PackageUnit: Int64]

    public init(
        tariff: Tariff, isCurrent: Bool, total: Money, fees: Money, usage: Money, recurring: Money, perMonth: Money,
        savingPerMonth: Money, usedPerMonth: [PackageUnit: Int64]
    ) {
        self.tariff = tariff
        self.isCurrent = isCurrent
        self.total = total
        self.fees = fees
        self.usage = usage
        self.recurring = recurring
        self.perMonth = perMonth
        self.savingPerMonth = savingPerMonth
        self.usedPerMonth = usedPerMonth
    }
}

/// The advisor's answer: the window it replayed and every open tariff, cheapest first.
public struct TariffAdvice: Sendable, Hashable {
    public var from: Date
    public var to: Date
    public var months: Int
    public var events: Int
    public var estimates: [TariffEstimate]

    public init(from: Date, to: Date, months: Int, events: Int, estimates: [TariffEstimate]) {
        self.from = from
        self.to = to
        self.months = months
        self.events = events
        self.estimates = estimates
    }
}

/// Replays a line's rated events on a tariff with Billing's own rules: the periods and their prorated fees and
/// packages (``BillingRules/plan(tariff:region:from:)``), the rollover of unused units
/// (``PeriodPlan/rollover(of:from:)``) and the pricing of each event (``Rater/rate(_:line:tariff:buckets:)``) — one
/// implementation, so the figure is what running that tariff would have charged.
public enum TariffAdvisor {
    public struct Replay: Sendable, Hashable {
        public var fees: Int64
        public var usage: Int64
    }

    /// `events` must be sorted by time and lie in `[from, to)`.
    public static func replay(
        _ events: [UsageEvent], line: SubscriberID, tariff: Tariff, region: RegionID, rules: BillingRules, from: Date,
        to: Date
    ) throws -> Replay {
        var fees: Int64 = 0
        var usage: Int64 = 0
        var buckets: [Bucket] = []
        var previous: PeriodPlan?
        var nextID: Int64 = 1
        var index = 0
        var start = from
        while start < to {
            let plan = try rules.plan(tariff: tariff, region: region, from: start)
            guard plan.period.end > start else { break }
            fees += plan.fee.minorUnits
            var current: [Bucket] = []
            if let previous, plan.takesOverUnused(from: previous.tariffID, rollover: tariff.rollover) {
                for (_, carried) in plan.rollover(of: buckets, from: previous.period) {
                    var bucket = carried
                    bucket.id = nextID
                    nextID += 1
                    current.append(bucket)
                }
            }
            for grant in plan.grants {
                current.append(
                    Bucket(
                        id: nextID, unit: grant.unit, total: grant.units, left: grant.units,
                        validFrom: plan.period.start, expiresAt: plan.period.end, source: .package))
                nextID += 1
            }
            buckets = current
            while index < events.count, events[index].occurredAt < plan.period.end {
                usage += Rater.rate(events[index], line: line, tariff: tariff, buckets: &buckets).charged.minorUnits
                index += 1
            }
            previous = plan
            start = plan.period.end
        }
        return Replay(fees: fees, usage: usage)
    }

    /// The window: the last three whole monthly periods of the region's calendar before the current one, from the
    /// line's activation when that came later; a line younger than a month gets the time since it opened.
    public static func window(now: Date, opened: Date, calendar: BillingCalendar) -> (from: Date, to: Date, months: Int)
    {
        let current = calendar.period(containing: now, feePeriod: .month)
        var from = current.start
        var months = 0
        for _ in 0..<3 {
            let earlier = calendar.period(containing: from.addingTimeInterval(-1), feePeriod: .month)
            guard earlier.start >= opened else { break }
            from = earlier.start
            months += 1
        }
        guard months > 0 else { return (opened, now, 1) }
        return (from, current.start, months)
    }
}

extension DefaultBillingService {
    /// Every open tariff of the line's region priced on the line's usage of the last three whole months, cheapest
    /// first.
    public func advice(_ access: LineAccess) async throws -> TariffAdvice {
        try access.require(.viewBalance)
        guard let account = try await store.account(of: access.subscriberID),
            let calendar = rules.calendar(access.region), let region = rules.region(access.region)
        else { throw CabinetError(BillingError.noAccount) }
        let now = clock.now
        let opened =
            try await lines.line(id: access.subscriberID)?.activatedOn.startOfDay(in: calendar.timeZone)
            ?? account.period.start
        let window = TariffAdvisor.window(now: now, opened: opened, calendar: calendar)
        var rated: [RatedEvent] = []
        var after: UsageCursor?
        repeat {
            let page = try await store.ratedEvents(
                of: access.subscriberID,
                query: UsageQuery(from: window.from, to: window.to, after: after, limit: 100_000))
            rated += page
            after =
                page.count == 100_000
                ? page.last.map { UsageCursor(occurredAt: $0.occurredAt, eventID: $0.eventID) } : nil
        } while after != nil
        // The billable units are what rating saw; replaying them rounds to the same units.
        let events = rated.map {
            UsageEvent(
                eventID: $0.eventID, msisdn: access.msisdn, kind: $0.kind, occurredAt: $0.occurredAt,
                quantity: $0.kind == .data ? $0.units * 1024 : $0.units, callKind: $0.callKind,
                otherParty: $0.otherParty)
        }
        var used: [PackageUnit: Int64] = [:]
        for event in rated { used[Rater.unit(of: event.kind), default: 0] += event.units }
        let perMonthUsed: [PackageUnit: Int64] = [
            .seconds: used[.seconds, default: 0] / 60 / Int64(window.months),
            .sms: used[.sms, default: 0] / Int64(window.months),
            .kilobytes: used[.kilobytes, default: 0] / 1024 / Int64(window.months),
        ]
        let scheduled = try await recurring?.scheduledCharges(of: access.subscriberID) ?? []
        let currency = region.currency
        var estimates: [TariffEstimate] = []
        for tariff in rules.regions.openTariffs(in: access.region) where tariff.fee.amount.currency == currency {
            let replay = try TariffAdvisor.replay(
                events, line: access.subscriberID, tariff: tariff, region: access.region, rules: rules,
                from: window.from, to: window.to)
            let recurringTotal = Self.recurringCost(
                scheduled, on: tariff, from: window.from, to: window.to, calendar: calendar)
            let total = replay.fees + replay.usage + recurringTotal
            estimates.append(
                TariffEstimate(
                    tariff: tariff, isCurrent: tariff.id == account.tariffID,
                    total: Money(minorUnits: total, currency: currency),
                    fees: Money(minorUnits: replay.fees, currency: currency),
                    usage: Money(minorUnits: replay.usage, currency: currency),
                    recurring: Money(minorUnits: recurringTotal, currency: currency),
                    perMonth: Money(minorUnits: Self.divide(total, by: window.months), currency: currency),
                    savingPerMonth: Money(minorUnits: 0, currency: currency), usedPerMonth: perMonthUsed))
        }
        if let current = estimates.first(where: \.isCurrent) {
            for index in estimates.indices {
                estimates[index].savingPerMonth = Money(
                    minorUnits: current.perMonth.minorUnits - estimates[index].perMonth.minorUnits, currency: currency)
            }
        }
        estimates.sort { ($0.total.minorUnits, $0.isCurrent ? 0 : 1) < ($1.total.minorUnits, $1.isCurrent ? 0 : 1) }
        return TariffAdvice(
            from: window.from, to: window.to, months: window.months, events: rated.count, estimates: estimates)
    }

    /// Recurring charges over the window: an option the tariff includes costs nothing on it (its key is
    /// `option:<line>:<option>`), everything else what it costs today, per day or per month.
    static func recurringCost(
        _ scheduled: [ScheduledCharge], on tariff: Tariff, from: Date, to: Date, calendar: BillingCalendar
    ) -> Int64 {
        let days = Int64(max(0, calendar.date(of: from).days(until: calendar.date(of: to))))
        var months: Int64 = 0
        var start = from
        while start < to {
            let period = calendar.period(containing: start, feePeriod: .month)
            months += 1
            start = period.end
        }
        var total: Int64 = 0
        for item in scheduled {
            let parts = item.charge.key.split(separator: ":")
            if parts.first == "option", let last = parts.last,
                tariff.includedOptions.contains(where: { $0.rawValue == String(last) })
            {
                continue
            }
            switch item.charge.fee.period {
            case .day: total += item.charge.fee.amount.minorUnits * days
            case .month: total += item.charge.fee.amount.minorUnits * months
            }
        }
        return total
    }

    static func divide(_ amount: Int64, by count: Int) -> Int64 {
        let n = Int64(max(1, count))
        return amount >= 0 ? (amount + n / 2) / n : -((-amount + n / 2) / n)
    }
}
