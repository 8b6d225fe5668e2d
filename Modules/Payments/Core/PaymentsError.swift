public import CabinetCore

/// Stable codes of Payments' errors (message keys in `Resources/messages.json`).
public enum PaymentsError: ErrorCatalogue {
    public static let amountOutOfRange = ErrorCode("payments.amountOutOfRange", .invalidInput)
    public static let notFound = ErrorCode("payments.notFound", .notFound)
    /// A webhook names a gateway this server does not know.
    public static let gatewayUnknown = ErrorCode("payments.gatewayUnknown", .notFound)
    /// The payment gateway cannot be reached or answered nonsense; the payer may try again later.
    public static let gatewayUnavailable = ErrorCode("payments.gatewayUnavailable", .unavailable)
    public static let signatureInvalid = ErrorCode("payments.signatureInvalid", .forbidden)
    public static let webhookInvalid = ErrorCode("payments.webhookInvalid", .invalidInput)
    public static let webhookMismatch = ErrorCode("payments.webhookMismatch", .invalidInput)
    public static let lineUnknown = ErrorCode("payments.lineUnknown", .notFound)
    /// Too many payments started without a login from one address or for one number this hour.
    public static let tooMany = ErrorCode("payments.tooMany", .tooManyRequests)
    public static let lineInactive = ErrorCode("payments.lineInactive", .rejected)
    /// A payment with this id exists already (a retried or concurrent attempt of the same auto-payment).
    public static let duplicatePayment = ErrorCode("payments.duplicate", .conflict)
    public static let cardUnknown = ErrorCode("payments.card.unknown", .notFound)
    public static let autopayNoCard = ErrorCode("payments.autopay.noCard", .rejected)
    public static let autopayInvalid = ErrorCode("payments.autopay.invalid", .invalidInput)
    public static let checkoutUnknown = ErrorCode("payments.sandbox.checkoutUnknown", .notFound)
    public static let checkoutClosed = ErrorCode("payments.sandbox.checkoutClosed", .conflict)
    public static let cardInvalid = ErrorCode("payments.sandbox.cardInvalid", .invalidInput)
    public static let expiryInvalid = ErrorCode("payments.sandbox.expiryInvalid", .invalidInput)
    public static let cvcInvalid = ErrorCode("payments.sandbox.cvcInvalid", .invalidInput)
    public static let transferToSelf = ErrorCode("payments.transfer.toSelf", .invalidInput)
    public static let transferRecipientUnknown = ErrorCode("payments.transfer.recipientUnknown", .invalidInput)
    public static let transferRecipientInactive = ErrorCode("payments.transfer.recipientInactive", .rejected)
    public static let transferCurrency = ErrorCode("payments.transfer.currency", .rejected)
    public static let transferAmount = ErrorCode("payments.transfer.amount", .invalidInput)
    public static let transferDailyLimit = ErrorCode("payments.transfer.dailyLimit", .rejected)
    public static let transferInsufficientFunds = ErrorCode("payments.transfer.insufficientFunds", .rejected)
    /// A transfer would send away money a promised payment lent (only the balance above what is owed may leave).
    public static let transferPromisedCredit = ErrorCode("payments.transfer.promisedCredit", .rejected)
    public static let promisedNotEligible = ErrorCode("payments.promised.notEligible", .rejected)
    public static let promisedAlreadyActive = ErrorCode("payments.promised.alreadyActive", .conflict)
    public static let promisedAmountNotOffered = ErrorCode("payments.promised.amountNotOffered", .invalidInput)

    public static let all: [ErrorCode] = [
        amountOutOfRange, notFound, gatewayUnknown, gatewayUnavailable, signatureInvalid, webhookInvalid,
        webhookMismatch, lineUnknown, tooMany, lineInactive, duplicatePayment, cardUnknown, autopayNoCard,
        autopayInvalid,
        checkoutUnknown, checkoutClosed, cardInvalid, expiryInvalid, cvcInvalid, transferToSelf,
        transferRecipientUnknown, transferRecipientInactive, transferCurrency, transferAmount, transferDailyLimit,
        transferInsufficientFunds, transferPromisedCredit, promisedNotEligible, promisedAlreadyActive,
        promisedAmountNotOffered,
    ]
}
