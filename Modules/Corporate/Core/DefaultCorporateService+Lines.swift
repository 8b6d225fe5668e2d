import Billing
public import CabinetCore
import Foundation
import Subscribers
import Tariffs

extension DefaultCorporateService {
    public func lines(_ access: AdminAccess, search: String?, group: Int64?, after cursor: MSISDN?, limit: Int)
        async throws -> [CompanyLine]
    {
        try access.require(.view)
        // One more than the largest page, so a caller can tell whether another follows.
        let limit = max(1, min(limit, 201))
        let search = search?.trimmingCharacters(in: .whitespaces)
        var found: [Line]
        if group != nil || !access.admin.groups.isEmpty {
            // A group's lines come from the membership, by number; a group-limited admin sees only theirs.
            let wanted: Set<Int64>
            if let group {
                guard access.admin.sees(group: group),
                    try await store.groups(of: access.company.id).contains(where: { $0.id == group })
                else { throw CabinetError(CorporateError.groupNotFound) }
                wanted = [group]
            } else {
                wanted = access.admin.groups
            }
            found = []
            var position = cursor
            while found.count < limit {
                let ids = try await store.members(of: wanted, in: access.company.id, after: position, limit: 500)
                let page = try await lines.lines(ids: ids)
                let ordered = ids.compactMap { page[$0] }
                found += ordered.filter {
                    $0.companyID == access.company.id && $0.status != .terminated && Self.matches($0, search)
                }
                guard ids.count == 500, let last = ordered.last else { break }
                position = last.msisdn
            }
            found = Array(found.prefix(limit))
        } else {
            found = try await lines.lines(
                company: access.company.id, matching: search?.isEmpty == false ? search : nil, after: cursor,
                limit: limit
            )
        }
        return try await decorate(found, company: access.company.id)
    }

    /// A name matches its owner's name, digits the number.
    static func matches(_ line: Line, _ search: String?) -> Bool {
        guard let search, !search.isEmpty else { return true }
        let digits = search.filter(\.isNumber)
        if !digits.isEmpty, digits.count == search.filter({ !$0.isWhitespace }).count {
            return line.msisdn.e164.contains(digits)
        }
        return line.owner.fullName?.lowercased().contains(search.lowercased()) ?? false
    }

    /// Each line with its group, quota, tariff and this month's spending.
    func decorate(_ found: [Line], company: CompanyID) async throws -> [CompanyLine] {
        let ids = found.map(\.id)
        let groupIDs = try await store.groupIDs(of: ids)
        let groups = Dictionary(
            try await store.groups(of: company).map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        // A quota or request of a company the line has left is not this company's.
        let quotas = try await store.quotas(of: ids).filter { $0.value.company == company }
        // This month's spending of the whole page in one grouped read per region.
        let spent = try await monthSpending(of: found)
        let spans = try await lineTariffs.tariffs(of: ids, at: clock.now)
        var result: [CompanyLine] = []
        for line in found {
            let tariff = spans[line.id].flatMap {
                regions.region(line.region)?.settings(for: TariffsModule.self)?.tariff($0.tariffID)
            }
            result.append(
                CompanyLine(
                    line: line, group: groupIDs[line.id].flatMap { groups[$0] }, quota: quotas[line.id],
                    tariffName: tariff?.name.ru, spentThisMonth: spent[line.id]))
        }
        return result
    }

    public func line(_ access: AdminAccess, msisdn: MSISDN) async throws -> (
        line: CompanyLine, requests: [QuotaRequest]
    ) {
        try access.require(.view)
        let (line, _) = try await visibleLine(access, msisdn: msisdn)
        guard let decorated = try await decorate([line], company: access.company.id).first else {
            throw CabinetError(CorporateError.lineNotFound, arguments: ["msisdn": msisdn.formatted])
        }
        return (
            decorated,
            try await store.quotaRequests(of: line.id, limit: 20).filter { $0.company == access.company.id }
        )
    }

    // MARK: - Groups

    public func groups(_ access: AdminAccess) async throws -> [LineGroup] {
        try access.require(.view)
        return try await store.groups(of: access.company.id).filter { access.admin.sees(group: $0.id) }
    }

    public func createGroup(_ access: AdminAccess, name: String) async throws -> LineGroup {
        try access.require(.manageLines)
        try requireWholeCompany(access)
        guard Self.isText(name, upTo: 100) else {
            throw CabinetError.validation([
                FieldError(field: "name", code: CorporateError.textInvalid, arguments: ["max": "100"])
            ])
        }
        let name = name.trimmingCharacters(in: .whitespacesAndNewlines)
        return try await store.createGroup(
            named: name, in: access.company.id, journal: journal(access, "group.create", target: name))
    }

    public func deleteGroup(_ access: AdminAccess, id: Int64) async throws {
        try access.require(.manageLines)
        try requireWholeCompany(access)
        guard let group = try await store.groups(of: access.company.id).first(where: { $0.id == id }) else {
            throw CabinetError(CorporateError.groupNotFound)
        }
        try await store.deleteGroup(
            id, of: access.company.id, journal: journal(access, "group.delete", target: group.name))
    }

    public func move(_ access: AdminAccess, msisdn: MSISDN, to group: Int64?) async throws {
        try access.require(.manageLines)
        let (line, _) = try await visibleLine(access, msisdn: msisdn)
        var target = "—"
        if let group {
            guard access.admin.sees(group: group),
                let found = try await store.groups(of: access.company.id).first(where: { $0.id == group })
            else { throw CabinetError(CorporateError.groupNotFound) }
            target = found.name
        } else if !access.admin.groups.isEmpty {
            // A group-limited admin would lose the line from their own view: only whole-company admins ungroup.
            throw CabinetError(CorporateError.scopeMissing, arguments: ["action": "line.ungroup"])
        }
        try await store.move(
            line.id, msisdn: line.msisdn, to: group, in: access.company.id,
            journal: journal(access, "line.move", target: "\(line.msisdn.formatted) → \(target)", line: line.id))
    }

    func requireWholeCompany(_ access: AdminAccess) throws {
        guard access.admin.groups.isEmpty else {
            throw CabinetError(CorporateError.scopeMissing, arguments: ["action": "groups"])
        }
    }

    // MARK: - Admins

    public func admins(_ access: AdminAccess) async throws -> [CompanyAdmin] {
        try access.require(.manageAdmins)
        try requireWholeCompany(access)
        return try await store.admins(of: access.company.id)
    }

    public func addAdmin(_ access: AdminAccess, _ draft: AdminDraft) async throws -> CompanyAdmin {
        try access.require(.manageAdmins)
        // An owner limited to groups would manage the admins of the whole company: owners are whole-company admins.
        try requireWholeCompany(access)
        var problems: [FieldError] = []
        if draft.scopes.contains(.owner), !draft.groups.isEmpty {
            problems.append(FieldError(field: "groups", code: CorporateError.ownerLimited))
        }
        if !Self.isText(draft.name, upTo: 100) {
            problems.append(FieldError(field: "name", code: CorporateError.textInvalid, arguments: ["max": "100"]))
        }
        if draft.scopes.isEmpty { problems.append(FieldError(field: "scopes", code: KernelError.fieldRequired)) }
        let known = Set(try await store.groups(of: access.company.id).map(\.id))
        if !draft.groups.isSubset(of: known) {
            problems.append(FieldError(field: "groups", code: CorporateError.groupNotFound))
        }
        guard problems.isEmpty else { throw CabinetError.validation(problems) }
        // The designated number receives the login codes: it must be a working line of the operator.
        guard let line = try await lines.line(msisdn: draft.msisdn), line.status != .terminated else {
            throw CabinetError.validation([FieldError(field: "msisdn", code: SubscribersError.notFound)])
        }
        var clean = draft
        clean.name = draft.name.trimmingCharacters(in: .whitespacesAndNewlines)
        return try await store.addAdmin(
            clean, to: access.company.id, journal: journal(access, "admin.add", target: draft.msisdn.formatted))
    }

    public func removeAdmin(_ access: AdminAccess, id: Int64) async throws {
        try access.require(.manageAdmins)
        try requireWholeCompany(access)
        guard let admin = try await store.admins(of: access.company.id).first(where: { $0.id == id }) else {
            throw CabinetError(CorporateError.adminNotFound)
        }
        try await store.removeAdmin(
            id, of: access.company.id, journal: journal(access, "admin.remove", target: admin.msisdn.formatted))
    }

    // MARK: - History

    public func journal(_ access: AdminAccess, before cursor: Int64?, limit: Int) async throws
        -> [(entry: JournalEntry, request: ServiceRequest?)]
    {
        try access.require(.view)
        var result: [(entry: JournalEntry, request: ServiceRequest?)] = []
        var position = cursor
        let limit = max(1, min(limit, 201))
        // A group-limited admin follows their own requests; the others the whole company's.
        while result.count < limit {
            let page = try await store.journal(of: access.company.id, before: position, limit: 200)
            for entry in page where access.admin.groups.isEmpty || entry.admin == access.admin.id {
                result.append((entry, try await requests.request(entry.requestID)))
                if result.count == limit { break }
            }
            guard page.count == 200, let last = page.last else { break }
            position = last.id
        }
        return result
    }
}
