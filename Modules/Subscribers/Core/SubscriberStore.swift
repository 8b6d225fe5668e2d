public import CabinetCore
public import Foundation

/// Storage of the line registry. Implemented over SQL in SubscribersStorage and in memory in SubscribersTesting.
public protocol SubscriberStore: Sendable {
    /// Inserts a line; throws ``SubscribersError/alreadyExists`` when the number is taken.
    func insert(_ line: NewLine, activatedOn: LocalDate, at now: Date) async throws -> Line
    func line(msisdn: MSISDN) async throws -> Line?
    func line(id: SubscriberID) async throws -> Line?
    /// Stores the line's new values (matched by id) and returns them, only while its stored status is still
    /// `expected` (the status the caller read): `nil` when it changed meanwhile, so no write brings back an old status
    /// (a profile edit racing a SIM block). Throws ``SubscribersError/notFound`` when the line is gone.
    func update(_ line: Line, ifStatus expected: LineStatus) async throws -> Line?
    /// Lines of one region, by number, after `cursor` (keyset paging).
    func lines(region: RegionID?, after cursor: MSISDN?, limit: Int) async throws -> [Line]
    func count() async throws -> Int
    /// Lines of a region that are not terminated (what a region's removal from the files would strand).
    func count(region: RegionID) async throws -> Int
    /// As ``SubscriberDirectory/status(of:in:)``.
    func status(of line: SubscriberID, in transaction: any WriteTransaction) async throws -> LineStatus?
    /// As ``SubscriberDirectory/lines(msisdns:)``.
    func lines(msisdns: [MSISDN]) async throws -> [MSISDN: Line]
    /// As ``SubscriberDirectory/companies(of:in:)``.
    func companies(of lines: [SubscriberID], in transaction: any WriteTransaction) async throws
        -> [SubscriberID: CompanyID]
    /// As ``CompanyLines/lines(company:matching:after:limit:)``.
    func lines(company: CompanyID, matching search: String?, after cursor: MSISDN?, limit: Int) async throws -> [Line]
    /// As ``CompanyLines/lines(ids:)``.
    func lines(ids: [SubscriberID]) async throws -> [SubscriberID: Line]
}

/// The narrow read side other modules use to find a line (Auth, Billing, Payments).
public protocol SubscriberDirectory: Sendable {
    func line(msisdn: MSISDN) async throws -> Line?
    func line(id: SubscriberID) async throws -> Line?
    /// The line's status read inside another module's write `transaction` (never from a cache), so that money moves
    /// only if the line is still as checked when the move commits; on PostgreSQL the row is share-locked until then,
    /// so a block or termination waits for the move (or the move sees it).
    func status(of line: SubscriberID, in transaction: any WriteTransaction) async throws -> LineStatus?
    /// The company links of these lines read inside another module's write `transaction` (Billing: a company pays for
    /// its lines, decided with the charge). Lines without a company are absent.
    func companies(of lines: [SubscriberID], in transaction: any WriteTransaction) async throws
        -> [SubscriberID: CompanyID]
    /// The lines of these numbers, in one read (the network's call check asks about a batch at once); numbers that
    /// are not lines are absent.
    func lines(msisdns: [MSISDN]) async throws -> [MSISDN: Line]
}

/// The lines of a company, for its admins (Corporate): the company link is the line's, set by the operator.
public protocol CompanyLines: Sendable {
    /// The company's lines (not terminated ones) by number after `cursor`; `search` (when given) keeps those whose number or owner's name
    /// contains it (digits match the number, anything else the name, case-insensitively).
    func lines(company: CompanyID, matching search: String?, after cursor: MSISDN?, limit: Int) async throws -> [Line]
    /// The lines of these ids, in one read; ids that are not lines are absent.
    func lines(ids: [SubscriberID]) async throws -> [SubscriberID: Line]
}
