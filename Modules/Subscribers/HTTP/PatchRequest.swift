import CabinetCore
import CabinetHTTP
import Foundation
import Subscribers

/// `PATCH /operator/v1/subscribers/{msisdn}` body, with merge-patch semantics: an absent key keeps the value,
/// `null` clears it.
struct PatchRequest: Decodable, Sendable {
    var patch: LinePatch
    var problems: [FieldError]

    private enum Keys: String, CodingKey, CaseIterable { case status, region, owner, companyId }
    private enum OwnerKeys: String, CodingKey, CaseIterable { case fullName, email, contactNumber, postalAddress }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: AnyKey.self)
        var patch = LinePatch()
        var problems: [FieldError] = []
        for key in container.allKeys where Keys(rawValue: key.stringValue) == nil {
            problems.append(FieldError(field: key.stringValue, code: "field.invalid"))
        }
        if let status = try container.decodeIfPresent(String.self, forKey: AnyKey("status")) {
            if let parsed = LineStatus(rawValue: status) {
                patch.status = parsed
            } else {
                problems.append(
                    FieldError(field: "status", code: SubscribersError.invalidStatus, arguments: ["status": status]))
            }
        }
        if let region = try container.decodeIfPresent(String.self, forKey: AnyKey("region")) {
            if let id = RegionID(rawValue: region) {
                patch.region = id
            } else {
                problems.append(
                    FieldError(field: "region", code: SubscribersError.unknownRegion, arguments: ["region": region]))
            }
        }
        if container.contains(AnyKey("companyId")) {
            if try container.decodeNil(forKey: AnyKey("companyId")) {
                patch.companyID = .clear
            } else {
                let text = try container.decode(String.self, forKey: AnyKey("companyId"))
                if let id = CompanyID(rawValue: text) {
                    patch.companyID = .set(id)
                } else {
                    problems.append(
                        FieldError(
                            field: "companyId", code: SubscribersError.invalidCompany, arguments: ["company": text]))
                }
            }
        }
        if container.contains(AnyKey("owner")) {
            let owner = try container.nestedContainer(keyedBy: AnyKey.self, forKey: AnyKey("owner"))
            for key in owner.allKeys where OwnerKeys(rawValue: key.stringValue) == nil {
                problems.append(FieldError(field: "owner.\(key.stringValue)", code: "field.invalid"))
            }
            patch.fullName = try Self.text(owner, "fullName")
            patch.email = try Self.text(owner, "email")
            patch.postalAddress = try Self.text(owner, "postalAddress")
            switch try Self.text(owner, "contactNumber") {
            case .keep: break
            case .clear: patch.contactNumber = .clear
            case .set(let text):
                if let number = MSISDNField.parse(text, field: "owner.contactNumber", into: &problems) {
                    patch.contactNumber = .set(number)
                }
            }
        }
        self.patch = patch
        self.problems = problems
    }

    private static func text(_ container: KeyedDecodingContainer<AnyKey>, _ key: String) throws -> FieldChange<String> {
        let codingKey = AnyKey(key)
        guard container.contains(codingKey) else { return .keep }
        if try container.decodeNil(forKey: codingKey) { return .clear }
        let value = try container.decode(String.self, forKey: codingKey).trimmingCharacters(in: .whitespacesAndNewlines)
        return value.isEmpty ? .clear : .set(value)
    }
}

struct AnyKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(_ string: String) { stringValue = string }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}
