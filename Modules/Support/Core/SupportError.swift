public import CabinetCore

/// Stable codes of Support's errors (message keys in `Resources/messages.json`).
public enum SupportError: ErrorCatalogue {
    /// No such ticket for this line (another line's ticket answers the same).
    public static let ticketNotFound = ErrorCode("support.ticket.notFound", .notFound)
    public static let attachmentNotFound = ErrorCode("support.attachment.notFound", .notFound)
    /// The region has no such ticket category.
    public static let categoryUnknown = ErrorCode("support.category.unknown", .invalidInput)
    /// Subject 1–200 characters, a message 1–5000.
    public static let subjectInvalid = ErrorCode("support.subject.invalid", .invalidInput)
    public static let messageInvalid = ErrorCode("support.message.invalid", .invalidInput)
    /// More files than the region allows on one message.
    public static let tooManyAttachments = ErrorCode("support.attachment.tooMany", .invalidInput)
    /// A file larger than the region allows.
    public static let attachmentTooLarge = ErrorCode("support.attachment.tooLarge", .invalidInput)
    /// The bytes are not an image (PNG, JPEG, GIF, WebP) or a PDF, whatever the name says.
    public static let attachmentType = ErrorCode("support.attachment.type", .invalidInput)
    /// A closed ticket takes no messages; a resolved one is reopened first.
    public static let ticketClosed = ErrorCode("support.ticket.closed", .rejected)
    /// Only a resolved ticket within the region's days may be reopened.
    public static let reopenRefused = ErrorCode("support.ticket.reopenRefused", .rejected)
    /// Rating is for resolved or closed tickets, once, 1–5.
    public static let ratingRefused = ErrorCode("support.rating.refused", .rejected)
    public static let ratingInvalid = ErrorCode("support.rating.invalid", .invalidInput)
    /// The disputed movement is not the line's, or the amount is not between 0.01 and the movement's amount.
    public static let movementNotFound = ErrorCode("support.compensation.movement", .notFound)
    public static let amountInvalid = ErrorCode("support.compensation.amount", .invalidInput)
    /// A compensation is already open for this movement.
    public static let compensationOpen = ErrorCode("support.compensation.open", .conflict)
    /// Decided already, or not a compensation ticket.
    public static let compensationDecided = ErrorCode("support.compensation.decided", .conflict)
    /// A compensation ticket is resolved by its decision (approve or refuse), not by a status.
    public static let compensationUndecided = ErrorCode("support.compensation.undecided", .rejected)
    /// Above the region's agent limit a supervisor approves.
    public static let supervisorRequired = ErrorCode("support.compensation.supervisor", .forbidden)
    /// A status an agent may not set from the ticket's present one.
    public static let statusChange = ErrorCode("support.ticket.statusChange", .rejected)

    /// Agent login: wrong login, password or code all answer the same.
    public static let agentLoginFailed = ErrorCode("support.agent.loginFailed", .unauthenticated)
    /// Too many wrong logins: wait `retryAfter` seconds.
    public static let agentLocked = ErrorCode("support.agent.locked", .tooManyRequests)
    public static let agentRequired = ErrorCode("support.agent.required", .unauthenticated)
    /// The agent's role or regions do not cover this ticket or action.
    public static let agentForbidden = ErrorCode("support.agent.forbidden", .forbidden)
    public static let agentExists = ErrorCode("support.agent.exists", .conflict)
    public static let agentNotFound = ErrorCode("support.agent.notFound", .notFound)
    /// A login is 3–32 Latin letters, digits, dots, hyphens; a name 1–100 characters; regions known.
    public static let agentInvalid = ErrorCode("support.agent.invalid", .invalidInput)
    /// A new password: 12–128 characters, not the old one.
    public static let agentPasswordWeak = ErrorCode("support.agent.passwordWeak", .invalidInput)
    /// The operator's first password only sets the agent's own.
    public static let agentPasswordRequired = ErrorCode("support.agent.passwordRequired", .forbidden)

    public static let all: [ErrorCode] = [
        ticketNotFound, attachmentNotFound, categoryUnknown, subjectInvalid, messageInvalid, tooManyAttachments,
        attachmentTooLarge, attachmentType, ticketClosed, reopenRefused, ratingRefused, ratingInvalid,
        movementNotFound, amountInvalid, compensationOpen, compensationDecided, compensationUndecided,
        supervisorRequired, statusChange,
        agentLoginFailed, agentLocked, agentRequired, agentForbidden, agentExists, agentNotFound, agentInvalid,
        agentPasswordWeak, agentPasswordRequired,
    ]
}
