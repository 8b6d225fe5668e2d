public import CabinetCore
public import CabinetStorage
public import Foundation
import SQLKit
public import Subscribers

/// The line registry over the SQL layer; the same statements on SQLite and PostgreSQL.
public struct SQLSubscriberStore: SubscriberStore, SubscriberDirectory {
    private let database: CabinetDatabase
    /// Lines by id, when this process alone writes the database: every authenticated request reads its line.
    private let cache: ReadCache<SubscriberID, Line>?
    /// Lines by id on PostgreSQL, kept with their line stamps: a request whose session came with the same stamp
    /// reads its line from here.
    private let stamped: LineStampedCache<Line>?

    public init(database: CabinetDatabase) {
        self.database = database
        self.cache = database.cache("subscribers.lines")
        self.stamped = database.stampedCache("subscribers.lines")
    }

    private static let columns: SQLQueryString = """
        id, msisdn, region, status, activated_on, full_name, email, contact_number, postal_address, company_id,
        company_since, created_at, updated_at
        """

    public func insert(_ line: NewLine, activatedOn: LocalDate, at now: Date) async throws -> Line {
        let at = now.storageMilliseconds
        do {
            let row = try await database.write { db in
                try await db.raw(
                    """
                    INSERT INTO subscribers_line
                        (msisdn, region, status, activated_on, full_name, email, contact_number, postal_address,
                         company_id, company_since, created_at, updated_at)
                    VALUES (\(bind: line.msisdn.e164), \(bind: line.region.rawValue), \(bind: line.status.rawValue),
                            \(bind: activatedOn.description), \(bind: line.owner.fullName), \(bind: line.owner.email),
                            \(bind: line.owner.contactNumber?.e164), \(bind: line.owner.postalAddress),
                            \(bind: line.companyID?.rawValue), \(bind: line.companyID == nil ? nil : at), \(bind: at),
                            \(bind: at))
                    RETURNING \(Self.columns)
                    """
                ).first()
            }
            guard let row else { throw CabinetError.internal("INSERT … RETURNING gave no row") }
            return try Self.decode(row)
        } catch  where StorageErrors.isUniqueViolation(error) {
            throw CabinetError(SubscribersError.alreadyExists, arguments: ["msisdn": line.msisdn.formatted])
        }
    }

    public func line(msisdn: MSISDN) async throws -> Line? {
        let row = try await database.read { db in
            try await db.raw("SELECT \(Self.columns) FROM subscribers_line WHERE msisdn = \(bind: msisdn.e164)").first()
        }
        return try row.map(Self.decode)
    }

    public func lines(msisdns: [MSISDN]) async throws -> [MSISDN: Line] {
        guard !msisdns.isEmpty else { return [:] }
        let numbers = SQLList(Set(msisdns).map { SQLBind($0.e164) })
        let rows = try await database.read { db in
            try await db.raw("SELECT \(Self.columns) FROM subscribers_line WHERE msisdn IN (\(numbers))").all()
        }
        var result: [MSISDN: Line] = [:]
        for row in rows {
            let line = try Self.decode(row)
            result[line.msisdn] = line
        }
        return result
    }

    public func lines(ids: [SubscriberID]) async throws -> [SubscriberID: Line] {
        guard !ids.isEmpty else { return [:] }
        let list = SQLList(Set(ids).map { SQLBind($0.rawValue) })
        let rows = try await database.read { db in
            try await db.raw("SELECT \(Self.columns) FROM subscribers_line WHERE id IN (\(list))").all()
        }
        var result: [SubscriberID: Line] = [:]
        for row in rows {
            let line = try Self.decode(row)
            result[line.id] = line
        }
        return result
    }

    public func lines(company: CompanyID, matching search: String?, after cursor: MSISDN?, limit: Int) async throws
        -> [Line]
    {
        let digits = search.map { $0.filter(\.isNumber) } ?? ""
        if let search, digits.isEmpty || digits.count != search.filter({ !$0.isWhitespace }).count {
            // A name: SQLite's lower() and LIKE fold only ASCII, so names are matched here, over the company's lines
            // in pages (a company has thousands of lines, not millions).
            let needle = search.lowercased()
            var found: [Line] = []
            var position = cursor
            while found.count < limit {
                let page = try await companyPage(company, digits: nil, after: position, limit: 1000)
                found += page.filter { $0.owner.fullName?.lowercased().contains(needle) ?? false }
                guard page.count == 1000, let last = page.last else { break }
                position = last.msisdn
            }
            return Array(found.prefix(limit))
        }
        return try await companyPage(company, digits: digits.isEmpty ? nil : digits, after: cursor, limit: limit)
    }

    private func companyPage(_ company: CompanyID, digits: String?, after cursor: MSISDN?, limit: Int) async throws
        -> [Line]
    {
        var query: SQLQueryString = """
            SELECT \(Self.columns) FROM subscribers_line
            WHERE company_id = \(bind: company.rawValue) AND msisdn > \(bind: cursor?.e164 ?? "")
              AND status <> 'terminated'
            """
        if let digits { query = query + " AND msisdn LIKE \(bind: "%" + digits + "%")" }
        let ordered = query + " ORDER BY msisdn LIMIT \(literal: limit)"
        let rows = try await database.read { db in try await db.raw(ordered).all() }
        return try rows.map(Self.decode)
    }

    public func status(of line: SubscriberID, in transaction: any WriteTransaction) async throws -> LineStatus? {
        let db = try transaction.sql()
        // SQLite has one writer, so nothing changes the row before this transaction commits; PostgreSQL is told.
        let lock: SQLQueryString = db.dialect.name == "postgresql" ? " FOR SHARE" : ""
        let row = try await db.raw(
            "SELECT status FROM subscribers_line WHERE id = \(bind: line.rawValue)\(lock)"
        ).first()
        return try row.flatMap { LineStatus(rawValue: try $0.decode(column: "status", as: String.self)) }
    }

    public func companies(of lines: [SubscriberID], in transaction: any WriteTransaction) async throws
        -> [SubscriberID: CompanyID]
    {
        guard !lines.isEmpty else { return [:] }
        // No share lock (unlike a status): a company link changed while a charge commits only decides who pays it,
        // and rating reads thousands of lines at once.
        let db = try transaction.sql()
        let ids = SQLList(Set(lines).map { SQLBind($0.rawValue) })
        let rows = try await db.raw(
            """
            SELECT id, company_id FROM subscribers_line WHERE id IN (\(ids)) AND company_id IS NOT NULL
            """
        ).all()
        return try rows.reduce(into: [:]) { result, row in
            if let text = try row.decode(column: "company_id", as: String?.self),
                let company = CompanyID(rawValue: text)
            {
                result[SubscriberID(try row.decode(column: "id", as: Int64.self))] = company
            }
        }
    }

    public func line(id: SubscriberID) async throws -> Line? {
        if let stamped {
            return try await stamped.read(id) {
                let row = try await database.read { db in
                    try await db.raw(
                        """
                        SELECT \(Self.columns), \(LineStampSchema.column("subscribers_line.id")) FROM subscribers_line
                        WHERE id = \(bind: id.rawValue)
                        """
                    ).first()
                }
                return try row.map { (try Self.decode($0), try $0.decode(column: "line_stamp", as: Int64.self)) }
            }
        }
        let load = {
            let row = try await database.read { db in
                try await db.raw("SELECT \(Self.columns) FROM subscribers_line WHERE id = \(bind: id.rawValue)").first()
            }
            return try row.map(Self.decode)
        }
        guard let cache else { return try await load() }
        return try await cache.read(id, load: load)
    }

    public func update(_ line: Line, ifStatus expected: LineStatus) async throws -> Line? {
        cache?.beginWrite()
        defer { cache?.invalidate([line.id]) }
        let row = try await database.write { db -> (any SQLRow)? in
            try await db.raw(
                """
                UPDATE subscribers_line SET
                    region = \(bind: line.region.rawValue), status = \(bind: line.status.rawValue),
                    activated_on = \(bind: line.activatedOn.description), full_name = \(bind: line.owner.fullName),
                    email = \(bind: line.owner.email), contact_number = \(bind: line.owner.contactNumber?.e164),
                    postal_address = \(bind: line.owner.postalAddress), company_id = \(bind: line.companyID?.rawValue),
                    company_since = \(bind: line.companySince?.storageMilliseconds),
                    updated_at = \(bind: line.updatedAt.storageMilliseconds)
                WHERE id = \(bind: line.id.rawValue) AND status = \(bind: expected.rawValue)
                RETURNING \(Self.columns)
                """
            ).first()
        }
        guard let row else {
            guard try await self.line(id: line.id) != nil else {
                throw CabinetError(SubscribersError.notFound, arguments: ["msisdn": line.msisdn.formatted])
            }
            return nil
        }
        return try Self.decode(row)
    }

    public func lines(region: RegionID?, after cursor: MSISDN?, limit: Int) async throws -> [Line] {
        let after = cursor?.e164 ?? ""
        let rows = try await database.read { db in
            if let region {
                try await db.raw(
                    """
                    SELECT \(Self.columns) FROM subscribers_line
                    WHERE region = \(bind: region.rawValue) AND msisdn > \(bind: after)
                    ORDER BY msisdn LIMIT \(literal: limit)
                    """
                ).all()
            } else {
                try await db.raw(
                    """
                    SELECT \(Self.columns) FROM subscribers_line WHERE msisdn > \(bind: after) ORDER BY msisdn LIMIT \(literal: limit)
                    """
                ).all()
            }
        }
        return try rows.map(Self.decode)
    }

    public func count() async throws -> Int {
        try await database.read { db in
            try await db.raw("SELECT COUNT(*) AS n FROM subscribers_line").first()?.decode(column: "n", as: Int.self)
                ?? 0
        }
    }

    public func count(region: RegionID) async throws -> Int {
        try await database.read { db in
            try await db.raw(
                """
                SELECT COUNT(*) AS n FROM subscribers_line WHERE region = \(bind: region.rawValue) AND status <> 'terminated'
                """
            ).first()?.decode(column: "n", as: Int.self) ?? 0
        }
    }

    static func decode(_ row: any SQLRow) throws -> Line {
        let msisdnText = try row.decode(column: "msisdn", as: String.self)
        let regionText = try row.decode(column: "region", as: String.self)
        let statusText = try row.decode(column: "status", as: String.self)
        let dateText = try row.decode(column: "activated_on", as: String.self)
        guard let msisdn = MSISDN(e164: msisdnText), let region = RegionID(rawValue: regionText),
            let status = LineStatus(rawValue: statusText), let activatedOn = LocalDate(dateText)
        else {
            throw CabinetError.internal("corrupt subscribers_line row \(msisdnText)")
        }
        return Line(
            id: SubscriberID(try row.decode(column: "id", as: Int64.self)),
            msisdn: msisdn, region: region, status: status, activatedOn: activatedOn,
            owner: OwnerProfile(
                fullName: try row.decode(column: "full_name", as: String?.self),
                email: try row.decode(column: "email", as: String?.self),
                contactNumber: try row.decode(column: "contact_number", as: String?.self).flatMap(MSISDN.init(e164:)),
                postalAddress: try row.decode(column: "postal_address", as: String?.self)),
            companyID: try row.decode(column: "company_id", as: String?.self).flatMap(CompanyID.init(rawValue:)),
            companySince: try row.decode(column: "company_since", as: Int64?.self).map(Date.init(storageMilliseconds:)),
            createdAt: Date(storageMilliseconds: try row.decode(column: "created_at", as: Int64.self)),
            updatedAt: Date(storageMilliseconds: try row.decode(column: "updated_at", as: Int64.self)))
    }
}
