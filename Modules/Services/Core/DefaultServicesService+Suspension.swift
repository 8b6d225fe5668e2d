import Billing
public import CabinetCore
import Foundation
import Logging
import Subscribers

extension DefaultServicesService {
    public func suspension(for line: LineAccess) async throws -> SuspensionView {
        let policy = try settings(line.region).suspension
        let zone = try timeZone(line.region)
        let today = LocalDate(clock.now, in: zone)
        let year = yearBounds(of: today, in: zone)
        return SuspensionView(
            current: try await store.openSuspension(of: line.subscriberID),
            startedThisYear: try await store.suspensionsStarting(of: line.subscriberID, from: year.start, to: year.end),
            policy: policy, today: today)
    }

    public func previewSuspension(for line: LineAccess, from first: LocalDate, until resume: LocalDate) async throws
        -> SuspensionPreview
    {
        let policy = try settings(line.region).suspension
        let zone = try timeZone(line.region)
        let today = LocalDate(clock.now, in: zone)
        let days = first.days(until: resume)
        let charged = max(0, days - policy.freeDays)
        var refusal: CabinetError?
        if first < today || days < 1 {
            refusal = CabinetError.validation([FieldError(field: "from", code: ServicesError.suspensionDates)])
        } else if today.days(until: first) > policy.maxDaysAhead {
            refusal = CabinetError.validation([
                FieldError(
                    field: "from", code: ServicesError.suspensionTooFar,
                    arguments: ["days": String(policy.maxDaysAhead)])
            ])
        } else if days < policy.minDays {
            refusal = CabinetError.validation([
                FieldError(
                    field: "until", code: ServicesError.suspensionTooShort, arguments: ["days": String(policy.minDays)])
            ])
        } else if days > policy.maxDays {
            refusal = CabinetError.validation([
                FieldError(
                    field: "until", code: ServicesError.suspensionTooLong, arguments: ["days": String(policy.maxDays)])
            ])
        } else if try await store.openSuspension(of: line.subscriberID) != nil {
            refusal = CabinetError(ServicesError.suspensionOpen)
        } else {
            let year = yearBounds(of: first, in: zone)
            let started = try await store.suspensionsStarting(of: line.subscriberID, from: year.start, to: year.end)
            if started >= policy.perYear {
                refusal = CabinetError(ServicesError.suspensionTooOften, arguments: ["max": String(policy.perYear)])
            }
        }
        return SuspensionPreview(
            firstDay: first, resumeDay: resume, days: max(0, days), freeDays: min(max(0, days), policy.freeDays),
            chargedDays: charged, dailyFee: policy.dailyFee,
            total: try policy.dailyFee.multiplied(by: Int64(charged)), refusal: refusal)
    }

    public func suspend(for line: LineAccess, from first: LocalDate, until resume: LocalDate) async throws
        -> ServiceRequest
    {
        try line.require(.manageServices)
        let preview = try await previewSuspension(for: line, from: first, until: resume)
        if let refusal = preview.refusal { throw refusal }
        let policy = try settings(line.region).suspension
        let zone = try timeZone(line.region)
        let now = clock.now
        let year = yearBounds(of: first, in: zone)
        let (suspension, request) = try await store.planSuspension(
            SuspensionOrder(
                line: line.subscriberID, region: line.region, firstDay: first, resumeDay: resume,
                startsAt: first.startOfDay(in: zone), endsAt: resume.startOfDay(in: zone), perYear: policy.perYear,
                yearStart: year.start, yearEnd: year.end, at: now))
        // One that starts today starts now; later ones wait for the job.
        if suspension.startsAt <= now { try await start(suspension) }
        return request
    }

    public func resume(for line: LineAccess) async throws -> ServiceRequest {
        try line.require(.manageServices)
        guard let open = try await store.openSuspension(of: line.subscriberID),
            let request = try await end(open, detail: "early")
        else { throw CabinetError(ServicesError.suspensionNone) }
        return request
    }

    public func runSuspensions() async throws -> Int {
        var moved = 0
        let now = clock.now
        for suspension in try await store.dueSuspensions(now: now, limit: 500) {
            // One that cannot move (its region gone from the files) is logged and passed over, not left to stop
            // every other one.
            do {
                switch suspension.status {
                case .scheduled where suspension.endsAt <= now:
                    // The server was down for the whole of it: it is over before it began.
                    if try await end(suspension, detail: "scheduled") != nil { moved += 1 }
                case .scheduled:
                    if try await start(suspension) { moved += 1 }
                case .active:
                    if try await end(suspension, detail: "scheduled") != nil { moved += 1 }
                case .ended, .cancelled:
                    continue
                }
            } catch {
                logger.error(
                    "a suspension could not move",
                    metadata: ["cabinet.suspension": "\(suspension.id)", "error": "\(error)"])
            }
        }
        return moved
    }

    /// Starts a planned suspension once (a conditional update decides who): its fee from the end of its free days
    /// up to its last day, and the line suspended unless it is blocked (a block is never lost to a suspension).
    @discardableResult
    func start(_ suspension: Suspension) async throws -> Bool {
        // A line blocked meanwhile is not suspended on top: the block stands, the plan is cancelled.
        if let line = try await lines.line(id: suspension.line), line.status == .blocked || line.status == .terminated {
            return try await end(suspension, detail: "blocked") != nil
        }
        let policy = try settings(suspension.region).suspension
        let zone = try timeZone(suspension.region)
        let firstCharged = suspension.firstDay.adding(days: policy.freeDays).startOfDay(in: zone)
        let charge =
            policy.dailyFee.isPositive && firstCharged < suspension.endsAt
            ? RecurringCharge(
                key: Suspension.recurringKey(line: suspension.line), line: suspension.line, region: suspension.region,
                fee: RecurringFee(amount: policy.dailyFee, period: .day), kind: .optionFee,
                explanation: "services.explain.suspensionFee", arguments: [:], whileInactive: true,
                endsAt: suspension.endsAt) : nil
        // Billing charges from the end of the day that contains the instant given: a second before the first day.
        let won = try await store.startSuspension(
            suspension.id, charge: charge, chargeFrom: firstCharged.addingTimeInterval(-1), at: clock.now)
        guard won else { return false }
        if let registry, let line = try await lines.line(id: suspension.line) {
            // Only from active: a line blocked in between stays blocked.
            _ = try await registry.changeStatus(of: line.msisdn, to: .suspended, from: [.active])
        }
        logger.info(
            "suspension started",
            metadata: ["cabinet.subscriber": "\(suspension.line.rawValue)", "cabinet.suspension": "\(suspension.id)"])
        return true
    }

    /// Ends (or cancels) a suspension once; the line comes back only from `suspended`, and only when this suspension
    /// had begun: a line blocked meanwhile stays blocked.
    func end(_ suspension: Suspension, detail: String) async throws -> ServiceRequest? {
        guard
            let (request, wasRunning) = try await store.endSuspension(
                suspension.id, of: suspension.line, detail: detail, at: clock.now)
        else { return nil }
        // Only a suspension that began brings the line back (one the operator set otherwise is not this one's to end).
        if wasRunning, let registry, let line = try await lines.line(id: suspension.line) {
            _ = try await registry.changeStatus(of: line.msisdn, to: .active, from: [.suspended])
        }
        logger.info(
            "suspension ended",
            metadata: [
                "cabinet.subscriber": "\(suspension.line.rawValue)", "cabinet.suspension": "\(suspension.id)",
                "cabinet.how": "\(detail)",
            ])
        return request
    }

    func timeZone(_ region: RegionID) throws -> TimeZone {
        guard let zone = regions.region(region)?.timeZone else {
            throw CabinetError.internal("region \(region.rawValue) is not in the catalogue")
        }
        return zone
    }

    /// The calendar year of `day` in the region's time zone, as instants.
    func yearBounds(of day: LocalDate, in zone: TimeZone) -> (start: Date, end: Date) {
        let first = LocalDate(year: day.year, month: 1, day: 1) ?? day
        let next = LocalDate(year: day.year + 1, month: 1, day: 1) ?? day.adding(days: 366)
        return (first.startOfDay(in: zone), next.startOfDay(in: zone))
    }
}
