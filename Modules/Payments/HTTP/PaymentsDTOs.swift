import CabinetCore
import Foundation
import Payments

/// A payment as the API shows it. Never a card number: the masked one the gateway reported.
struct PaymentDTO: Encodable {
    var id: String
    var status: String
    var amount: Money
    var method: String
    var msisdn: String
    var maskedCard: String?
    var failure: String?
    var failureMessage: String?
    var requestId: String?
    var createdAt: Date
    var updatedAt: Date
    var confirmationUrl: String?

    init(_ payment: Payment, catalog: MessageCatalog, language: Language, confirmationURL: String? = nil) {
        id = payment.id
        status = payment.status.rawValue
        amount = payment.amount
        method = payment.method.rawValue
        msisdn = payment.msisdn.e164
        maskedCard = payment.maskedCard
        failure = payment.failure
        failureMessage = payment.failure.map { catalog.text($0, in: language) }
        requestId = payment.requestID.map { ServiceRequest.number(for: $0) }
        createdAt = payment.createdAt
        updatedAt = payment.updatedAt
        confirmationUrl = confirmationURL
    }
}

/// What anyone holding a payment's id may see (the public page's return): no number, no card.
struct PublicPaymentDTO: Encodable {
    var id: String
    var status: String
    var amount: Money
}

struct PromisedDTO: Encodable {
    var id: Int64
    var status: String
    var amount: Money
    var fee: Money
    var takenAt: Date
    var dueAt: Date
    var requestId: String?

    init(_ promised: PromisedPayment) {
        id = promised.id
        status = promised.status.rawValue
        amount = promised.amount
        fee = promised.fee
        takenAt = promised.takenAt
        dueAt = promised.dueAt
        requestId = promised.requestID.map { ServiceRequest.number(for: $0) }
    }
}

struct EligibilityDTO: Encodable {
    struct Offer: Encodable {
        var amounts: [Money]
        var fee: Money
        var termDays: Int
        var dueAt: Date
    }

    struct Reason: Encodable {
        var code: String
        var message: String
    }

    var eligible: Bool
    var balance: Money
    var offer: Offer?
    var reasons: [Reason]
    var active: PromisedDTO?

    init(_ eligibility: PromisedEligibility, catalog: MessageCatalog, language: Language) {
        eligible = eligibility.offer != nil
        balance = eligibility.balance
        offer = eligibility.offer.map {
            Offer(amounts: $0.amounts, fee: $0.fee, termDays: $0.termDays, dueAt: $0.dueAt)
        }
        reasons = eligibility.refusals.map {
            Reason(
                code: $0.code.rawValue, message: catalog.text($0.code.rawValue, in: language, arguments: $0.arguments))
        }
        active = eligibility.active.map(PromisedDTO.init)
    }
}

struct TopUpBody: Decodable {
    var amount: String
    var method: String?
    /// Keep the card at the gateway for later payments (consent).
    var saveCard: Bool?
    /// Pay with this saved card now, without the payment page.
    var cardId: Int64?
}

struct PublicTopUpBody: Decodable {
    var msisdn: String
    var amount: String
    var method: String?
}

struct PromisedBody: Decodable {
    var amount: String
}

enum PaymentsInput {
    static func money(_ text: String, currency: Currency, field: String = "amount") throws -> Money {
        do {
            return try Money(
                parsing: text.replacingOccurrences(of: ",", with: ".").trimmingCharacters(in: .whitespaces),
                currency: currency)
        } catch {
            throw CabinetError.validation([
                FieldError(field: field, code: "payments.amountInvalid", arguments: ["value": text])
            ])
        }
    }

    static func method(_ text: String?) throws -> PaymentMethod {
        guard let text, !text.isEmpty else { return .card }
        guard let method = PaymentMethod(rawValue: text) else {
            throw CabinetError.validation([
                FieldError(field: "method", code: "payments.methodInvalid", arguments: ["value": text])
            ])
        }
        return method
    }
}
