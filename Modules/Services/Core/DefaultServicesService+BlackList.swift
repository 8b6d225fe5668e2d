import Billing
public import CabinetCore
import Foundation
import Subscribers
import Tariffs

extension DefaultServicesService {
    public func blackList(for line: LineAccess) async throws -> BlackListView {
        let settings = try self.settings(line.region)
        let zone = regions.region(line.region)?.timeZone ?? TimeZone(identifier: "UTC")!
        let since = clock.now.addingTimeInterval(-30 * 86_400)
        let calls = try await store.blockedCalls(of: line.subscriberID, since: since, limit: 5_000)
        var days: [String: BlockedCallDay] = [:]
        for call in calls {
            let day = LocalDate(call.at, in: zone)
            let key = "\(day)|\(call.caller)"
            if var known = days[key] {
                known.count += 1
                known.lastAt = max(known.lastAt, call.at)
                days[key] = known
            } else {
                days[key] = BlockedCallDay(number: call.caller, day: day, count: 1, lastAt: call.at)
            }
        }
        return BlackListView(
            state: try await store.blackList(of: line.subscriberID),
            entries: try await store.entries(of: line.subscriberID), policy: settings.blackList,
            blocked: days.values.sorted { ($0.lastAt, $0.number) > ($1.lastAt, $1.number) })
    }

    public func connectBlackList(for line: LineAccess) async throws -> ServiceRequest {
        try line.require(.manageServices)
        try Self.requireActive(line)
        let policy = try settings(line.region).blackList
        let now = clock.now
        var charge: RecurringCharge?
        var first = Money.zero(policy.connectionFee.currency)
        if policy.dailyFee.isPositive {
            let recurring = RecurringCharge(
                key: BlackListOrder.recurringKey(line: line.subscriberID), line: line.subscriberID,
                region: line.region, fee: RecurringFee(amount: policy.dailyFee, period: .day), kind: .optionFee,
                explanation: "services.explain.blackListFee",
                arguments: ["option": "Чёрный список", "optionEn": "Black list"])
            if let calendar = regions.region(line.region).flatMap(BillingCalendar.init(region:)) {
                first = recurring.firstPeriod(at: now, calendar: calendar).amount
            }
            charge = recurring
        }
        return try await store.connectBlackList(
            BlackListOrder(
                line: line.subscriberID, connectionFee: policy.connectionFee, recurring: charge, firstPeriodFee: first,
                at: now))
    }

    public func disconnectBlackList(for line: LineAccess) async throws -> ServiceRequest {
        try line.require(.manageServices)
        let policy = try settings(line.region).blackList
        let now = clock.now
        return try await store.disconnectBlackList(
            of: line.subscriberID, keepUntil: now.addingTimeInterval(TimeInterval(policy.retentionDays) * 86_400),
            at: now)
    }

    public func addToBlackList(_ text: String, label: String?, for line: LineAccess) async throws -> ServiceRequest {
        try line.require(.manageServices)
        try Self.requireActive(line)
        let policy = try settings(line.region).blackList
        let number = try Self.number(text)
        guard number.e164 != line.msisdn.e164 else {
            throw CabinetError.validation([FieldError(field: "number", code: ServicesError.numberOwn)])
        }
        let trimmed = label?.trimmingCharacters(in: .whitespacesAndNewlines)
        let now = clock.now
        return try await store.addEntry(
            BlackListEntry(
                line: line.subscriberID, number: number,
                label: trimmed.flatMap { $0.isEmpty ? nil : String($0.prefix(100)) }, addedAt: now),
            maxEntries: policy.maxEntries, fee: policy.feePerNumber, at: now)
    }

    public func removeFromBlackList(_ text: String, for line: LineAccess) async throws -> ServiceRequest {
        try line.require(.manageServices)
        return try await store.removeEntry(try Self.number(text), of: line.subscriberID, at: clock.now)
    }

    /// A number a person typed, or the field error that says what is wrong with it.
    static func number(_ text: String) throws -> PhoneNumber {
        do {
            return try PhoneNumber(parsing: text)
        } catch .short {
            throw CabinetError.validation([FieldError(field: "number", code: ServicesError.numberShort)])
        } catch {
            throw CabinetError.validation([
                FieldError(field: "number", code: ServicesError.numberInvalid, arguments: ["value": text])
            ])
        }
    }

    // MARK: - The network's check

    public func check(_ attempts: [CallAttempt]) async throws -> [CallDecision] {
        // Nothing to ask the stores: no hop to a reader's thread.
        guard !attempts.isEmpty else { return [] }
        return try await reads.groupingReads { try await decide(attempts) }
    }

    private func decide(_ attempts: [CallAttempt]) async throws -> [CallDecision] {
        // Every number of the batch in one read.
        let numbers = Set(attempts.flatMap { [$0.from.e164, $0.to.e164] }).compactMap(MSISDN.init(e164:))
        let known = try await lines.lines(msisdns: numbers)
        var found: [String: Line?] = [:]
        for (msisdn, line) in known { found[msisdn.e164] = line }
        func line(_ number: PhoneNumber) -> Line? { found[number.e164] ?? nil }
        // Barring and the balance matter for the calling lines only.
        let callers = Set(attempts.compactMap { line($0.from) })
        let options = callers.isEmpty ? [:] : try await store.connectedOptions(of: callers.map(\.id))
        // The callers' tariffs and balances in one read each: a batch of a hundred attempts is a handful of queries.
        let ids = callers.map(\.id)
        let tariffs = ids.isEmpty ? [:] : try await lineTariffs.tariffs(of: ids, at: clock.now)
        let balances = ids.isEmpty ? [:] : try await ledger.balances(of: ids)
        var bars: [SubscriberID: Set<ServiceOption.Barring>] = [:]
        for caller in callers {
            bars[caller.id] = barrings(of: caller, connected: options[caller.id] ?? [], tariff: tariffs[caller.id])
        }
        // A line without an account has no money to be short of.
        let restricted = balances.filter { $0.value.isNegative }
        // Rules of other modules (a company's quota), for the active callers only.
        var guarded: [SubscriberID: CallGuardRefusal] = [:]
        let active = callers.filter { $0.status == .active }.map(\.id)
        if !active.isEmpty {
            for rule in callGuards.all {
                for (line, refusal) in try await rule.refusals(of: active, at: clock.now) where guarded[line] == nil {
                    guarded[line] = refusal
                }
            }
        }
        let pairs = attempts.compactMap { attempt -> (callee: SubscriberID, caller: String)? in
            line(attempt.to).map { (callee: $0.id, caller: attempt.from.e164) }
        }
        let hits = try await store.blackListed(pairs)
        var blocked: [BlockedCall] = []
        let decisions = attempts.map { attempt -> CallDecision in
            let caller = line(attempt.from)
            let callee = line(attempt.to)
            guard caller != nil || callee != nil else { return CallDecision(id: attempt.id, reason: .unknownLine) }
            if let caller {
                if caller.status != .active { return CallDecision(id: attempt.id, reason: .lineBlocked) }
                let barred = bars[caller.id] ?? []
                if attempt.roaming, barred.contains(.roaming) {
                    return CallDecision(id: attempt.id, reason: .roamingBarred)
                }
                if attempt.to.isInternational, barred.contains(.international) {
                    return CallDecision(id: attempt.id, reason: .internationalBarred)
                }
                if attempt.kind == .sms, attempt.to.isShort, barred.contains(.premiumSms) {
                    return CallDecision(id: attempt.id, reason: .premiumSmsBarred)
                }
                // Calls between two lines of the operator are free on most tariffs; a restricted line may still
                // make them only if the operator says so — today every outgoing paid attempt waits for a top-up.
                if restricted[caller.id] != nil { return CallDecision(id: attempt.id, reason: .lineRestricted) }
                if let refusal = guarded[caller.id], refusal.kinds.contains(attempt.kind) {
                    return CallDecision(id: attempt.id, reason: refusal.reason)
                }
            }
            if let callee {
                if callee.status == .blocked || callee.status == .terminated {
                    return CallDecision(id: attempt.id, reason: .lineBlocked)
                }
                if hits.contains(BlackListHit(callee: callee.id, caller: attempt.from.e164)) {
                    blocked.append(
                        BlockedCall(
                            eventID: attempt.id, line: callee.id, caller: attempt.from.e164, kind: attempt.kind,
                            at: attempt.at))
                    return CallDecision(id: attempt.id, reason: .blackList)
                }
            }
            return CallDecision(id: attempt.id, reason: nil)
        }
        try await store.logBlocked(blocked)
        return decisions
    }

    /// What the caller's connected and tariff-included barring options bar.
    func barrings(of line: Line, connected: Set<OptionID>, tariff span: LineTariff?) -> Set<ServiceOption.Barring> {
        guard let region = regions.region(line.region), let settings = region.settings(for: ServicesModule.self) else {
            return []
        }
        var ids = connected
        if let span, let tariff = region.settings(for: TariffsModule.self)?.tariff(span.tariffID) {
            ids.formUnion(tariff.includedOptions)
        }
        return Set(ids.compactMap { settings.option($0)?.bars })
    }
}
