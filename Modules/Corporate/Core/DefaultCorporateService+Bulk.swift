import CabinetCore
import Foundation
import Logging
import Services
import Subscribers
import Tariffs

extension DefaultCorporateService {
    /// Lines a bulk operation may cover at once.
    static let bulkLimit = 20_000
    /// A line left `processing` this long was being changed by a server that stopped.
    static let stuckAfter: TimeInterval = 120

    public func planBulk(_ access: AdminAccess, action: BulkAction, selection: BulkSelection) async throws
        -> BulkOperation
    {
        try access.require(.manageLines)
        try validate(action, access)
        let lines = try await selected(access, selection)
        guard !lines.isEmpty else {
            throw CabinetError.validation([FieldError(field: "lines", code: KernelError.fieldRequired)])
        }
        // The previews run a few at a time: each is a read or two.
        var plan = [BulkPlanLine?](repeating: nil, count: lines.count)
        try await withThrowingTaskGroup(of: (Int, BulkPlanLine).self) { group in
            var next = 0
            func add() {
                guard next < lines.count else { return }
                let index = next
                let line = lines[index]
                next += 1
                group.addTask { (index, try await self.preview(action, on: line, access)) }
            }
            for _ in 0..<8 { add() }
            while let (index, planned) = try await group.next() {
                plan[index] = planned
                add()
            }
        }
        let bulk = try await store.insertBulk(
            action, plan: plan.compactMap { $0 },
            journal: journal(access, "bulk.\(action.kind)", target: "\(lines.count)"))
        logger.info(
            "bulk planned",
            metadata: [
                "cabinet.bulk": "\(bulk.id)", "cabinet.company": "\(access.company.id)",
                "cabinet.count": "\(lines.count)", "cabinet.action": "\(action.kind)",
            ])
        return bulk
    }

    /// The action's own argument, before any line is looked at.
    func validate(_ action: BulkAction, _ access: AdminAccess) throws {
        switch action {
        case .changeTariff(let tariff, _):
            guard regions.region(access.company.region)?.settings(for: TariffsModule.self)?.tariff(tariff) != nil else {
                throw CabinetError.validation([FieldError(field: "tariff", code: KernelError.fieldInvalid)])
            }
        case .connectOption(let option), .disconnectOption(let option):
            guard regions.region(access.company.region)?.settings(for: ServicesModule.self)?.option(option) != nil
            else {
                throw CabinetError.validation([FieldError(field: "option", code: KernelError.fieldInvalid)])
            }
        case .setQuota(let limits):
            _ = try limits.validated(currency: regions.region(access.company.region)?.currency ?? .rub)
        case .removeQuota: break
        case .sms(let text):
            guard Self.isText(text, upTo: 480) else {
                throw CabinetError.validation([
                    FieldError(field: "text", code: CorporateError.textInvalid, arguments: ["max": "480"])
                ])
            }
        }
    }

    /// The lines the admin sees among the selection, in its order, each once.
    func selected(_ access: AdminAccess, _ selection: BulkSelection) async throws -> [Line] {
        switch selection {
        case .group(let group):
            var lines: [Line] = []
            var cursor: MSISDN?
            while true {
                let page = try await self.lines(access, search: nil, group: group, after: cursor, limit: 200)
                lines += page.map(\.line)
                guard page.count == 200, let last = page.last else { break }
                cursor = last.line.msisdn
                guard lines.count <= Self.bulkLimit else { break }
            }
            guard lines.count <= Self.bulkLimit else {
                throw CabinetError.validation([FieldError(field: "group", code: CorporateError.bulkTooLarge)])
            }
            return lines
        case .lines(let numbers):
            var seen = Set<MSISDN>()
            let unique = numbers.filter { seen.insert($0).inserted }
            guard unique.count <= Self.bulkLimit else {
                throw CabinetError.validation([FieldError(field: "lines", code: CorporateError.bulkTooLarge)])
            }
            var found: [MSISDN: Line] = [:]
            for start in stride(from: 0, to: unique.count, by: 500) {
                let chunk = Array(unique[start..<min(start + 500, unique.count)])
                found.merge(try await lines.lines(msisdns: chunk)) { first, _ in first }
            }
            let groups = try await store.groupIDs(of: found.values.map(\.id))
            var result: [Line] = []
            for number in unique {
                guard let line = found[number], line.companyID == access.company.id, line.status != .terminated,
                    access.admin.sees(group: groups[line.id])
                else {
                    throw CabinetError(CorporateError.lineNotFound, arguments: ["msisdn": number.formatted])
                }
                result.append(line)
            }
            return result
        }
    }

    /// What the action would do to one line: `nil` refusal when it would go ahead.
    func preview(_ action: BulkAction, on line: Line, _ access: AdminAccess) async throws -> BulkPlanLine {
        let owned = LineAccess.owned(line.id, msisdn: line.msisdn, region: line.region, status: line.status)
        var refusal: String?
        var note: String?
        if line.status != .active, !{ if case .removeQuota = action { true } else { false } }() {
            refusal = "corporate.bulk.line.\(line.status.rawValue)"
        } else {
            switch action {
            case .changeTariff(let tariff, let timing):
                do {
                    let preview = try await tariffChanges.preview(line: owned, to: tariff, timing: timing)
                    refusal = preview.refusal?.code.rawValue
                    note = "\(preview.chargeToday.amountString) \(preview.chargeToday.currency.code)"
                } catch let error as CabinetError {
                    refusal = error.code.rawValue
                }
            case .connectOption(let option):
                do {
                    let preview = try await options.preview(option, for: owned)
                    if let error = preview.refusal {
                        refusal = error.code.rawValue
                    } else if !preview.conflicts.isEmpty {
                        refusal = CorporateError.bulkConflict.rawValue
                        note = preview.conflicts.map(\.option.id.rawValue).joined(separator: ", ")
                    } else if preview.shortfall != nil {
                        refusal = "billing.insufficientFunds"
                    } else {
                        note = "\(preview.chargedNow.amountString) \(preview.chargedNow.currency.code)"
                    }
                } catch let error as CabinetError {
                    refusal = error.code.rawValue
                }
            case .disconnectOption(let option):
                let connected = try await options.catalogue(for: owned).first { $0.option.id == option }
                if case .connected = connected?.state {} else { refusal = CorporateError.bulkNotConnected.rawValue }
            case .setQuota: break
            case .removeQuota:
                if try await store.quotas(of: [line.id])[line.id] == nil {
                    refusal = CorporateError.quotaNotFound.rawValue
                }
            case .sms: break
            }
        }
        return BulkPlanLine(line: line.id, msisdn: line.msisdn, refusal: refusal, note: note)
    }

    public func startBulk(_ access: AdminAccess, id: Int64) async throws -> BulkOperation {
        try access.require(.manageLines)
        let bulk = try await bulk(access, id: id)
        guard bulk.admin == access.admin.id || access.admin.scopes.contains(.owner) else {
            throw CabinetError(CorporateError.bulkNotFound)
        }
        guard try await store.start(id, at: clock.now) else { throw CabinetError(CorporateError.bulkStarted) }
        return try await self.bulk(access, id: id)
    }

    public func bulk(_ access: AdminAccess, id: Int64) async throws -> BulkOperation {
        try access.require(.view)
        // Another company's operation, or (for a group-limited admin) another admin's, answers as none.
        guard let bulk = try await store.bulk(id), bulk.company == access.company.id,
            access.admin.groups.isEmpty || bulk.admin == access.admin.id
        else { throw CabinetError(CorporateError.bulkNotFound) }
        return bulk
    }

    public func bulks(_ access: AdminAccess) async throws -> [BulkOperation] {
        try access.require(.view)
        return try await store.bulks(of: access.company.id, limit: 50).filter {
            access.admin.groups.isEmpty || $0.admin == access.admin.id
        }
    }

    public func bulkItems(_ access: AdminAccess, id: Int64, after position: Int?, limit: Int) async throws
        -> [BulkItem]
    {
        _ = try await bulk(access, id: id)
        return try await store.items(of: id, after: position, limit: max(1, min(limit, 1000)))
    }

    // MARK: - The job

    public func runBulkJob(lines budget: Int) async throws -> Int {
        var changed = 0
        for bulk in try await store.runningBulks(limit: 20) {
            guard changed < budget else { break }
            try await reconcileStuck(bulk)
            while changed < budget {
                let items = try await store.claim(bulk.id, limit: min(64, budget - changed), at: clock.now)
                guard !items.isEmpty else { break }
                let admin = try await store.admins(of: bulk.company).first { $0.id == bulk.admin }
                let stop = try await withThrowingTaskGroup(of: Bool.self) { group in
                    var next = 0
                    var stopped = false
                    func add() {
                        guard next < items.count else { return }
                        let item = items[next]
                        next += 1
                        group.addTask { try await self.apply(bulk, item, admin: admin) }
                    }
                    for _ in 0..<8 { add() }
                    while let done = try await group.next() {
                        if !done { stopped = true }
                        add()
                    }
                    return stopped
                }
                changed += items.count
                if stop { break }
            }
            if try await store.complete(bulk.id, at: clock.now) {
                logger.info("bulk done", metadata: ["cabinet.bulk": "\(bulk.id)"])
            }
        }
        return changed
    }

    /// Changes one claimed line and records the outcome; `false` when the line had to wait (the SMS rate).
    func apply(_ bulk: BulkOperation, _ item: BulkItem, admin: CompanyAdmin?) async throws -> Bool {
        // The admin who started it must still be one, with the right, and still see the line.
        guard let admin, CorporateAction.manageLines.isAllowed(by: admin.scopes) else {
            try await store.finish(
                item, outcome: .refused, requestID: nil, reason: CorporateError.notAdmin.rawValue, at: clock.now)
            return true
        }
        if !admin.groups.isEmpty, !admin.sees(group: try await store.groupIDs(of: [item.line])[item.line]) {
            try await store.finish(
                item, outcome: .refused, requestID: nil, reason: CorporateError.lineNotFound.rawValue, at: clock.now)
            return true
        }
        let adminName = admin.name
        guard let line = try await lines.line(id: item.line) else {
            try await store.finish(
                item, outcome: .failed, requestID: nil, reason: SubscribersError.notFound.rawValue, at: clock.now)
            return true
        }
        // A line that left the company since the plan is not the company's to change.
        guard line.companyID == bulk.company else {
            try await store.finish(
                item, outcome: .refused, requestID: nil, reason: CorporateError.lineNotFound.rawValue, at: clock.now)
            return true
        }
        let owned = LineAccess.owned(line.id, msisdn: line.msisdn, region: line.region, status: line.status)
        let journal = JournalDraft(
            company: bulk.company, admin: bulk.admin, adminName: adminName, action: "bulk.\(bulk.action.kind)",
            target: line.msisdn.formatted, line: line.id, at: clock.now)
        do {
            if line.status != .active, !{ if case .removeQuota = bulk.action { true } else { false } }() {
                throw CabinetError(
                    line.status == .suspended ? CorporateError.bulkLineSuspended : CorporateError.bulkLineBlocked)
            }
            switch bulk.action {
            case .changeTariff(let tariff, let timing):
                let (request, _) = try await tariffChanges.change(line: owned, to: tariff, timing: timing)
                try await store.finish(item, outcome: .done, requestID: request.id, reason: nil, at: clock.now)
            case .connectOption(let option):
                let request = try await options.connect(option, for: owned, replacing: [])
                try await store.finish(item, outcome: .done, requestID: request.id, reason: nil, at: clock.now)
            case .disconnectOption(let option):
                let request = try await options.disconnect(option, for: owned)
                try await store.finish(item, outcome: .done, requestID: request.id, reason: nil, at: clock.now)
            case .setQuota(let limits):
                var quota = journal
                quota.action = "quota.set"
                _ = try await store.finishWithQuota(
                    item, action: .set, limits: limits, company: bulk.company, journal: quota)
            case .removeQuota:
                guard try await store.quotas(of: [line.id])[line.id] != nil else {
                    throw CabinetError(CorporateError.quotaNotFound, arguments: ["msisdn": line.msisdn.formatted])
                }
                var quota = journal
                quota.action = "quota.delete"
                _ = try await store.finishWithQuota(
                    item, action: .delete, limits: nil, company: bulk.company, journal: quota)
            case .sms(let text):
                let perMinute = regions.region(line.region)?.settings(for: CorporateModule.self)?.bulkSMSPerMinute ?? 60
                let decision = try await rateLimiter.hit(
                    "corporate.sms:\(bulk.company.rawValue)", limit: RateLimit(limit: perMinute, window: 60),
                    at: clock.now)
                guard decision == .allowed else {
                    try await store.release(item, at: clock.now)
                    return false
                }
                var sms = journal
                sms.action = "sms"
                _ = try await store.finishWithSMS(item, text: text, journal: sms)
            }
        } catch let error as CabinetError where error.kind != .internal && error.kind != .unavailable {
            try await store.finish(item, outcome: .refused, requestID: nil, reason: error.code.rawValue, at: clock.now)
        } catch {
            logger.warning(
                "bulk line failed",
                metadata: ["cabinet.bulk": "\(bulk.id)", "cabinet.position": "\(item.position)", "error": "\(error)"])
            try await store.finish(item, outcome: .failed, requestID: nil, reason: "internal", at: clock.now)
        }
        return true
    }

    /// Lines a stopped server left `processing`: the change either happened (its trace is on the line: the target
    /// tariff from a request, the option connected) and is recorded as done, or it did not and the line waits again.
    /// Quotas and messages commit with their outcome, so they are never left half-done.
    func reconcileStuck(_ bulk: BulkOperation) async throws {
        let stuck = try await store.stuck(bulk.id, before: clock.now.addingTimeInterval(-Self.stuckAfter), limit: 500)
        for item in stuck {
            guard let line = try await lines.line(id: item.line) else {
                try await store.release(item, at: clock.now)
                continue
            }
            let owned = LineAccess.owned(line.id, msisdn: line.msisdn, region: line.region, status: line.status)
            var applied: Int64??
            switch bulk.action {
            case .changeTariff(let tariff, _):
                let since = bulk.startedAt ?? bulk.createdAt
                if let span = try await lineTariffs.history(of: line.id).first(where: {
                    $0.tariffID == tariff && $0.requestID != nil
                        && ($0.since >= since || ($0.until == nil && $0.since > bulk.createdAt))
                }) {
                    applied = .some(span.requestID)
                }
            case .connectOption(let option):
                if case .connected(_, let request) = try await options.catalogue(for: owned).first(where: {
                    $0.option.id == option
                })?.state {
                    applied = .some(request)
                }
            case .disconnectOption(let option):
                let state = try await options.catalogue(for: owned).first { $0.option.id == option }?.state
                if case .connected = state {} else { applied = .some(nil) }
            case .setQuota, .removeQuota, .sms: break
            }
            if let applied {
                try await store.finish(item, outcome: .done, requestID: applied, reason: nil, at: clock.now)
            } else {
                try await store.release(item, at: clock.now)
            }
        }
    }
}
