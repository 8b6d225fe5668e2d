public import CabinetCore

/// The line registry's operations: provisioning by the operator, changes, look-ups.
public protocol SubscriberService: SubscriberDirectory, CompanyLines {
    /// Adds a new line; refuses a number that exists.
    func provision(_ line: NewLine) async throws -> Line
    /// Adds a line, or brings an existing one to the given values (what an import does).
    func upsert(_ line: NewLine) async throws -> UpsertOutcome
    /// Changes status, region or profile of an existing line.
    func update(msisdn: MSISDN, with patch: LinePatch) async throws -> Line
    /// Moves the line to `status` only from one of `allowed` (a compare-and-set on the stored status): `nil` when the
    /// line is in another status by then, so a block is never undone by a move decided on an older status.
    func changeStatus(of msisdn: MSISDN, to status: LineStatus, from allowed: Set<LineStatus>) async throws -> Line?
    func lines(region: RegionID?, after cursor: MSISDN?, limit: Int) async throws -> [Line]
}

/// What an upsert did.
public enum UpsertOutcome: Sendable, Hashable {
    case created(Line)
    case updated(Line)
    case unchanged(Line)

    public var line: Line {
        switch self {
        case .created(let line), .updated(let line), .unchanged(let line): line
        }
    }
}
