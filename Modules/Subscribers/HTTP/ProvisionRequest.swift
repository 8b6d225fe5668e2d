import CabinetCore
import CabinetHTTP
import Foundation
import Subscribers

/// `POST /operator/v1/subscribers` body. Every field is checked and all problems are reported together.
struct ProvisionRequest: Decodable, Sendable {
    struct Owner: Decodable, Sendable {
        var fullName: String?
        var email: String?
        var contactNumber: String?
        var postalAddress: String?
    }

    var msisdn: String
    var region: String
    var status: String?
    var activatedOn: String?
    var owner: Owner?
    var companyId: String?

    func newLine() throws -> NewLine {
        var problems: [FieldError] = []
        let number = MSISDNField.parse(msisdn, field: "msisdn", into: &problems)
        let regionID = RegionID(rawValue: region)
        if regionID == nil {
            problems.append(
                FieldError(field: "region", code: SubscribersError.unknownRegion, arguments: ["region": region]))
        }
        var lineStatus = LineStatus.active
        if let status {
            if let parsed = LineStatus(rawValue: status) {
                lineStatus = parsed
            } else {
                problems.append(
                    FieldError(field: "status", code: SubscribersError.invalidStatus, arguments: ["status": status]))
            }
        }
        var date: LocalDate?
        if let activatedOn {
            date = LocalDate(activatedOn)
            if date == nil {
                problems.append(
                    FieldError(
                        field: "activatedOn", code: SubscribersError.invalidDate, arguments: ["date": activatedOn]))
            }
        }
        var contact: MSISDN?
        if let text = owner?.contactNumber {
            contact = MSISDNField.parse(text, field: "owner.contactNumber", into: &problems)
        }
        var company: CompanyID?
        if let companyId {
            company = CompanyID(rawValue: companyId)
            if company == nil {
                problems.append(
                    FieldError(
                        field: "companyId", code: SubscribersError.invalidCompany, arguments: ["company": companyId]))
            }
        }
        guard problems.isEmpty, let number, let regionID else { throw CabinetError.validation(problems) }
        return NewLine(
            msisdn: number, region: regionID, status: lineStatus, activatedOn: date,
            owner: OwnerProfile(
                fullName: owner?.fullName.nonEmpty, email: owner?.email.nonEmpty, contactNumber: contact,
                postalAddress: owner?.postalAddress.nonEmpty),
            companyID: company)
    }
}

extension Optional where Wrapped == String {
    var nonEmpty: String? {
        guard let value = self?.trimmingCharacters(in: .whitespacesAndNewlines), !value.isEmpty else { return nil }
        return value
    }
}
