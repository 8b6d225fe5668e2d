public import CabinetCore
public import Foundation
public import Subscribers

/// The line registry in memory, for domain tests.
public actor InMemorySubscriberStore: SubscriberStore, SubscriberDirectory {
    private var lines: [SubscriberID: Line] = [:]
    private var nextID: Int64 = 1

    public init(lines: [Line] = []) {
        for line in lines {
            self.lines[line.id] = line
            nextID = max(nextID, line.id.rawValue + 1)
        }
    }

    public func insert(_ new: NewLine, activatedOn: LocalDate, at now: Date) async throws -> Line {
        guard !lines.values.contains(where: { $0.msisdn == new.msisdn }) else {
            throw CabinetError(SubscribersError.alreadyExists, arguments: ["msisdn": new.msisdn.formatted])
        }
        let line = Line(
            id: SubscriberID(nextID), msisdn: new.msisdn, region: new.region, status: new.status,
            activatedOn: activatedOn,
            owner: new.owner, companyID: new.companyID, companySince: new.companyID == nil ? nil : now, createdAt: now,
            updatedAt: now)
        nextID += 1
        lines[line.id] = line
        return line
    }

    public func line(msisdn: MSISDN) async throws -> Line? { lines.values.first { $0.msisdn == msisdn } }
    public func line(id: SubscriberID) async throws -> Line? { lines[id] }

    public func lines(msisdns: [MSISDN]) async throws -> [MSISDN: Line] {
        let wanted = Set(msisdns)
        return Dictionary(
            lines.values.filter { wanted.contains($0.msisdn) }.map { ($0.msisdn, $0) }, uniquingKeysWith: { a, _ in a })
    }

    /// In memory there is one state: the transaction is not needed to read it.
    public func status(of line: SubscriberID, in transaction: any WriteTransaction) async throws -> LineStatus? {
        lines[line]?.status
    }

    public func companies(of ids: [SubscriberID], in transaction: any WriteTransaction) async throws
        -> [SubscriberID: CompanyID]
    {
        ids.reduce(into: [:]) { result, id in
            if let company = lines[id]?.companyID { result[id] = company }
        }
    }

    public func update(_ line: Line, ifStatus expected: LineStatus) async throws -> Line? {
        guard let stored = lines[line.id] else {
            throw CabinetError(SubscribersError.notFound, arguments: ["msisdn": line.msisdn.formatted])
        }
        guard stored.status == expected else { return nil }
        lines[line.id] = line
        return line
    }

    public func lines(region: RegionID?, after cursor: MSISDN?, limit: Int) async throws -> [Line] {
        Array(
            lines.values
                .filter { region == nil || $0.region == region }
                .filter { cursor == nil || $0.msisdn.e164 > cursor?.e164 ?? "" }
                .sorted { $0.msisdn < $1.msisdn }
                .prefix(limit))
    }

    public func count() async throws -> Int { lines.count }

    public func count(region: RegionID) async throws -> Int {
        lines.values.count { $0.region == region && $0.status != .terminated }
    }

    public func lines(company: CompanyID, matching search: String?, after cursor: MSISDN?, limit: Int) async throws
        -> [Line]
    {
        Array(
            lines.values
                .filter { $0.companyID == company && $0.status != .terminated }
                .filter { cursor == nil || $0.msisdn.e164 > cursor?.e164 ?? "" }
                .filter { line in
                    guard let search else { return true }
                    if search.allSatisfy(\.isNumber) { return line.msisdn.e164.contains(search) }
                    return line.owner.fullName?.localizedCaseInsensitiveContains(search) ?? false
                }
                .sorted { $0.msisdn < $1.msisdn }
                .prefix(limit))
    }

    public func lines(ids: [SubscriberID]) async throws -> [SubscriberID: Line] {
        Dictionary(ids.compactMap { lines[$0].map { ($0.id, $0) } }, uniquingKeysWith: { a, _ in a })
    }
}
