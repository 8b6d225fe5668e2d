public import CabinetCore
public import Foundation

/// Storage of the line registry. Implemented over SQL in SubscribersStorage and in memory in SubscribersTesting.
public protocol SubscriberStore: Sendable {
    /// Inserts a line; throws ``SubscribersError/alreadyExists`` when the number is taken.
    func insert(_ line: NewLine, activatedOn: LocalDate, at now: Date) async throws -> Line
    func line(msisdn: MSISDN) async throws -> Line?
    func line(id: SubscriberID) async throws -> Line?
    /// Stores the line's new values (matched by id) and returns them.
    func update(_ line: Line) async throws -> Line
    /// Lines of one region, by number, after `cursor` (keyset paging).
    func lines(region: RegionID?, after cursor: MSISDN?, limit: Int) async throws -> [Line]
    func count() async throws -> Int
}

/// The narrow read side other modules use to find a line (Auth, Billing, Payments).
public protocol SubscriberDirectory: Sendable {
    func line(msisdn: MSISDN) async throws -> Line?
    func line(id: SubscriberID) async throws -> Line?
}
