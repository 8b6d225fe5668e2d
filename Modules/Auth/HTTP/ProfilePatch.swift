import Auth
import CabinetCore
import CabinetHTTP
import Foundation
import Subscribers

/// `PATCH /api/v1/me/profile`: merge-patch of the subscriber's own profile (absent keeps, `null` clears).
struct ProfilePatch: Decodable, Sendable {
    var fullName: FieldChange<String> = .keep
    var email: FieldChange<String> = .keep
    var contactNumber: FieldChange<MSISDN> = .keep
    var postalAddress: FieldChange<String> = .keep
    var problems: [FieldError] = []

    private struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(_ string: String) { stringValue = string }
        init?(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: Key.self)
        let known = ["fullName", "email", "contactNumber", "postalAddress"]
        for key in container.allKeys where !known.contains(key.stringValue) {
            problems.append(FieldError(field: key.stringValue, code: "field.invalid"))
        }
        func text(_ name: String) throws -> FieldChange<String> {
            let key = Key(name)
            guard container.contains(key) else { return .keep }
            if try container.decodeNil(forKey: key) { return .clear }
            let value = try container.decode(String.self, forKey: key).trimmingCharacters(in: .whitespacesAndNewlines)
            return value.isEmpty ? .clear : .set(value)
        }
        fullName = try text("fullName")
        email = try text("email")
        postalAddress = try text("postalAddress")
        if case .set(let address) = email, !OwnerProfileRules.isPlausibleEmail(address) {
            problems.append(FieldError(field: "email", code: AuthError.emailInvalid))
        }
        switch try text("contactNumber") {
        case .keep: break
        case .clear: contactNumber = .clear
        case .set(let value):
            if let number = MSISDNField.parse(value, field: "contactNumber", into: &problems) {
                contactNumber = .set(number)
            }
        }
    }

    /// The same patch from a web form, where an empty field clears the value.
    init(form: [String: String]) {
        func text(_ name: String) -> FieldChange<String> {
            guard let value = form[name]?.trimmingCharacters(in: .whitespacesAndNewlines) else { return .keep }
            return value.isEmpty ? .clear : .set(value)
        }
        fullName = text("fullName")
        email = text("email")
        postalAddress = text("postalAddress")
        if case .set(let address) = email, !OwnerProfileRules.isPlausibleEmail(address) {
            problems.append(FieldError(field: "email", code: AuthError.emailInvalid))
        }
        switch text("contactNumber") {
        case .keep: break
        case .clear: contactNumber = .clear
        case .set(let value):
            if let number = MSISDNField.parse(value, field: "contactNumber", into: &problems) {
                contactNumber = .set(number)
            }
        }
    }
}
