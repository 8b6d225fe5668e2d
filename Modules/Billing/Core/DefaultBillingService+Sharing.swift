public import CabinetCore
import Foundation
import Logging
import Subscribers

/// What `/shares` and `GET /api/v1/me/shares` show.
public struct SharingView: Sendable, Hashable {
    public var policy: BillingSettings.SharingPolicy
    /// Megabytes of the line's own internet package usable now.
    public var ownMegabytes: Int64
    public var givenToday: Int
    public var givenThisMonth: Int
    public var recent: [DataShare]
}

/// «Делитесь гигабайтами» as the HTTP target calls it.
public protocol DataSharingService: Sendable {
    func sharing(for line: LineAccess) async throws -> SharingView
    /// Gives `gigabytes` of the line's own internet package to `recipient` (the HTTP target checks the right to move
    /// value out of the line); the recipient is told by SMS in `language`.
    func share(_ gigabytes: Int, from line: LineAccess, to recipient: MSISDN, language: Language) async throws
        -> DataShare
}

extension DefaultBillingService: DataSharingService {
    public func sharing(for line: LineAccess) async throws -> SharingView {
        let (policy, store, calendar) = try sharingParts(line.region)
        let now = clock.now
        let day = calendar.period(containing: now, feePeriod: .day).start
        let month = Self.monthStart(of: now, in: calendar.timeZone)
        return SharingView(
            policy: policy, ownMegabytes: try await store.ownData(of: line.subscriberID, at: now) / 1_024,
            givenToday: try await store.sharesGiven(by: line.subscriberID, since: day),
            givenThisMonth: try await store.sharesGiven(by: line.subscriberID, since: month),
            recent: try await store.shares(of: line.subscriberID, limit: 20))
    }

    public func share(_ gigabytes: Int, from line: LineAccess, to recipient: MSISDN, language: Language) async throws
        -> DataShare
    {
        let (policy, store, calendar) = try sharingParts(line.region)
        guard (1...policy.maxGigabytes).contains(gigabytes) else {
            throw CabinetError.validation([
                FieldError(
                    field: "gigabytes", code: BillingError.shareAmount, arguments: ["max": String(policy.maxGigabytes)])
            ])
        }
        guard let target = try await lines.line(msisdn: recipient), target.id != line.subscriberID,
            target.status == .active,
            rules.region(target.region)?.currency == rules.region(line.region)?.currency,
            let targetCalendar = rules.calendar(target.region)
        else {
            throw CabinetError(BillingError.shareRecipient, arguments: ["msisdn": recipient.formatted])
        }
        let now = clock.now
        // Valid to the recipient's local midnight `validDays` days after today.
        let expiresAt = LocalDate(now, in: targetCalendar.timeZone).adding(days: policy.validDays)
            .startOfDay(in: targetCalendar.timeZone)
        let megabytes = Int64(gigabytes) * 1_024
        let notice = texts.catalog.text(
            "billing.sms.shareReceived", in: language,
            arguments: [
                "from": line.msisdn.formatted, "gigabytes": String(gigabytes),
                "until": LocalDate(expiresAt.addingTimeInterval(-1), in: targetCalendar.timeZone).description,
            ])
        let share = try await store.share(
            ShareOrder(
                from: line.subscriberID, fromNumber: line.msisdn, to: target.id, toNumber: target.msisdn,
                megabytes: megabytes, fee: policy.fee, expiresAt: expiresAt, maxPerDay: policy.maxPerDay,
                maxPerMonth: policy.maxPerMonth, dayStart: calendar.period(containing: now, feePeriod: .day).start,
                monthStart: Self.monthStart(of: now, in: calendar.timeZone), notice: notice, at: now))
        logger.info(
            "data shared",
            metadata: [
                "cabinet.subscriber": "\(line.subscriberID.rawValue)", "cabinet.to": "\(target.id.rawValue)",
                "cabinet.megabytes": "\(megabytes)",
            ])
        return share
    }

    func sharingParts(_ region: RegionID) throws -> (
        BillingSettings.SharingPolicy, any DataSharingStore, BillingCalendar
    ) {
        guard let policy = rules.settings(region)?.sharing, let sharing, let calendar = rules.calendar(region) else {
            throw CabinetError(BillingError.shareNotOffered)
        }
        return (policy, sharing, calendar)
    }

    /// The first local midnight of the calendar month of `instant`.
    static func monthStart(of instant: Date, in zone: TimeZone) -> Date {
        let today = LocalDate(instant, in: zone)
        return (LocalDate(year: today.year, month: today.month, day: 1) ?? today).startOfDay(in: zone)
    }
}
