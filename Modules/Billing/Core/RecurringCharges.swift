public import CabinetCore
public import Foundation

/// A fee another module charges every period while something is on (a connected option's daily or monthly fee).
/// Billing owns its timing: the periods are the region's billing calendar's (a local day, or fee day to fee day), so
/// the fee run charges it beside the tariff's fee and the dashboard shows it.
public struct RecurringCharge: Sendable, Hashable {
    /// Unique while the charge runs, e.g. `option:<line>:<option id>`; part of every posting's external id.
    public var key: String
    public var line: SubscriberID
    public var region: RegionID
    public var fee: RecurringFee
    public var kind: MovementKind
    /// Message key and arguments of the balance history's line ("«Гудок», абонентская плата за …").
    public var explanation: String
    public var arguments: [String: String]
    /// Charged while the line is blocked or suspended (the state's own fee); every other charge waits then, its
    /// periods passing uncharged.
    public var whileInactive: Bool
    /// No period starting at or after it is charged (the charge then ends by itself); `nil` runs until stopped.
    public var endsAt: Date?

    public init(
        key: String, line: SubscriberID, region: RegionID, fee: RecurringFee, kind: MovementKind,
        explanation: String, arguments: [String: String], whileInactive: Bool = false, endsAt: Date? = nil
    ) {
        self.whileInactive = whileInactive
        self.endsAt = endsAt
        self.key = key
        self.line = line
        self.region = region
        self.fee = fee
        self.kind = kind
        self.explanation = explanation
        self.arguments = arguments
    }

    /// The ledger's permanent id of the charge for the period starting at `start`: one charge per period, ever.
    public func externalID(periodStart start: Date) -> String {
        "recurring:\(key):\(start.timeIntervalSince1970Milliseconds)"
    }
}

/// A recurring charge as scheduled: when its next period starts.
public struct ScheduledCharge: Sendable, Hashable {
    public var charge: RecurringCharge
    public var nextAt: Date

    public init(charge: RecurringCharge, nextAt: Date) {
        self.charge = charge
        self.nextAt = nextAt
    }
}

/// Recurring charges, started and stopped inside another module's write transaction (the option's change and its
/// schedule commit together), charged by Billing's fee run.
///
/// The period a charge starts in is the caller's to charge (prorated, with the change, as a purchase); Billing
/// charges every later period in full at its start. Fees of later periods may take the balance below zero, as the
/// tariff's fee does (the line is then restricted until topped up).
public protocol RecurringCharges: Sendable {
    /// Schedules `charge` from the end of the period containing `instant`; refused when its key runs already.
    func start(_ charge: RecurringCharge, at instant: Date, in transaction: any WriteTransaction) async throws
    /// Stops a charge; no later period is charged. `false` when it was not running.
    @discardableResult
    func stop(key: String, in transaction: any WriteTransaction) async throws -> Bool
    /// The line's running charges.
    func scheduledCharges(of line: SubscriberID) async throws -> [ScheduledCharge]
    /// Charges every period that has started by `now` (what the fee run does); returns the postings made.
    func chargeDue(now: Date, limit: Int) async throws -> Int
}

extension RecurringCharge {
    /// The part of the fee for the rest of the period containing `instant` (the first, partial period), in the
    /// region's calendar; the same proration as a tariff's first period.
    public func firstPeriod(at instant: Date, calendar: BillingCalendar) -> (period: BillingPeriod, amount: Money) {
        let period = calendar.period(containing: instant, feePeriod: fee.period)
        let amount = BillingCalendar.prorate(
            fee.amount, part: period.end.timeIntervalSince(instant), whole: period.end.timeIntervalSince(period.start))
        return (period, amount)
    }
}
