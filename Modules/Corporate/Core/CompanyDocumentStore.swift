public import CabinetCore
public import Foundation

/// Storage of invoices and acts. Numbers are given in the document's transaction from a counter per company, kind and
/// year, so two documents issued at once get consecutive numbers and a document that fails takes its number back.
public protocol CompanyDocumentStore: Sendable {
    /// Numbers and stores the document; with `journal`, the admin's action is journaled (with its request record) in
    /// the same transaction. An act for a month that has one throws `corporate.document.exists`.
    func insertDocument(_ draft: DocumentDraft, journal: JournalDraft?, at now: Date) async throws -> CompanyDocument
    /// The company's documents, newest first, before `cursor` (an id).
    func documents(of company: CompanyID, before cursor: Int64?, limit: Int) async throws -> [CompanyDocument]
    func document(_ id: Int64, of company: CompanyID) async throws -> CompanyDocument?
    /// Whether the company has its act for the month (its first day).
    func hasAct(of company: CompanyID, month: LocalDate) async throws -> Bool
    /// Documents made since `since` and not yet mailed, oldest first.
    func unmailedDocuments(since: Date, limit: Int) async throws -> [CompanyDocument]
    /// Queues `mails` in the outbox and marks the document mailed, once: `false` when another server did it first or
    /// `mails` is empty (nothing is marked then).
    func markMailed(_ document: Int64, mails: [DocumentMail], at now: Date) async throws -> Bool
    /// Every company by id after `cursor` (the document job's walk).
    func companies(after cursor: CompanyID?, limit: Int) async throws -> [Company]
}
