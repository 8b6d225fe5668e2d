public import CabinetCore
public import Foundation

/// A promised payment («обещанный платёж») a line has taken.
public struct PromisedPayment: Sendable, Hashable {
    public enum Status: String, Sendable, Hashable, Codable {
        /// Credited and not yet repaid.
        case active
        /// Repaid by a top-up.
        case repaid
        /// Not repaid by the due time: taken back from the balance (which may go below zero).
        case writtenOff
    }

    public var id: Int64
    public var line: SubscriberID
    public var amount: Money
    public var fee: Money
    public var status: Status
    public var takenAt: Date
    public var dueAt: Date
    public var requestID: Int64?
    public var closedAt: Date?
    /// When the ledger got the credit (nil: the step is still owed; reconciliation posts it).
    public var creditedAt: Date?
    /// When the ledger got the repayment or write-off of a closed promised payment.
    public var settledAt: Date?

    public init(
        id: Int64, line: SubscriberID, amount: Money, fee: Money, status: Status, takenAt: Date, dueAt: Date,
        requestID: Int64?, closedAt: Date?, creditedAt: Date? = nil, settledAt: Date? = nil
    ) {
        self.creditedAt = creditedAt
        self.settledAt = settledAt
        self.id = id
        self.line = line
        self.amount = amount
        self.fee = fee
        self.status = status
        self.takenAt = takenAt
        self.dueAt = dueAt
        self.requestID = requestID
        self.closedAt = closedAt
    }

    /// Ledger ids of its movements: permanent, so every step happens once whatever is retried.
    public var creditLedgerID: String { "promised:\(id)" }
    public var settleLedgerID: String { "promised-settle:\(id)" }
}

/// Why a line may not take a promised payment now, with what the subscriber needs to know (message key + arguments).
public struct PromisedRefusal: Sendable, Hashable {
    public var code: ErrorCode
    public var arguments: [String: String]

    public init(_ code: ErrorCode, _ arguments: [String: String] = [:]) {
        self.code = code
        self.arguments = arguments
    }

    public static let tenure = ErrorCode("payments.promised.reason.tenure", .rejected)
    public static let topUps = ErrorCode("payments.promised.reason.topUps", .rejected)
    public static let balanceHigh = ErrorCode("payments.promised.reason.balanceHigh", .rejected)
    public static let alreadyActive = ErrorCode("payments.promised.reason.alreadyActive", .rejected)
    public static let lineInactive = ErrorCode("payments.promised.reason.lineInactive", .rejected)
}

/// What a line may take now: amounts, fee, term and the due date.
public struct PromisedOffer: Sendable, Hashable {
    public var amounts: [Money]
    public var fee: Money
    public var termDays: Int
    public var dueAt: Date
}

/// The answer of `GET /api/v1/me/promised-payment`: an offer, or every reason there is none, and the active one.
public struct PromisedEligibility: Sendable, Hashable {
    public var offer: PromisedOffer?
    public var refusals: [PromisedRefusal]
    public var active: PromisedPayment?
    public var balance: Money
}

/// What the rules need to know about a line.
public struct PromisedFacts: Sendable, Hashable {
    public var daysOnNetwork: Int
    /// Card and wallet top-ups of the last three months, divided by three.
    public var averageMonthlyTopUps: Money
    public var balance: Money
    public var active: PromisedPayment?
    public var lineActive: Bool

    public init(
        daysOnNetwork: Int, averageMonthlyTopUps: Money, balance: Money, active: PromisedPayment?, lineActive: Bool
    ) {
        self.daysOnNetwork = daysOnNetwork
        self.averageMonthlyTopUps = averageMonthlyTopUps
        self.balance = balance
        self.active = active
        self.lineActive = lineActive
    }
}

extension PromisedPaymentRules {
    /// The most generous tier the line qualifies for, or every reason it qualifies for none (judged against the
    /// most basic tier, the one a subscriber can reach first).
    public func evaluate(_ facts: PromisedFacts, now: Date) -> PromisedEligibility {
        var refusals: [PromisedRefusal] = []
        if !facts.lineActive { refusals.append(PromisedRefusal(PromisedRefusal.lineInactive)) }
        if facts.active != nil { refusals.append(PromisedRefusal(PromisedRefusal.alreadyActive)) }
        if facts.balance.minorUnits >= availableBelow.minorUnits {
            refusals.append(
                PromisedRefusal(
                    PromisedRefusal.balanceHigh,
                    ["balance": facts.balance.amountString, "threshold": availableBelow.amountString]))
        }
        let qualifying = tiers.last {
            facts.daysOnNetwork >= $0.minDaysOnNetwork
                && facts.averageMonthlyTopUps.minorUnits >= $0.minAverageMonthlyTopUps.minorUnits
        }
        if qualifying == nil, let basic = tiers.first {
            if facts.daysOnNetwork < basic.minDaysOnNetwork {
                refusals.append(
                    PromisedRefusal(
                        PromisedRefusal.tenure,
                        ["days": String(facts.daysOnNetwork), "required": String(basic.minDaysOnNetwork)]))
            }
            if facts.averageMonthlyTopUps.minorUnits < basic.minAverageMonthlyTopUps.minorUnits {
                refusals.append(
                    PromisedRefusal(
                        PromisedRefusal.topUps,
                        [
                            "average": facts.averageMonthlyTopUps.amountString,
                            "required": basic.minAverageMonthlyTopUps.amountString,
                        ]))
            }
        }
        guard refusals.isEmpty, let tier = qualifying else {
            return PromisedEligibility(offer: nil, refusals: refusals, active: facts.active, balance: facts.balance)
        }
        let offer = PromisedOffer(
            amounts: tier.amounts, fee: tier.fee, termDays: tier.termDays,
            dueAt: now.addingTimeInterval(TimeInterval(tier.termDays) * 86_400))
        return PromisedEligibility(offer: offer, refusals: [], active: nil, balance: facts.balance)
    }
}
