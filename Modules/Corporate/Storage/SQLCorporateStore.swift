public import Billing
public import CabinetCore
import CabinetMessaging
public import CabinetStorage
public import Corporate
public import Foundation
import SQLKit

/// ``CorporateStore`` on SQLite and PostgreSQL. Every admin change commits with its request record and journal entry.
public struct SQLCorporateStore: CorporateStore {
    let database: CabinetDatabase
    /// Called after a commit that queued a message (the outbox sends it now rather than at its next poll).
    let messagesQueued: @Sendable () -> Void
    /// Billing's company accounts, opened with the company and told each line's cover limit in the quota's
    /// transaction; `nil` (tools, some tests): companies do not pay for their lines.
    let companyAccounts: (any CompanyAccounts)?

    public init(
        database: CabinetDatabase, companyAccounts: (any CompanyAccounts)? = nil,
        messagesQueued: @escaping @Sendable () -> Void = {}
    ) {
        self.database = database
        self.companyAccounts = companyAccounts
        self.messagesQueued = messagesQueued
    }

    // MARK: Applications and companies

    static let applicationColumns: SQLQueryString = """
        id, region, city, company_name, inn, contact_name, phone, status, reason, company_id, created_at, decided_at
        """

    public func insertApplication(_ draft: ApplicationDraft, inn: INN, at now: Date) async throws
        -> CompanyApplication
    {
        let row = try await database.write { db in
            try await db.raw(
                """
                INSERT INTO corporate_application (region, city, company_name, inn, contact_name, phone, status,
                    created_at)
                VALUES (\(bind: draft.region.rawValue), \(bind: draft.city), \(bind: draft.companyName),
                    \(bind: inn.rawValue), \(bind: draft.contactName), \(bind: draft.phone.e164), 'pending',
                    \(bind: now.storageMilliseconds))
                RETURNING \(Self.applicationColumns)
                """
            ).first()
        }
        guard let row, let application = Self.decodeApplication(row) else {
            throw CabinetError.internal("application not stored")
        }
        return application
    }

    public func application(_ id: Int64) async throws -> CompanyApplication? {
        try await database.read { db in
            try await db.raw("SELECT \(Self.applicationColumns) FROM corporate_application WHERE id = \(bind: id)")
                .first()
        }.flatMap(Self.decodeApplication)
    }

    public func applications(status: CompanyApplication.Status?, before cursor: Int64?, limit: Int) async throws
        -> [CompanyApplication]
    {
        var query: SQLQueryString =
            "SELECT \(Self.applicationColumns) FROM corporate_application WHERE id < \(bind: cursor ?? Int64.max)"
        if let status { query = query + " AND status = \(bind: status.rawValue)" }
        let ordered = query + " ORDER BY id DESC LIMIT \(literal: limit)"
        return try await database.read { db in try await db.raw(ordered).all() }.compactMap(Self.decodeApplication)
    }

    public func approve(
        _ application: Int64, company: Company, currency: Currency, owner: AdminDraft, at now: Date
    ) async throws
        -> Company
    {
        let at = now.storageMilliseconds
        try await database.write { db in
            let decided = try await db.raw(
                """
                UPDATE corporate_application SET status = 'approved', company_id = \(bind: company.id.rawValue),
                    decided_at = \(bind: at)
                WHERE id = \(bind: application) AND status = 'pending' RETURNING id
                """
            ).first()
            guard decided != nil else { throw CabinetError(CorporateError.applicationDecided) }
            do {
                try await db.raw(
                    """
                    INSERT INTO corporate_company (id, name, inn, kpp, legal_address, region, contract_number,
                        application_id, created_at)
                    VALUES (\(bind: company.id.rawValue), \(bind: company.name), \(bind: company.inn.rawValue),
                        \(bind: company.kpp.rawValue), \(bind: company.legalAddress), \(bind: company.region.rawValue),
                        \(bind: company.contractNumber), \(bind: application), \(bind: at))
                    """
                ).run()
            } catch  where StorageErrors.isUniqueViolation(error) {
                throw CabinetError(CorporateError.companyExists, arguments: ["inn": company.inn.rawValue])
            }
            _ = try await Self.insertAdmin(owner, company: company.id, at: at, on: db)
            try await companyAccounts?.openAccount(
                for: company.id, holder: company.name, currency: currency, in: SQLWriteTransaction(db), now: now)
        }
        return company
    }

    public func reject(_ application: Int64, reason: String, at now: Date) async throws -> CompanyApplication {
        let row = try await database.write { db in
            try await db.raw(
                """
                UPDATE corporate_application SET status = 'rejected', reason = \(bind: reason),
                    decided_at = \(bind: now.storageMilliseconds)
                WHERE id = \(bind: application) AND status = 'pending'
                RETURNING \(Self.applicationColumns)
                """
            ).first()
        }
        guard let row, let decided = Self.decodeApplication(row) else {
            throw CabinetError(CorporateError.applicationDecided)
        }
        return decided
    }

    public func company(_ id: CompanyID) async throws -> Company? {
        try await database.read { db in
            try await db.raw(
                """
                SELECT id, name, inn, kpp, legal_address, region, contract_number, created_at
                FROM corporate_company WHERE id = \(bind: id.rawValue)
                """
            ).first()
        }.flatMap(Self.decodeCompany)
    }

    static func decodeCompany(_ row: any SQLRow) -> Company? {
        guard let id = CompanyID(rawValue: (try? row.decode(column: "id", as: String.self)) ?? ""),
            let inn = INN(rawValue: (try? row.decode(column: "inn", as: String.self)) ?? ""),
            let kpp = KPP(rawValue: (try? row.decode(column: "kpp", as: String.self)) ?? ""),
            let region = RegionID(rawValue: (try? row.decode(column: "region", as: String.self)) ?? ""),
            let name = try? row.decode(column: "name", as: String.self),
            let address = try? row.decode(column: "legal_address", as: String.self),
            let contract = try? row.decode(column: "contract_number", as: String.self),
            let created = try? row.decode(column: "created_at", as: Int64.self)
        else { return nil }
        return Company(
            id: id, name: name, inn: inn, kpp: kpp, legalAddress: address, region: region, contractNumber: contract,
            createdAt: Date(storageMilliseconds: created))
    }

    static func decodeApplication(_ row: any SQLRow) -> CompanyApplication? {
        guard let id = try? row.decode(column: "id", as: Int64.self),
            let region = RegionID(rawValue: (try? row.decode(column: "region", as: String.self)) ?? ""),
            let inn = INN(rawValue: (try? row.decode(column: "inn", as: String.self)) ?? ""),
            let phone = MSISDN(e164: (try? row.decode(column: "phone", as: String.self)) ?? ""),
            let status = CompanyApplication.Status(
                rawValue: (try? row.decode(column: "status", as: String.self)) ?? ""),
            let city = try? row.decode(column: "city", as: String.self),
            let name = try? row.decode(column: "company_name", as: String.self),
            let contact = try? row.decode(column: "contact_name", as: String.self),
            let created = try? row.decode(column: "created_at", as: Int64.self)
        else { return nil }
        return CompanyApplication(
            id: id, region: region, city: city, companyName: name, inn: inn, contactName: contact, phone: phone,
            status: status, reason: try? row.decode(column: "reason", as: String?.self),
            companyID: (try? row.decode(column: "company_id", as: String?.self))?.flatMap(CompanyID.init(rawValue:)),
            createdAt: Date(storageMilliseconds: created),
            decidedAt: (try? row.decode(column: "decided_at", as: Int64?.self))?.map(Date.init(storageMilliseconds:)))
    }

    // MARK: Admins

    static let adminColumns: SQLQueryString = "id, company_id, msisdn, name, scopes, group_ids, created_at"

    static func insertAdmin(_ draft: AdminDraft, company: CompanyID, at: Int64, on db: any SQLDatabase) async throws
        -> CompanyAdmin
    {
        let scopes = draft.scopes.map(\.rawValue).sorted().joined(separator: ",")
        let groups = draft.groups.sorted().map(String.init).joined(separator: ",")
        do {
            guard
                let row = try await db.raw(
                    """
                    INSERT INTO corporate_admin (company_id, msisdn, name, scopes, group_ids, created_at)
                    VALUES (\(bind: company.rawValue), \(bind: draft.msisdn.e164), \(bind: draft.name),
                        \(bind: scopes), \(bind: groups), \(bind: at))
                    RETURNING \(adminColumns)
                    """
                ).first(), let admin = decodeAdmin(row)
            else { throw CabinetError.internal("admin not stored") }
            return admin
        } catch  where StorageErrors.isUniqueViolation(error) {
            throw CabinetError(CorporateError.adminExists, arguments: ["msisdn": draft.msisdn.formatted])
        }
    }

    static func decodeAdmin(_ row: any SQLRow) -> CompanyAdmin? {
        guard let id = try? row.decode(column: "id", as: Int64.self),
            let company = CompanyID(rawValue: (try? row.decode(column: "company_id", as: String.self)) ?? ""),
            let msisdn = MSISDN(e164: (try? row.decode(column: "msisdn", as: String.self)) ?? ""),
            let name = try? row.decode(column: "name", as: String.self),
            let scopes = try? row.decode(column: "scopes", as: String.self),
            let groups = try? row.decode(column: "group_ids", as: String.self),
            let created = try? row.decode(column: "created_at", as: Int64.self)
        else { return nil }
        return CompanyAdmin(
            id: id, company: company, msisdn: msisdn, name: name,
            scopes: Set(scopes.split(separator: ",").compactMap { AdminScope(rawValue: String($0)) }),
            groups: Set(groups.split(separator: ",").compactMap { Int64($0) }),
            createdAt: Date(storageMilliseconds: created))
    }

    public func admin(msisdn: MSISDN) async throws -> CompanyAdmin? {
        try await database.read { db in
            try await db.raw("SELECT \(Self.adminColumns) FROM corporate_admin WHERE msisdn = \(bind: msisdn.e164)")
                .first()
        }.flatMap(Self.decodeAdmin)
    }

    public func admins(of company: CompanyID) async throws -> [CompanyAdmin] {
        try await database.read { db in
            try await db.raw(
                "SELECT \(Self.adminColumns) FROM corporate_admin WHERE company_id = \(bind: company.rawValue) ORDER BY id"
            ).all()
        }.compactMap(Self.decodeAdmin)
    }

    public func addAdmin(_ draft: AdminDraft, to company: CompanyID, journal: JournalDraft) async throws
        -> CompanyAdmin
    {
        try await database.write { db in
            let admin = try await Self.insertAdmin(
                draft, company: company, at: journal.at.storageMilliseconds, on: db)
            try await Self.record(journal, on: db)
            return admin
        }
    }

    public func removeAdmin(_ id: Int64, of company: CompanyID, journal: JournalDraft) async throws {
        try await database.write { db in
            let rows = try await db.raw(
                "SELECT id, scopes FROM corporate_admin WHERE company_id = \(bind: company.rawValue)"
                    + (db.dialect.name == "postgresql" ? " FOR UPDATE" : "")
            ).all()
            let owners = try rows.filter { try $0.decode(column: "scopes", as: String.self).contains("owner") }
                .map { try $0.decode(column: "id", as: Int64.self) }
            guard try rows.contains(where: { try $0.decode(column: "id", as: Int64.self) == id }) else {
                throw CabinetError(CorporateError.adminNotFound)
            }
            if owners == [id] { throw CabinetError(CorporateError.lastOwner) }
            try await db.raw("DELETE FROM corporate_admin WHERE id = \(bind: id)").run()
            try await Self.record(journal, on: db)
        }
    }

    // MARK: Groups

    public func groups(of company: CompanyID) async throws -> [LineGroup] {
        try await database.read { db in
            try await db.raw(
                """
                SELECT g.id, g.name,
                    (SELECT COUNT(*) FROM corporate_line_group m
                     WHERE m.company_id = g.company_id AND m.group_id = g.id) AS n
                FROM corporate_group g WHERE g.company_id = \(bind: company.rawValue) ORDER BY g.name
                """
            ).all()
        }.compactMap { row in
            guard let id = try? row.decode(column: "id", as: Int64.self),
                let name = try? row.decode(column: "name", as: String.self),
                let count = try? row.decode(column: "n", as: Int.self)
            else { return nil }
            return LineGroup(id: id, company: company, name: name, lineCount: count)
        }
    }

    public func createGroup(named name: String, in company: CompanyID, journal: JournalDraft) async throws
        -> LineGroup
    {
        try await database.write { db in
            let id: Int64
            do {
                guard
                    let row = try await db.raw(
                        """
                        INSERT INTO corporate_group (company_id, name, created_at)
                        VALUES (\(bind: company.rawValue), \(bind: name), \(bind: journal.at.storageMilliseconds))
                        RETURNING id
                        """
                    ).first()
                else { throw CabinetError.internal("group not stored") }
                id = try row.decode(column: "id", as: Int64.self)
            } catch  where StorageErrors.isUniqueViolation(error) {
                throw CabinetError(CorporateError.groupExists, arguments: ["name": name])
            }
            try await Self.record(journal, on: db)
            return LineGroup(id: id, company: company, name: name, lineCount: 0)
        }
    }

    public func deleteGroup(_ id: Int64, of company: CompanyID, journal: JournalDraft) async throws {
        try await database.write { db in
            let members =
                try await db.raw(
                    """
                    SELECT COUNT(*) AS n FROM corporate_line_group
                    WHERE company_id = \(bind: company.rawValue) AND group_id = \(bind: id)
                    """
                ).first()?.decode(column: "n", as: Int.self) ?? 0
            guard members == 0 else { throw CabinetError(CorporateError.groupNotEmpty) }
            let deleted = try await db.raw(
                """
                DELETE FROM corporate_group WHERE id = \(bind: id) AND company_id = \(bind: company.rawValue)
                RETURNING id
                """
            ).first()
            guard deleted != nil else { throw CabinetError(CorporateError.groupNotFound) }
            // Admins limited to the group keep the others.
            try await Self.record(journal, on: db)
        }
    }

    public func groupIDs(of lines: [SubscriberID]) async throws -> [SubscriberID: Int64] {
        guard !lines.isEmpty else { return [:] }
        let list = SQLList(Set(lines).map { SQLBind($0.rawValue) })
        let rows = try await database.read { db in
            try await db.raw(
                "SELECT subscriber_id, group_id FROM corporate_line_group WHERE subscriber_id IN (\(list))"
            ).all()
        }
        var result: [SubscriberID: Int64] = [:]
        for row in rows {
            result[SubscriberID(try row.decode(column: "subscriber_id", as: Int64.self))] = try row.decode(
                column: "group_id", as: Int64.self)
        }
        return result
    }

    public func move(
        _ line: SubscriberID, msisdn: MSISDN, to group: Int64?, in company: CompanyID, journal: JournalDraft
    ) async throws {
        try await database.write { db in
            try await db.raw("DELETE FROM corporate_line_group WHERE subscriber_id = \(bind: line.rawValue)").run()
            if let group {
                try await db.raw(
                    """
                    INSERT INTO corporate_line_group (subscriber_id, company_id, msisdn, group_id)
                    VALUES (\(bind: line.rawValue), \(bind: company.rawValue), \(bind: msisdn.e164), \(bind: group))
                    """
                ).run()
            }
            try await Self.record(journal, on: db)
        }
    }

    public func members(of groups: Set<Int64>, in company: CompanyID, after cursor: MSISDN?, limit: Int) async throws
        -> [SubscriberID]
    {
        guard !groups.isEmpty else { return [] }
        let list = SQLList(groups.sorted().map { SQLBind($0) })
        return try await database.read { db in
            try await db.raw(
                """
                SELECT subscriber_id FROM corporate_line_group
                WHERE company_id = \(bind: company.rawValue) AND group_id IN (\(list))
                  AND msisdn > \(bind: cursor?.e164 ?? "")
                ORDER BY msisdn LIMIT \(literal: limit)
                """
            ).all()
        }.map { SubscriberID(try $0.decode(column: "subscriber_id", as: Int64.self)) }
    }

    // MARK: Journal

    /// Opens the change's request record (done: the change commits with it) and its journal entry.
    @discardableResult
    static func record(_ journal: JournalDraft, status: ServiceRequest.Status = .done, on db: any SQLDatabase)
        async throws -> ServiceRequest
    {
        let request = try await SQLRequestRegistry.open(
            kind: journal.requestKind, subscriber: journal.line, status: status, detail: journal.target,
            at: journal.at, on: db)
        try await db.raw(
            """
            INSERT INTO corporate_journal (company_id, admin_id, admin_name, action, target, request_id, at)
            VALUES (\(bind: journal.company.rawValue), \(bind: journal.admin), \(bind: journal.adminName),
                \(bind: journal.action), \(bind: journal.target), \(bind: request.id),
                \(bind: journal.at.storageMilliseconds))
            """
        ).run()
        return request
    }

    public func journal(of company: CompanyID, before cursor: Int64?, limit: Int) async throws -> [JournalEntry] {
        try await database.read { db in
            try await db.raw(
                """
                SELECT id, admin_id, admin_name, action, target, request_id, at FROM corporate_journal
                WHERE company_id = \(bind: company.rawValue) AND id < \(bind: cursor ?? Int64.max)
                ORDER BY id DESC LIMIT \(literal: limit)
                """
            ).all()
        }.map { row in
            JournalEntry(
                id: try row.decode(column: "id", as: Int64.self), company: company,
                admin: try row.decode(column: "admin_id", as: Int64.self),
                adminName: try row.decode(column: "admin_name", as: String.self),
                action: try row.decode(column: "action", as: String.self),
                target: try row.decode(column: "target", as: String.self),
                requestID: try row.decode(column: "request_id", as: Int64.self),
                at: Date(storageMilliseconds: try row.decode(column: "at", as: Int64.self)))
        }
    }
}
