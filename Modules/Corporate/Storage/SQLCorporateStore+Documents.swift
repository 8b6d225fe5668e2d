public import CabinetCore
import CabinetMessaging
import CabinetStorage
public import Corporate
public import Foundation
import SQLKit

extension SQLCorporateStore: CompanyDocumentStore {
    static let documentColumns: SQLQueryString = """
        id, company_id, kind, year, number, month, amount, currency, vat_percent, issued_on, seller, buyer, created_at,
        mailed_at
        """

    public func insertDocument(_ draft: DocumentDraft, journal: JournalDraft?, at now: Date) async throws
        -> CompanyDocument
    {
        let seller = try Self.json(draft.seller)
        let buyer = try Self.json(draft.buyer)
        let month = draft.month.map(\.description)
        do {
            let row = try await database.write { db -> (any SQLRow)? in
                if let month,
                    try await db.raw(
                        """
                        SELECT id FROM corporate_document
                        WHERE company_id = \(bind: draft.company.rawValue) AND kind = 'act' AND month = \(bind: month)
                        """
                    ).first() != nil
                {
                    throw CabinetError(CorporateError.documentExists, arguments: ["month": month])
                }
                // The counter row is locked until this transaction ends: the next document waits for this one, and a
                // failure gives the number back with the rollback.
                guard
                    let number = try await db.raw(
                        """
                        INSERT INTO corporate_document_counter (company_id, kind, year, last)
                        VALUES (\(bind: draft.company.rawValue), \(bind: draft.kind.rawValue), \(bind: draft.year), 1)
                        ON CONFLICT (company_id, kind, year) DO UPDATE SET last = corporate_document_counter.last + 1
                        RETURNING last
                        """
                    ).first()?.decode(column: "last", as: Int.self)
                else { throw CabinetError.internal("document counter not stored") }
                let row = try await db.raw(
                    """
                    INSERT INTO corporate_document (company_id, kind, year, number, month, amount, currency, vat_percent,
                        issued_on, seller, buyer, created_at)
                    VALUES (\(bind: draft.company.rawValue), \(bind: draft.kind.rawValue), \(bind: draft.year),
                        \(bind: number), \(bind: month), \(bind: draft.amount.minorUnits), \(bind: draft.amount.currency.code),
                        \(bind: draft.vatPercent), \(bind: draft.issuedOn.description), \(bind: seller), \(bind: buyer),
                        \(bind: now.storageMilliseconds))
                    RETURNING \(Self.documentColumns)
                    """
                ).first()
                if let journal { try await Self.record(journal, on: db) }
                return row
            }
            guard let row, let document = Self.decodeDocument(row) else {
                throw CabinetError.internal("document not stored")
            }
            return document
        } catch  where StorageErrors.isUniqueViolation(error) {
            // Two acts for one month at once: the second one's insert met the first's.
            throw CabinetError(CorporateError.documentExists, arguments: ["month": month ?? ""])
        }
    }

    public func documents(of company: CompanyID, before cursor: Int64?, limit: Int) async throws
        -> [CompanyDocument]
    {
        try await database.read { db in
            try await db.raw(
                """
                SELECT \(Self.documentColumns) FROM corporate_document
                WHERE company_id = \(bind: company.rawValue) AND id < \(bind: cursor ?? Int64.max)
                ORDER BY id DESC LIMIT \(literal: max(1, min(limit, 200)))
                """
            ).all()
        }.compactMap(Self.decodeDocument)
    }

    public func document(_ id: Int64, of company: CompanyID) async throws -> CompanyDocument? {
        try await database.read { db in
            try await db.raw(
                """
                SELECT \(Self.documentColumns) FROM corporate_document
                WHERE id = \(bind: id) AND company_id = \(bind: company.rawValue)
                """
            ).first()
        }.flatMap(Self.decodeDocument)
    }

    public func hasAct(of company: CompanyID, month: LocalDate) async throws -> Bool {
        try await database.read { db in
            try await db.raw(
                """
                SELECT id FROM corporate_document
                WHERE company_id = \(bind: company.rawValue) AND kind = 'act' AND month = \(bind: month.description)
                """
            ).first() != nil
        }
    }

    public func unmailedDocuments(since: Date, limit: Int) async throws -> [CompanyDocument] {
        try await database.read { db in
            try await db.raw(
                """
                SELECT \(Self.documentColumns) FROM corporate_document
                WHERE mailed_at IS NULL AND created_at >= \(bind: since.storageMilliseconds)
                ORDER BY id LIMIT \(literal: max(1, min(limit, 200)))
                """
            ).all()
        }.compactMap(Self.decodeDocument)
    }

    public func markMailed(_ document: Int64, mails: [DocumentMail], at now: Date) async throws -> Bool {
        guard !mails.isEmpty else { return false }
        let queued = try await database.write { db -> Bool in
            let marked = try await db.raw(
                """
                UPDATE corporate_document SET mailed_at = \(bind: now.storageMilliseconds)
                WHERE id = \(bind: document) AND mailed_at IS NULL RETURNING id
                """
            ).first()
            guard marked != nil else { return false }
            for mail in mails {
                try await Outbox.enqueue(
                    MailMessage(
                        to: mail.to, subject: mail.subject, textBody: mail.body,
                        attachments: [
                            MailAttachment(
                                fileName: mail.file.fileName, contentType: mail.file.contentType, data: mail.file.data)
                        ],
                        purpose: "corporate.document", dedupeKey: "corporate.document:\(document):\(mail.to)"),
                    on: db, now: now)
            }
            return true
        }
        if queued { messagesQueued() }
        return queued
    }

    public func companies(after cursor: CompanyID?, limit: Int) async throws -> [Company] {
        try await database.read { db in
            try await db.raw(
                """
                SELECT id, name, inn, kpp, legal_address, region, contract_number, created_at FROM corporate_company
                WHERE id > \(bind: cursor?.rawValue ?? "") ORDER BY id LIMIT \(literal: max(1, min(limit, 500)))
                """
            ).all()
        }.compactMap(Self.decodeCompany)
    }

    static func json<T: Encodable>(_ value: T) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    static func decodeDocument(_ row: any SQLRow) -> CompanyDocument? {
        let decoder = JSONDecoder()
        guard let id = try? row.decode(column: "id", as: Int64.self),
            let company = CompanyID(rawValue: (try? row.decode(column: "company_id", as: String.self)) ?? ""),
            let kind = CompanyDocument.Kind(rawValue: (try? row.decode(column: "kind", as: String.self)) ?? ""),
            let year = try? row.decode(column: "year", as: Int.self),
            let number = try? row.decode(column: "number", as: Int.self),
            let amount = try? row.decode(column: "amount", as: Int64.self),
            let currency = Currency(code: (try? row.decode(column: "currency", as: String.self)) ?? ""),
            let vat = try? row.decode(column: "vat_percent", as: Int.self),
            let issued = LocalDate((try? row.decode(column: "issued_on", as: String.self)) ?? ""),
            let sellerText = try? row.decode(column: "seller", as: String.self),
            let seller = try? decoder.decode(OperatorRequisites.self, from: Data(sellerText.utf8)),
            let buyerText = try? row.decode(column: "buyer", as: String.self),
            let buyer = try? decoder.decode(DocumentBuyer.self, from: Data(buyerText.utf8)),
            let created = try? row.decode(column: "created_at", as: Int64.self)
        else { return nil }
        let month = (try? row.decode(column: "month", as: String?.self))?.flatMap { LocalDate($0) }
        let mailed = (try? row.decode(column: "mailed_at", as: Int64?.self))?.map { Date(storageMilliseconds: $0) }
        return CompanyDocument(
            id: id, company: company, kind: kind, year: year, number: number, month: month,
            amount: Money(minorUnits: amount, currency: currency), vatPercent: vat, issuedOn: issued, seller: seller,
            buyer: buyer, createdAt: Date(storageMilliseconds: created), mailedAt: mailed)
    }
}
