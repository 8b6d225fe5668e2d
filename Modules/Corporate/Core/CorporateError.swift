public import CabinetCore

/// Stable codes of Corporate's errors (message keys in `Resources/messages.json`).
public enum CorporateError: ErrorCatalogue {
    /// The session's number is not an admin of any company (an employee's own line sees only that line).
    public static let notAdmin = ErrorCode("corporate.notAdmin", .forbidden)
    /// The admin's role does not allow this action (a `readOnly` admin changing a quota).
    public static let scopeMissing = ErrorCode("corporate.scopeMissing", .forbidden)
    /// No such line in the company, or in the admin's groups (both answer the same).
    public static let lineNotFound = ErrorCode("corporate.line.notFound", .notFound)
    public static let groupNotFound = ErrorCode("corporate.group.notFound", .notFound)
    public static let groupExists = ErrorCode("corporate.group.exists", .conflict)
    /// A group with lines in it cannot be deleted.
    public static let groupNotEmpty = ErrorCode("corporate.group.notEmpty", .conflict)
    public static let adminNotFound = ErrorCode("corporate.admin.notFound", .notFound)
    public static let adminExists = ErrorCode("corporate.admin.exists", .conflict)
    /// A company keeps at least one owner.
    public static let lastOwner = ErrorCode("corporate.admin.lastOwner", .rejected)
    public static let applicationNotFound = ErrorCode("corporate.application.notFound", .notFound)
    /// The application was approved or rejected already.
    public static let applicationDecided = ErrorCode("corporate.application.decided", .conflict)
    /// A company with this INN (or id) exists.
    public static let companyExists = ErrorCode("corporate.company.exists", .conflict)
    /// The applicant's number belongs to another company's contract.
    public static let lineOfAnotherCompany = ErrorCode("corporate.line.otherCompany", .conflict)
    /// ИНН: 10 digits with a valid check digit.
    public static let innInvalid = ErrorCode("corporate.inn.invalid", .invalidInput)
    /// КПП: 9 characters, digits with two letters or digits in the 5th and 6th place.
    public static let kppInvalid = ErrorCode("corporate.kpp.invalid", .invalidInput)
    /// A quota needs at least one limit; limits are positive and within bounds.
    public static let quotaInvalid = ErrorCode("corporate.quota.invalid", .invalidInput)
    /// The line has no quota to delete.
    public static let quotaNotFound = ErrorCode("corporate.quota.notFound", .notFound)
    /// No such bulk operation in the company (or of this admin).
    public static let bulkNotFound = ErrorCode("corporate.bulk.notFound", .notFound)
    /// The operation runs or ran already.
    public static let bulkStarted = ErrorCode("corporate.bulk.started", .conflict)
    /// A bulk operation covers at most 20 000 lines.
    public static let bulkTooLarge = ErrorCode("corporate.bulk.tooLarge", .invalidInput)
    /// Dry-run and report reasons: the option conflicts with a connected one, is not connected, the line is blocked
    /// or suspended.
    public static let bulkConflict = ErrorCode("corporate.bulk.conflict", .rejected)
    public static let bulkNotConnected = ErrorCode("corporate.bulk.notConnected", .rejected)
    public static let bulkLineBlocked = ErrorCode("corporate.bulk.line.blocked", .rejected)
    public static let bulkLineSuspended = ErrorCode("corporate.bulk.line.suspended", .rejected)
    /// A report's month is in the future or older than the region's history.
    public static let monthOutOfRange = ErrorCode("corporate.month.outOfRange", .invalidInput)
    /// An owner manages the whole company: an owner cannot be limited to groups.
    public static let ownerLimited = ErrorCode("corporate.admin.ownerLimited", .invalidInput)
    /// A name, address or reason: 1 to `max` characters, no control characters.
    public static let textInvalid = ErrorCode("corporate.text.invalid", .invalidInput)
    /// The region does not offer the business cabinet.
    public static let regionUnavailable = ErrorCode("corporate.region.unavailable", .invalidInput)
    /// The company's money and documents are for admins of the whole company (owner or finance, no groups).
    public static let wholeCompanyOnly = ErrorCode("corporate.finance.wholeCompanyOnly", .forbidden)
    public static let documentNotFound = ErrorCode("corporate.document.notFound", .notFound)
    /// An act for that month was issued already.
    public static let documentExists = ErrorCode("corporate.document.exists", .conflict)
    /// An invoice's amount: above zero, in the company's currency, at most 100 000 000.
    public static let amountInvalid = ErrorCode("corporate.amount.invalid", .invalidInput)
    /// A bank transfer's reference: the payment order's number, 1–40 characters.
    public static let referenceInvalid = ErrorCode("corporate.payment.referenceInvalid", .invalidInput)
    public static let companyNotFound = ErrorCode("corporate.company.notFound", .notFound)

    public static let all: [ErrorCode] = [
        notAdmin, scopeMissing, lineNotFound, groupNotFound, groupExists, groupNotEmpty, adminNotFound, adminExists,
        lastOwner, applicationNotFound, applicationDecided, companyExists, lineOfAnotherCompany, innInvalid,
        kppInvalid, quotaInvalid, quotaNotFound, textInvalid, regionUnavailable, bulkNotFound, bulkStarted,
        bulkTooLarge, bulkConflict, bulkNotConnected, bulkLineBlocked, bulkLineSuspended, monthOutOfRange, ownerLimited,
        wholeCompanyOnly, documentNotFound, documentExists, amountInvalid, referenceInvalid, companyNotFound,
    ]
}
