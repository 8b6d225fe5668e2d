import CabinetCore
import Foundation
import Subscribers

/// A line as the operator API shows it.
struct LineDTO: Codable, Sendable {
    struct Owner: Codable, Sendable {
        var fullName: String?
        var email: String?
        var contactNumber: String?
        var postalAddress: String?
        var completenessPercent: Int
    }

    var id: Int64
    var msisdn: String
    var region: String
    var status: String
    var activatedOn: String
    var owner: Owner
    var companyId: String?
    var createdAt: String
    var updatedAt: String

    init(_ line: Line) {
        id = line.id.rawValue
        msisdn = line.msisdn.e164
        region = line.region.rawValue
        status = line.status.rawValue
        activatedOn = line.activatedOn.description
        owner = Owner(
            fullName: line.owner.fullName, email: line.owner.email, contactNumber: line.owner.contactNumber?.e164,
            postalAddress: line.owner.postalAddress, completenessPercent: line.owner.completenessPercent)
        companyId = line.companyID?.rawValue
        createdAt = line.createdAt.formatted(.iso8601)
        updatedAt = line.updatedAt.formatted(.iso8601)
    }
}
