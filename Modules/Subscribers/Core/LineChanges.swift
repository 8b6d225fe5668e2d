public import CabinetCore

/// A new line as the operator provisions it.
public struct NewLine: Sendable, Hashable {
    public var msisdn: MSISDN
    public var region: RegionID
    public var status: LineStatus
    /// `nil` means today in the region's time zone.
    public var activatedOn: LocalDate?
    public var owner: OwnerProfile
    public var companyID: CompanyID?

    public init(
        msisdn: MSISDN, region: RegionID, status: LineStatus = .active, activatedOn: LocalDate? = nil,
        owner: OwnerProfile = OwnerProfile(), companyID: CompanyID? = nil
    ) {
        self.msisdn = msisdn
        self.region = region
        self.status = status
        self.activatedOn = activatedOn
        self.owner = owner
        self.companyID = companyID
    }
}

/// A change to one field: leave it, set it, or clear it (JSON merge-patch semantics: absent, value, `null`).
public enum FieldChange<Value: Sendable & Hashable>: Sendable, Hashable {
    case keep
    case set(Value)
    case clear

    func apply(to current: Value?) -> Value? {
        switch self {
        case .keep: current
        case .set(let value): value
        case .clear: nil
        }
    }
}

/// A partial update of a line by the operator.
public struct LinePatch: Sendable, Hashable {
    public var status: LineStatus?
    public var region: RegionID?
    public var fullName: FieldChange<String> = .keep
    public var email: FieldChange<String> = .keep
    public var contactNumber: FieldChange<MSISDN> = .keep
    public var postalAddress: FieldChange<String> = .keep
    public var companyID: FieldChange<CompanyID> = .keep

    public init(status: LineStatus? = nil, region: RegionID? = nil) {
        self.status = status
        self.region = region
    }

    public var isEmpty: Bool { self == LinePatch() }
}
