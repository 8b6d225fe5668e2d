public import CabinetCore
public import Foundation

/// A corporate customer: its legal details, its region and contract. Its lines are those whose company link
/// (Subscribers) is its id.
public struct Company: Sendable, Hashable, Identifiable {
    public var id: CompanyID
    public var name: String
    public var inn: INN
    public var kpp: KPP
    public var legalAddress: String
    public var region: RegionID
    public var contractNumber: String
    public var createdAt: Date

    public init(
        id: CompanyID, name: String, inn: INN, kpp: KPP, legalAddress: String, region: RegionID, contractNumber: String,
        createdAt: Date
    ) {
        self.id = id
        self.name = name
        self.inn = inn
        self.kpp = kpp
        self.legalAddress = legalAddress
        self.region = region
        self.contractNumber = contractNumber
        self.createdAt = createdAt
    }
}

/// A company's application to the business cabinet (the operator's public form), numbered `Z-000042`.
public struct CompanyApplication: Sendable, Hashable, Identifiable {
    public enum Status: String, Sendable, Hashable, CaseIterable, Codable {
        case pending, approved, rejected
    }

    public var id: Int64
    public var region: RegionID
    public var city: String
    public var companyName: String
    public var inn: INN
    public var contactName: String
    /// The number of the company's SIM whose PUK came with the application; it becomes the first admin's number.
    public var phone: MSISDN
    public var status: Status
    public var reason: String?
    public var companyID: CompanyID?
    public var createdAt: Date
    public var decidedAt: Date?

    public init(
        id: Int64, region: RegionID, city: String, companyName: String, inn: INN, contactName: String, phone: MSISDN,
        status: Status, reason: String?, companyID: CompanyID?, createdAt: Date, decidedAt: Date?
    ) {
        self.id = id
        self.region = region
        self.city = city
        self.companyName = companyName
        self.inn = inn
        self.contactName = contactName
        self.phone = phone
        self.status = status
        self.reason = reason
        self.companyID = companyID
        self.createdAt = createdAt
        self.decidedAt = decidedAt
    }

    /// `Z-000042`: what the applicant quotes to the operator.
    public var number: String { Self.number(for: id) }

    public static func number(for id: Int64) -> String {
        let digits = String(id)
        return "Z-" + String(repeating: "0", count: max(0, 6 - digits.count)) + digits
    }

    /// Parses `Z-000042` (or `42`).
    public static func id(fromNumber text: String) -> Int64? {
        Int64(text.hasPrefix("Z-") ? String(text.dropFirst(2)) : text)
    }
}

/// What the public form sends.
public struct ApplicationDraft: Sendable, Hashable {
    public var region: RegionID
    public var city: String
    public var companyName: String
    public var inn: String
    public var contactName: String
    public var phone: MSISDN
    public var puk: String

    public init(
        region: RegionID, city: String, companyName: String, inn: String, contactName: String, phone: MSISDN,
        puk: String
    ) {
        self.region = region
        self.city = city
        self.companyName = companyName
        self.inn = inn
        self.contactName = contactName
        self.phone = phone
        self.puk = puk
    }
}

/// What the operator adds when approving: the details the form does not ask for.
public struct ApplicationApproval: Sendable, Hashable {
    /// The id the company's lines carry; by default its INN (an existing company link of its lines may be named).
    public var companyID: CompanyID?
    public var kpp: String
    public var legalAddress: String
    /// By default `B-<the application's number>`.
    public var contractNumber: String?

    public init(companyID: CompanyID? = nil, kpp: String, legalAddress: String, contractNumber: String? = nil) {
        self.companyID = companyID
        self.kpp = kpp
        self.legalAddress = legalAddress
        self.contractNumber = contractNumber
    }
}
