public import CabinetCore

/// The `support` section of a region file: where subscribers can call or write, the ticket categories with their
/// first-response targets, attachments, the reopen window, canned replies and the agents' compensation limit.
public struct SupportSettings: ModuleSettings, Hashable {
    /// A ticket's subject area («Платежи и баланс») and how soon an agent must first answer it.
    public struct Category: Sendable, Hashable {
        public var id: String
        public var name: LocalizedText
        /// The first-response target: an agent's first public answer is due this long after the ticket opens.
        public var firstResponse: Duration
    }

    /// What a ticket may carry and how long it stays open to its subscriber.
    public struct TicketPolicy: Sendable, Hashable {
        public var categories: [Category]
        /// Attachments per message (images and PDF).
        public var maxAttachments: Int
        /// Bytes per attachment.
        public var maxAttachmentBytes: Int
        /// Days a resolved ticket may be reopened; then it closes by itself.
        public var reopenDays: Int

        public func category(_ id: String) -> Category? { categories.first { $0.id == id } }
    }

    /// A ready answer an agent picks in the ticket view.
    public struct CannedReply: Sendable, Hashable {
        public var id: String
        public var title: LocalizedText
        public var text: LocalizedText
    }
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
    public var tickets: TicketPolicy
    public var cannedReplies: [CannedReply]
    /// An agent may approve a compensation up to this amount; above it a supervisor must.
    public var compensationAgentLimit: Money

    public init?(from section: ConfigObject) {
        let tickets = section.requireObject("tickets", Self.tickets(from:))
        let canned = section.requireList("cannedReplies") { value -> CannedReply? in
            value.object { c in
                let id = c.require("id", String.self)
                let title = c.require("title", LocalizedText.self)
                let text = c.require("text", LocalizedText.self)
                guard let id, let title, let text else { return nil }
                return CannedReply(id: id, title: title, text: text)
            }
        }
        if let canned, let duplicate = Self.firstDuplicate(canned.map(\.id)) {
            section.child("cannedReplies")?.problem("the reply id \"\(duplicate)\" is used twice")
        }
        let agentLimit = section.requireObject("compensation") { c in c.requirePrice("agentLimit") }
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
        guard let contacts, let email, let tickets, let canned, let agentLimit else { return nil }
        self.contacts = contacts
        self.email = email
        self.tickets = tickets
        self.cannedReplies = canned
        self.compensationAgentLimit = agentLimit
    }

    static func tickets(from t: ConfigObject) -> TicketPolicy? {
        let categories = t.requireList("categories") { value -> Category? in
            value.object { c in
                let id = c.require("id", String.self)
                let name = c.require("name", LocalizedText.self)
                let hours = c.requireInt("firstResponseHours", in: 1...720)
                if let id, id.isEmpty || id.count > 32 || !id.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) })
                {
                    c.child("id")?.problem("a category id is 1–32 Latin letters and digits, found \"\(id)\"")
                    return nil
                }
                guard let id, let name, let hours else { return nil }
                return Category(id: id, name: name, firstResponse: .seconds(hours * 3600))
            }
        }
        if let categories, let duplicate = firstDuplicate(categories.map(\.id)) {
            t.child("categories")?.problem("the category id \"\(duplicate)\" is used twice")
            return nil
        }
        if let categories, categories.isEmpty {
            t.child("categories")?.problem("a region needs at least one ticket category")
            return nil
        }
        let maxAttachments = t.requireInt("maxAttachments", in: 0...10)
        let maxKB = t.requireInt("maxAttachmentKB", in: 1...20_480)
        let reopenDays = t.requireInt("reopenDays", in: 0...90)
        guard let categories, let maxAttachments, let maxKB, let reopenDays else { return nil }
        return TicketPolicy(
            categories: categories, maxAttachments: maxAttachments, maxAttachmentBytes: maxKB * 1024,
            reopenDays: reopenDays)
    }

    static func firstDuplicate(_ ids: [String]) -> String? {
        var seen = Set<String>()
        return ids.first { !seen.insert($0).inserted }
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
