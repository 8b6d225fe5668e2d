public import CabinetCore
public import Foundation

/// One line of the operator: a SIM with its number, in a region, with a status and an owner.
public struct Line: Sendable, Hashable, Identifiable {
    public var id: SubscriberID
    public var msisdn: MSISDN
    public var region: RegionID
    public var status: LineStatus
    /// The day the line was activated (tenure, "days on network", counts from here).
    public var activatedOn: LocalDate
    public var owner: OwnerProfile
    public var companyID: CompanyID?
    /// Since when the line is the company's (set whenever its company link changes): a company's expense report
    /// leaves out what the line spent before it joined.
    public var companySince: Date?
    public var createdAt: Date
    public var updatedAt: Date

    public init(
        id: SubscriberID, msisdn: MSISDN, region: RegionID, status: LineStatus, activatedOn: LocalDate,
        owner: OwnerProfile, companyID: CompanyID?, companySince: Date? = nil, createdAt: Date, updatedAt: Date
    ) {
        self.companySince = companySince
        self.id = id
        self.msisdn = msisdn
        self.region = region
        self.status = status
        self.activatedOn = activatedOn
        self.owner = owner
        self.companyID = companyID
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}

/// Who owns the line and how to reach them.
public struct OwnerProfile: Sendable, Hashable, Codable {
    public var fullName: String?
    public var email: String?
    public var contactNumber: MSISDN?
    public var postalAddress: String?

    public init(
        fullName: String? = nil, email: String? = nil, contactNumber: MSISDN? = nil, postalAddress: String? = nil
    ) {
        self.fullName = fullName
        self.email = email
        self.contactNumber = contactNumber
        self.postalAddress = postalAddress
    }

    /// Share of filled fields, 0–100 (the profile page shows it).
    public var completenessPercent: Int {
        let filled = [fullName != nil, email != nil, contactNumber != nil, postalAddress != nil].filter { $0 }.count
        return filled * 25
    }
}
