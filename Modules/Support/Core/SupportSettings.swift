public import CabinetCore

/// The `support` section of a region file: where subscribers can call or write.
public struct SupportSettings: ModuleSettings, Hashable {
    public struct Contact: Sendable, Hashable {
        public enum Kind: String, Sendable, Hashable, ConfigEnum, Codable {
            /// A short number dialled from the operator's SIM (611).
            case short
            /// A landline or federal number reachable from anywhere.
            case landline
        }

        public var kind: Kind
        public var number: String
        public var label: LocalizedText
    }

    public var contacts: [Contact]
    public var email: String

    public init?(from section: ConfigObject) {
        let contacts = section.requireList("contacts") { value -> Contact? in
            value.object { c in
                let kind = c.require("kind", Contact.Kind.self)
                let number = c.require("number", String.self)
                let label = c.require("label", LocalizedText.self)
                if let kind, let number, !SupportSettings.isValid(number, kind: kind) {
                    c.child("number")?.problem(
                        kind == .short
                            ? "a short number has 3 or 4 digits" : "write a full number such as +7 495 979-76-11")
                    return nil
                }
                guard let kind, let number, let label else { return nil }
                return Contact(kind: kind, number: number, label: label)
            }
        }
        let email = section.require("email", String.self)
        if let email, !email.contains("@") {
            section.child("email")?.problem("\"\(email)\" is not an e-mail address")
            return nil
        }
        guard let contacts, let email else { return nil }
        self.contacts = contacts
        self.email = email
    }

    static func isValid(_ number: String, kind: Contact.Kind) -> Bool {
        let digits = number.filter(\.isNumber)
        switch kind {
        case .short:
            return number.allSatisfy(\.isNumber) && (3...4).contains(digits.count)
        case .landline:
            let allowed = number.allSatisfy { $0.isNumber || " +-()".contains($0) }
            return allowed && (number.hasPrefix("+") || number.hasPrefix("8")) && (11...12).contains(digits.count)
        }
    }
}
