public import CabinetCore
import Foundation
public import Logging

/// The line registry's rules: the region must exist and have the module on, the number must belong to the
/// region's numbering plan, profile fields are checked, a terminated line stays terminated.
public struct DefaultSubscriberService: SubscriberService {
    private let store: any SubscriberStore
    private let regions: RegionCatalog
    private let clock: any WallClock
    private let logger: Logger
    private let observers: Listeners<any LineLifecycleObserver>

    /// `observers` are told about every line created or re-imported; modules assembled later add theirs to the list.
    public init(
        store: any SubscriberStore, regions: RegionCatalog, clock: any WallClock, logger: Logger,
        observers: Listeners<any LineLifecycleObserver> = Listeners()
    ) {
        self.store = store
        self.regions = regions
        self.clock = clock
        self.logger = logger
        self.observers = observers
    }

    private func announce(_ line: Line) async throws {
        for observer in observers.all { try await observer.lineReady(line) }
    }

    public func line(msisdn: MSISDN) async throws -> Line? { try await store.line(msisdn: msisdn) }
    public func line(id: SubscriberID) async throws -> Line? { try await store.line(id: id) }
    public func lines(msisdns: [MSISDN]) async throws -> [MSISDN: Line] { try await store.lines(msisdns: msisdns) }
    public func lines(ids: [SubscriberID]) async throws -> [SubscriberID: Line] { try await store.lines(ids: ids) }

    public func lines(company: CompanyID, matching search: String?, after cursor: MSISDN?, limit: Int) async throws
        -> [Line]
    {
        let search = search?.trimmingCharacters(in: .whitespaces)
        return try await store.lines(
            company: company, matching: search?.isEmpty == false ? search : nil, after: cursor,
            limit: min(max(limit, 1), 500))
    }

    public func status(of line: SubscriberID, in transaction: any WriteTransaction) async throws -> LineStatus? {
        try await store.status(of: line, in: transaction)
    }

    public func companies(of lines: [SubscriberID], in transaction: any WriteTransaction) async throws
        -> [SubscriberID: CompanyID]
    {
        try await store.companies(of: lines, in: transaction)
    }

    public func lines(region: RegionID?, after cursor: MSISDN?, limit: Int) async throws -> [Line] {
        try await store.lines(region: region, after: cursor, limit: min(max(limit, 1), 500))
    }

    public func provision(_ new: NewLine) async throws -> Line {
        let region = try validate(new)
        let activatedOn = new.activatedOn ?? LocalDate(clock.now, in: region.timeZone)
        let line = try await store.insert(new, activatedOn: activatedOn, at: clock.now)
        logger.info(
            "line provisioned",
            metadata: ["cabinet.msisdn": "\(line.msisdn.masked)", "cabinet.region": "\(line.region)"])
        try await announce(line)
        return line
    }

    public func upsert(_ new: NewLine) async throws -> UpsertOutcome {
        guard let existing = try await store.line(msisdn: new.msisdn) else {
            do {
                return .created(try await provision(new))
            } catch let error as CabinetError where error.code == SubscribersError.alreadyExists {
                // Created by someone else between the look-up and the insert: treat as an update.
                return try await upsert(new)
            }
        }
        try validate(new)
        var changed = existing
        if existing.status != new.status {
            guard existing.status.canChange(to: new.status) else { throw terminated(existing) }
            changed.status = new.status
        }
        changed.region = new.region
        changed.activatedOn = new.activatedOn ?? existing.activatedOn
        changed.owner = new.owner
        changed.companyID = new.companyID
        if changed.companyID != existing.companyID { changed.companySince = new.companyID == nil ? nil : clock.now }
        guard changed != existing else {
            // A line whose set-up failed after it was stored gets another chance on the next import.
            try await announce(existing)
            return .unchanged(existing)
        }
        changed.updatedAt = clock.now
        guard let updated = try await store.update(changed, ifStatus: existing.status) else {
            // The status changed since it was read: decide again on what is stored now.
            return try await upsert(new)
        }
        try await announce(updated)
        return .updated(updated)
    }

    public func update(msisdn: MSISDN, with patch: LinePatch) async throws -> Line {
        guard !patch.isEmpty else { throw CabinetError(SubscribersError.emptyPatch) }
        // Read, change, write only if the status is still the one read; a status changed meanwhile (a SIM blocked
        // while a profile is edited) is read again, never overwritten with the old one.
        for _ in 0..<Self.maxAttempts {
            guard let line = try await store.line(msisdn: msisdn) else { throw SubscribersError.notFound(msisdn) }
            if let updated = try await apply(patch, to: line) { return updated }
        }
        throw CabinetError.internal("the line \(msisdn.masked) kept changing during an update")
    }

    public func changeStatus(of msisdn: MSISDN, to status: LineStatus, from allowed: Set<LineStatus>) async throws
        -> Line?
    {
        for _ in 0..<Self.maxAttempts {
            guard let line = try await store.line(msisdn: msisdn) else { throw SubscribersError.notFound(msisdn) }
            guard allowed.contains(line.status) else { return nil }
            if let updated = try await apply(LinePatch(status: status), to: line) { return updated }
        }
        return nil
    }

    static let maxAttempts = 5

    /// The line with `patch` applied and stored, or `nil` when its status changed since `line` was read.
    private func apply(_ patch: LinePatch, to read: Line) async throws -> Line? {
        var line = read
        if let status = patch.status, status != line.status {
            guard line.status.canChange(to: status) else { throw terminated(line) }
            line.status = status
        }
        if let regionID = patch.region { line.region = regionID }
        line.owner.fullName = patch.fullName.apply(to: line.owner.fullName)
        line.owner.email = patch.email.apply(to: line.owner.email)
        line.owner.contactNumber = patch.contactNumber.apply(to: line.owner.contactNumber)
        line.owner.postalAddress = patch.postalAddress.apply(to: line.owner.postalAddress)
        line.companyID = patch.companyID.apply(to: line.companyID)
        if line.companyID != read.companyID { line.companySince = line.companyID == nil ? nil : clock.now }
        _ = try validate(
            NewLine(
                msisdn: line.msisdn, region: line.region, status: line.status,
                activatedOn: line.activatedOn, owner: line.owner, companyID: line.companyID))
        line.updatedAt = clock.now
        guard let updated = try await store.update(line, ifStatus: read.status) else { return nil }
        logger.info(
            "line updated",
            metadata: ["cabinet.msisdn": "\(line.msisdn.masked)", "cabinet.status": "\(line.status.rawValue)"])
        return updated
    }

    private func terminated(_ line: Line) -> CabinetError {
        CabinetError(SubscribersError.terminatedIsFinal, arguments: ["msisdn": line.msisdn.formatted])
    }

    /// Checks a line's values against the region catalogue and the profile rules; collects every field problem.
    @discardableResult
    func validate(_ new: NewLine) throws -> Region {
        guard let region = regions.region(new.region) else {
            throw CabinetError(
                SubscribersError.unknownRegion, arguments: ["region": new.region.rawValue],
                fieldErrors: [
                    FieldError(
                        field: "region", code: SubscribersError.unknownRegion,
                        arguments: ["region": new.region.rawValue])
                ])
        }
        var problems: [FieldError] = []
        if !region.isEnabled(SubscribersModule.id) {
            problems.append(
                FieldError(
                    field: "region", code: SubscribersError.regionDisabled, arguments: ["region": region.id.rawValue]))
        }
        if !region.msisdnRules.allows(new.msisdn) {
            problems.append(
                FieldError(
                    field: "msisdn", code: SubscribersError.outsideRegion,
                    arguments: [
                        "msisdn": new.msisdn.formatted, "region": region.id.rawValue,
                        "prefixes": region.msisdnRules.prefixes.joined(separator: ", "),
                    ]))
        }
        if let activatedOn = new.activatedOn, activatedOn > LocalDate(clock.now, in: region.timeZone) {
            problems.append(
                FieldError(
                    field: "activatedOn", code: SubscribersError.futureDate,
                    arguments: ["date": activatedOn.description]))
        }
        problems += OwnerProfileRules.problems(in: new.owner)
        guard problems.isEmpty else { throw CabinetError.validation(problems) }
        return region
    }
}

/// Limits of the owner profile fields.
public enum OwnerProfileRules {
    public static let maxNameLength = 200
    public static let maxAddressLength = 500
    public static let maxEmailLength = 254

    public static func problems(in owner: OwnerProfile) -> [FieldError] {
        var problems: [FieldError] = []
        func tooLong(_ field: String, _ value: String?, _ max: Int) {
            if let value, value.count > max {
                problems.append(
                    FieldError(field: field, code: SubscribersError.tooLong, arguments: ["max": String(max)]))
            }
        }
        tooLong("owner.fullName", owner.fullName, maxNameLength)
        tooLong("owner.postalAddress", owner.postalAddress, maxAddressLength)
        tooLong("owner.email", owner.email, maxEmailLength)
        if let email = owner.email, !isPlausibleEmail(email) {
            problems.append(
                FieldError(field: "owner.email", code: SubscribersError.invalidEmail, arguments: ["email": email]))
        }
        return problems
    }

    /// One `@`, something before it, a dotted domain after it, no spaces. Deliverability is proven by confirmation.
    public static func isPlausibleEmail(_ text: String) -> Bool {
        let parts = text.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, parts[1].contains("."), !parts[1].hasPrefix("."),
            !parts[1].hasSuffix("."), !text.contains(where: \.isWhitespace)
        else { return false }
        return true
    }
}
