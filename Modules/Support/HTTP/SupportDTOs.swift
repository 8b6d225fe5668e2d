import Billing
import CabinetCore
import CabinetHTTP
import Foundation
import Support

/// A ticket as the subscriber API shows it.
struct TicketDTO: Encodable, Sendable {
    struct CompensationDTO: Encodable, Sendable {
        var movement: String
        var disputed: Money
        /// `pending`, `approved`, `rejected`.
        var decision: String
        var approved: Money?
        var reason: String?
    }

    var id: String
    var category: String
    var kind: String
    var subject: String
    var status: String
    var notify: String
    var createdAt: Date
    var updatedAt: Date
    var firstResponseDue: Date
    var firstRespondedAt: Date?
    var resolvedAt: Date?
    var rating: Int?
    var ratingComment: String?
    var compensation: CompensationDTO?

    init(_ ticket: Ticket) {
        id = ticket.number
        category = ticket.category
        kind = ticket.kind.rawValue
        subject = ticket.subject
        status = ticket.status.rawValue
        notify = ticket.notify.rawValue
        createdAt = ticket.createdAt
        updatedAt = ticket.updatedAt
        firstResponseDue = ticket.firstResponseDue
        firstRespondedAt = ticket.firstRespondedAt
        resolvedAt = ticket.resolvedAt
        rating = ticket.rating
        ratingComment = ticket.ratingComment
        compensation = ticket.compensation.map { c in
            switch c.decision {
            case nil:
                CompensationDTO(movement: String(c.movementEntryID), disputed: c.disputed, decision: "pending")
            case .approved(let amount, _)?:
                CompensationDTO(
                    movement: String(c.movementEntryID), disputed: c.disputed, decision: "approved", approved: amount)
            case .rejected(let reason, _)?:
                CompensationDTO(
                    movement: String(c.movementEntryID), disputed: c.disputed, decision: "rejected", reason: reason)
            }
        }
    }
}

/// A message as the subscriber sees it: who wrote it (`subscriber`, `agent` with the agent's name, `system`).
struct TicketMessageDTO: Encodable, Sendable {
    struct AttachmentDTO: Encodable, Sendable {
        var id: String
        var fileName: String
        var mediaType: String
        var size: Int
        var url: String
    }

    var id: String
    var author: String
    var agentName: String?
    var text: String
    var createdAt: Date
    var attachments: [AttachmentDTO]

    init(_ message: TicketMessage, ticket: Ticket, catalog: MessageCatalog, language: Language) {
        id = String(message.id)
        switch message.author {
        case .subscriber: author = "subscriber"
        case .agent(_, let name):
            author = "agent"
            agentName = name
        case .system: author = "system"
        }
        text = SupportTexts.body(of: message, catalog: catalog, language: language)
        createdAt = message.createdAt
        attachments = message.attachments.map {
            AttachmentDTO(
                id: String($0.id), fileName: $0.fileName, mediaType: $0.type.mediaType, size: $0.size,
                url: "/api/v1/me/tickets/\(ticket.number)/attachments/\($0.id)")
        }
    }
}

struct TicketThreadDTO: Encodable, Sendable {
    var ticket: TicketDTO
    var messages: [TicketMessageDTO]
}

struct FAQHitDTO: Encodable, Sendable {
    var id: String
    var title: String
    /// The title and an excerpt with the matched words between `[[` and `]]`.
    var titleHighlighted: String
    var snippet: String

    init(_ hit: FAQHit) {
        id = hit.id
        title = hit.title
        titleHighlighted = hit.titleHighlighted
        snippet = hit.snippet
    }
}

struct ContactsDTO: Encodable, Sendable {
    struct Contact: Encodable, Sendable {
        var kind: String
        var number: String
        var label: String
    }

    struct Category: Encodable, Sendable {
        var id: String
        var name: String
        var firstResponseHours: Int
    }

    var contacts: [Contact]
    var email: String
    var categories: [Category]
    var maxAttachments: Int
    var maxAttachmentKB: Int

    init(_ settings: SupportSettings, language: Language) {
        contacts = settings.contacts.map {
            Contact(kind: $0.kind.rawValue, number: $0.number, label: $0.label.text(in: language))
        }
        email = settings.email
        categories = settings.tickets.categories.map {
            Category(
                id: $0.id, name: $0.name.text(in: language),
                firstResponseHours: Int($0.firstResponse.components.seconds / 3600))
        }
        maxAttachments = settings.tickets.maxAttachments
        maxAttachmentKB = settings.tickets.maxAttachmentBytes / 1024
    }
}

/// `POST /api/v1/me/tickets`: files as base64 (`attachments[].content`), a compensation names the balance history's
/// movement (`movement`, its `entryId`) and the disputed `amount`.
struct NewTicketBody: Decodable, Sendable {
    struct File: Decodable, Sendable {
        var fileName: String
        var content: String
    }

    var category: String
    var subject: String
    var message: String
    var notify: String?
    var attachments: [File]?
    var movement: String?
    var amount: String?
}

struct ReplyBody: Decodable, Sendable {
    struct File: Decodable, Sendable {
        var fileName: String
        var content: String
    }

    var message: String
    var attachments: [File]?
}

struct RatingBody: Decodable, Sendable {
    var stars: Int
    var comment: String?
}

/// Texts the pages and the API share.
enum SupportTexts {
    /// A system line is `key|value`; anything else is the message as written.
    static func body(of message: TicketMessage, catalog: MessageCatalog, language: Language) -> String {
        guard case .system = message.author, message.body.hasPrefix("support.system.") else { return message.body }
        let parts = message.body.split(separator: "|", maxSplits: 1).map(String.init)
        guard catalog.contains(parts[0], in: language) else { return message.body }
        return catalog.text(parts[0], in: language, arguments: ["value": parts.count > 1 ? parts[1] : ""])
    }

    static func status(_ status: Ticket.Status, catalog: MessageCatalog, language: Language) -> String {
        catalog.text("support.status.\(status.rawValue)", in: language)
    }

    static func decodeFiles(_ files: [(String, String)]) throws -> [NewAttachment] {
        var problems: [FieldError] = []
        var result: [NewAttachment] = []
        for (index, (name, content)) in files.enumerated() {
            guard let data = Data(base64Encoded: content, options: .ignoreUnknownCharacters) else {
                problems.append(FieldError(field: "attachments[\(index)].content", code: SupportError.attachmentType))
                continue
            }
            result.append(NewAttachment(fileName: name, bytes: Array(data)))
        }
        guard problems.isEmpty else { throw CabinetError.validation(problems) }
        return result
    }

    /// `[[match]]` → `<mark>match</mark>` after HTML-escaping the text (an article's words never become markup).
    static func highlighted(_ text: String) -> String {
        escape(text).replacingOccurrences(of: "[[", with: "<mark>").replacingOccurrences(of: "]]", with: "</mark>")
    }

    static func escape(_ text: String) -> String {
        var result = ""
        for character in text {
            switch character {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            case "'": result += "&#39;"
            default: result.append(character)
            }
        }
        return result
    }
}
