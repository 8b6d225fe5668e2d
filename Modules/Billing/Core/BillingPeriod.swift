public import CabinetCore
public import Foundation

/// The span one fee pays for: a day for daily tariffs, from one fee day of the month to the next for monthly ones,
/// in the region's time zone.
public struct BillingPeriod: Sendable, Hashable, Codable {
    public var start: Date
    public var end: Date

    public init(start: Date, end: Date) {
        self.start = start
        self.end = end
    }

    public func contains(_ instant: Date) -> Bool { start <= instant && instant < end }
    public var length: TimeInterval { end.timeIntervalSince(start) }
}

/// Computes billing periods of a region.
public struct BillingCalendar: Sendable {
    public let timeZone: TimeZone
    /// Day of month monthly fees fall on (1–28).
    public let monthlyFeeDay: Int

    public init(timeZone: TimeZone, monthlyFeeDay: Int) {
        self.timeZone = timeZone
        self.monthlyFeeDay = monthlyFeeDay
    }

    public init?(region: Region) {
        guard let billing = region.settings(for: BillingModule.self) else { return nil }
        self.init(timeZone: region.timeZone, monthlyFeeDay: billing.monthlyFeeDay)
    }

    /// The period of a fee schedule that contains `instant`.
    public func period(containing instant: Date, feePeriod: RecurringFee.Period) -> BillingPeriod {
        let today = LocalDate(instant, in: timeZone)
        switch feePeriod {
        case .day:
            return BillingPeriod(
                start: today.startOfDay(in: timeZone), end: today.adding(days: 1).startOfDay(in: timeZone))
        case .month:
            var startDate = LocalDate(year: today.year, month: today.month, day: monthlyFeeDay) ?? today
            if startDate > today { startDate = Self.addMonths(startDate, -1) }
            let endDate = Self.addMonths(startDate, 1)
            return BillingPeriod(start: startDate.startOfDay(in: timeZone), end: endDate.startOfDay(in: timeZone))
        }
    }

    /// The local date an instant falls on in the region.
    public func date(of instant: Date) -> LocalDate { LocalDate(instant, in: timeZone) }

    static func addMonths(_ date: LocalDate, _ months: Int) -> LocalDate {
        let index = date.year * 12 + (date.month - 1) + months
        return LocalDate(year: index / 12, month: index % 12 + 1, day: date.day) ?? date
    }

    /// `amount × part / whole`, rounded half up to whole minor units (fees for the rest of a period).
    public static func prorate(_ amount: Money, part: TimeInterval, whole: TimeInterval) -> Money {
        guard whole > 0, part < whole else { return amount }
        guard part > 0 else { return .zero(amount.currency) }
        // Whole seconds keep the arithmetic in integers.
        let partSeconds = Int64(part.rounded(.down))
        let wholeSeconds = Int64(whole.rounded(.down))
        let (product, overflow) = amount.minorUnits.multipliedReportingOverflow(by: partSeconds)
        guard !overflow, wholeSeconds > 0 else { return amount }
        return Money(minorUnits: (product + wholeSeconds / 2) / wholeSeconds, currency: amount.currency)
    }
}
