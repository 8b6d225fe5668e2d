import Billing
public import CabinetCore
public import Foundation
public import Services
import Subscribers

extension DefaultCorporateService {
    public func requestQuota(_ access: AdminAccess, msisdn: MSISDN, limits: QuotaLimits) async throws -> QuotaRequest {
        try access.require(.manageLines)
        let (line, _) = try await visibleLine(access, msisdn: msisdn)
        guard let region = regions.region(line.region) else {
            throw CabinetError(KernelError.regionUnknown, arguments: ["region": line.region.rawValue])
        }
        let limits = try limits.validated(currency: region.currency)
        return try await store.openQuotaRequest(
            line: line.id, msisdn: line.msisdn, action: .set, limits: limits,
            journal: journal(access, "quota.set", target: line.msisdn.formatted, line: line.id))
    }

    public func requestQuotaDeletion(_ access: AdminAccess, msisdn: MSISDN) async throws -> QuotaRequest {
        try access.require(.manageLines)
        let (line, _) = try await visibleLine(access, msisdn: msisdn)
        let pending = try await store.quotaRequests(of: line.id, limit: 20).contains {
            $0.action == .set && ($0.status == .pending || $0.status == .processing)
        }
        let quota = try await store.quotas(of: [line.id])[line.id]
        guard pending || quota != nil else {
            throw CabinetError(CorporateError.quotaNotFound, arguments: ["msisdn": msisdn.formatted])
        }
        return try await store.openQuotaRequest(
            line: line.id, msisdn: line.msisdn, action: .delete, limits: nil,
            journal: journal(access, "quota.delete", target: line.msisdn.formatted, line: line.id))
    }

    // MARK: - The job

    /// Applies requests as the network does — taken (`processing`), then in force (`done`) — and sends the month's
    /// warnings. Every step is a conditional update or a deduplicated message, so two servers running it at once do
    /// each thing once.
    public func runQuotaJob() async throws -> QuotaJobReport {
        var report = QuotaJobReport()
        for request in try await store.quotaRequests(in: .pending, limit: 500) {
            _ = try await store.advance(request, from: .pending, to: .processing, reason: nil, at: clock.now)
        }
        for request in try await store.quotaRequests(in: .processing, limit: 500) {
            // A line that left the company (or ended) since the request keeps no company quota.
            let line = try await lines.line(id: request.line)
            if let line, line.companyID == request.company, line.status != .terminated {
                if try await store.advance(request, from: .processing, to: .done, reason: nil, at: clock.now) {
                    report.applied += 1
                }
            } else if try await store.advance(
                request, from: .processing, to: .rejected, reason: "corporate.quota.lineLeft", at: clock.now)
            {
                report.rejected += 1
            }
        }
        report.notices = try await sendWarnings()
        return report
    }

    /// Tells the employee and the company's admins who see the line when its spending this month reaches the
    /// region's warning share of the money limit, and again at the limit: once each per month (the outbox drops a
    /// message whose key it has).
    func sendWarnings() async throws -> Int {
        var sent = 0
        var cursor: SubscriberID?
        var adminsByCompany: [CompanyID: [CompanyAdmin]] = [:]
        while true {
            let page = try await store.quotas(after: cursor, limit: 500)
            let found = try await lines.lines(ids: page.map(\.line))
            let spent = try await monthSpending(of: Array(found.values))
            for quota in page {
                // A line that left the company is no longer its concern (nor its admins' to hear about).
                guard let limit = quota.limits.money, let line = found[quota.line], line.status == .active,
                    line.companyID == quota.company, let region = regions.region(line.region),
                    let settings = region.settings(for: CorporateModule.self)
                else { continue }
                let usage = QuotaUsage(
                    spent: spent[line.id] ?? .zero(region.currency), minutes: 0, sms: 0, megabytes: 0)
                let percent = usage.moneyPercent(of: quota.limits)
                let threshold =
                    percent >= 100 ? 100 : percent >= settings.quotaWarningPercent ? settings.quotaWarningPercent : 0
                guard threshold > 0 else { continue }
                if adminsByCompany[quota.company] == nil {
                    adminsByCompany[quota.company] = try await store.admins(of: quota.company)
                }
                let group = try await store.groupIDs(of: [line.id])[line.id]
                let today = LocalDate(clock.now, in: region.timeZone)
                let month = String(format: "%04d-%02d", today.year, today.month)
                let key = threshold == 100 ? "corporate.sms.quotaExhausted" : "corporate.sms.quotaWarning"
                let arguments = [
                    "percent": "\(threshold)", "msisdn": line.msisdn.formatted, "spent": usage.spent.amountString,
                    "limit": limit.amountString, "currency": limit.currency.code,
                ]
                var recipients = [line.msisdn]
                recipients += (adminsByCompany[quota.company] ?? []).filter { $0.sees(group: group) }.map(\.msisdn)
                let notices = Set(recipients).map { to in
                    QuotaNotice(
                        to: to, text: texts.text(key, in: .ru, arguments: arguments),
                        dedupeKey: "corporate.quota:\(line.id.rawValue):\(month):\(threshold):\(to.e164)")
                }
                sent += try await store.send(notices, at: clock.now)
            }
            guard page.count == 500, let last = page.last else { break }
            cursor = last.line
        }
        return sent
    }

    /// What each line spent since the start of its region's calendar month, in one grouped read per region and 1000
    /// lines (the same sums as ``monthUsage(of:)``'s `spent`).
    func monthSpending(of found: [Line]) async throws -> [SubscriberID: Money] {
        var spent: [SubscriberID: Money] = [:]
        for (regionID, lines) in Dictionary(grouping: found, by: \.region) {
            guard let region = regions.region(regionID) else { continue }
            let totals = try await billing.spentThisMonth(of: lines.map(\.id), region: regionID)
            for line in lines { spent[line.id] = totals[line.id] ?? .zero(region.currency) }
        }
        return spent
    }

    /// What the line spent and used since the start of its region's calendar month.
    func monthUsage(of line: Line) async throws -> QuotaUsage {
        let access = LineAccess.owned(line.id, msisdn: line.msisdn, region: line.region, status: line.status)
        let currency = regions.region(line.region)?.currency ?? .rub
        let spent = try await billing.spending(access, months: 1).last?.total ?? .zero(currency)
        let zone = regions.region(line.region)?.timeZone ?? .gmt
        let today = LocalDate(clock.now, in: zone)
        let first = LocalDate(year: today.year, month: today.month, day: 1) ?? today
        let totals = try await billing.shortStatement(access, from: first, to: today, kinds: [], after: nil, limit: 1)
            .totals
        func units(_ kind: UsageEvent.Kind) -> Int64 { totals.filter { $0.kind == kind }.reduce(0) { $0 + $1.units } }
        return QuotaUsage(
            spent: spent, minutes: Int((units(.call) + 59) / 60), sms: Int(units(.sms)),
            megabytes: Int(units(.data) / 1_048_576))
    }

    // MARK: - The network's check

    /// Lines whose quota is used up under the `block` policy are refused paid outgoing calls and SMS of the kinds
    /// used up (money: both).
    public func refusals(of callers: [SubscriberID], at now: Date) async throws -> [SubscriberID: CallGuardRefusal] {
        let quotas = try await store.quotas(of: callers).filter { $0.value.limits.policy == .block }
        guard !quotas.isEmpty else { return [:] }
        let found = try await lines.lines(ids: Array(quotas.keys))
        // Money limits from one grouped read; package limits need the month's units (a few reads per such line).
        let spent = try await monthSpending(of: Array(found.values))
        var result: [SubscriberID: CallGuardRefusal] = [:]
        for (id, quota) in quotas {
            guard let line = found[id], line.companyID == quota.company else { continue }
            let limits = quota.limits
            let usage =
                limits.minutes == nil && limits.sms == nil && limits.megabytes == nil
                ? QuotaUsage(
                    spent: spent[id] ?? .zero(limits.money?.currency ?? .rub), minutes: 0, sms: 0, megabytes: 0)
                : try await monthUsage(of: line)
            let exhausted = usage.exhaustedKinds(of: limits)
            var kinds: Set<CallAttempt.Kind> = []
            if exhausted.contains(.voice) { kinds.insert(.voice) }
            if exhausted.contains(.sms) { kinds.insert(.sms) }
            if !kinds.isEmpty { result[id] = CallGuardRefusal(kinds: kinds, reason: .quotaExhausted) }
        }
        return result
    }
}
