public import CabinetCore

/// Stable codes of Payments' errors (message keys in `Resources/messages.json`).
public enum PaymentsError {
    public static let amountOutOfRange: ErrorCode = "payments.amountOutOfRange"
    public static let notFound: ErrorCode = "payments.notFound"
    public static let gatewayUnknown: ErrorCode = "payments.gatewayUnknown"
    public static let signatureInvalid: ErrorCode = "payments.signatureInvalid"
    public static let webhookInvalid: ErrorCode = "payments.webhookInvalid"
    public static let webhookMismatch: ErrorCode = "payments.webhookMismatch"
    public static let lineUnknown: ErrorCode = "payments.lineUnknown"
    public static let lineInactive: ErrorCode = "payments.lineInactive"
    /// A payment with this id exists already (a retried or concurrent attempt of the same auto-payment).
    public static let duplicatePayment: ErrorCode = "payments.duplicate"
    public static let cardUnknown: ErrorCode = "payments.card.unknown"
    public static let autopayNoCard: ErrorCode = "payments.autopay.noCard"
    public static let autopayInvalid: ErrorCode = "payments.autopay.invalid"
    public static let checkoutUnknown: ErrorCode = "payments.sandbox.checkoutUnknown"
    public static let checkoutClosed: ErrorCode = "payments.sandbox.checkoutClosed"
    public static let cardInvalid: ErrorCode = "payments.sandbox.cardInvalid"
    public static let expiryInvalid: ErrorCode = "payments.sandbox.expiryInvalid"
    public static let cvcInvalid: ErrorCode = "payments.sandbox.cvcInvalid"
    public static let transferToSelf: ErrorCode = "payments.transfer.toSelf"
    public static let transferRecipientUnknown: ErrorCode = "payments.transfer.recipientUnknown"
    public static let transferRecipientInactive: ErrorCode = "payments.transfer.recipientInactive"
    public static let transferCurrency: ErrorCode = "payments.transfer.currency"
    public static let transferAmount: ErrorCode = "payments.transfer.amount"
    public static let transferDailyLimit: ErrorCode = "payments.transfer.dailyLimit"
    public static let transferInsufficientFunds: ErrorCode = "payments.transfer.insufficientFunds"
    public static let promisedNotEligible: ErrorCode = "payments.promised.notEligible"
    public static let promisedAlreadyActive: ErrorCode = "payments.promised.alreadyActive"
    public static let promisedAmountNotOffered: ErrorCode = "payments.promised.amountNotOffered"
}
