public import CabinetCore
public import Foundation

/// A holiday suspension of a line: from its first day's local midnight to the local midnight of the day service
/// resumes. Planned (`scheduled`), running (`active`), then `ended` (on time or early) or `cancelled` before it began.
public struct Suspension: Sendable, Hashable, Identifiable {
    public enum Status: String, Sendable, Hashable, Codable {
        case scheduled, active, ended, cancelled
    }

    public var id: Int64
    public var line: SubscriberID
    public var region: RegionID
    public var firstDay: LocalDate
    public var resumeDay: LocalDate
    public var startsAt: Date
    public var endsAt: Date
    public var status: Status
    public var requestID: Int64

    public init(
        id: Int64, line: SubscriberID, region: RegionID, firstDay: LocalDate, resumeDay: LocalDate, startsAt: Date,
        endsAt: Date, status: Status, requestID: Int64
    ) {
        self.id = id
        self.line = line
        self.region = region
        self.firstDay = firstDay
        self.resumeDay = resumeDay
        self.startsAt = startsAt
        self.endsAt = endsAt
        self.status = status
        self.requestID = requestID
    }

    /// Days without service: from the first day up to the day before service resumes.
    public var days: Int { firstDay.days(until: resumeDay) }

    public static let requestKind = "services.suspend"
    public static let resumeKind = "services.resume"
    public static func recurringKey(line: SubscriberID) -> String { "suspension:\(line.rawValue)" }
}

/// What a suspension from `firstDay` to `resumeDay` costs, and whether the region allows it.
public struct SuspensionPreview: Sendable, Hashable {
    public var firstDay: LocalDate
    public var resumeDay: LocalDate
    public var days: Int
    public var freeDays: Int
    public var chargedDays: Int
    public var dailyFee: Money
    public var total: Money
    /// Why it cannot be planned, when it cannot.
    public var refusal: CabinetError?

    public var allowed: Bool { refusal == nil }
}

/// The line's suspension page: the running or planned one, how many are left this year, the region's rules.
public struct SuspensionView: Sendable, Hashable {
    public var current: Suspension?
    public var startedThisYear: Int
    public var policy: ServicesSettings.SuspensionPolicy
    public var today: LocalDate
}

/// A suspension to record: its row and request, and (when it starts today) the line's status change right after.
public struct SuspensionOrder: Sendable, Hashable {
    public var line: SubscriberID
    public var region: RegionID
    public var firstDay: LocalDate
    public var resumeDay: LocalDate
    public var startsAt: Date
    public var endsAt: Date
    public var perYear: Int
    /// The calendar year's bounds the `perYear` count is taken in.
    public var yearStart: Date
    public var yearEnd: Date
    public var at: Date

    public init(
        line: SubscriberID, region: RegionID, firstDay: LocalDate, resumeDay: LocalDate, startsAt: Date, endsAt: Date,
        perYear: Int, yearStart: Date, yearEnd: Date, at: Date
    ) {
        self.line = line
        self.region = region
        self.firstDay = firstDay
        self.resumeDay = resumeDay
        self.startsAt = startsAt
        self.endsAt = endsAt
        self.perYear = perYear
        self.yearStart = yearStart
        self.yearEnd = yearEnd
        self.at = at
    }
}
