public import CabinetCore
public import Foundation
public import Subscribers

/// A line's monthly limits set by its company («Управление квотой»): money and/or packages, counted over the
/// calendar month of the line's region.
public struct QuotaLimits: Sendable, Hashable, Codable {
    /// What happens once a limit is reached.
    public enum Policy: String, Sendable, Hashable, CaseIterable, Codable {
        /// Paid outgoing calls and SMS are refused (`quota.exhausted` in the network's call check).
        case block
        /// The employee continues at their own expense: nothing is refused.
        case personal
    }

    public var money: Money?
    public var minutes: Int?
    public var sms: Int?
    public var megabytes: Int?
    public var policy: Policy

    public init(money: Money? = nil, minutes: Int? = nil, sms: Int? = nil, megabytes: Int? = nil, policy: Policy) {
        self.money = money
        self.minutes = minutes
        self.sms = sms
        self.megabytes = megabytes
        self.policy = policy
    }

    /// At least one limit, each positive and sane; money in the region's currency.
    public func validated(currency: Currency) throws -> QuotaLimits {
        var problems: [FieldError] = []
        if money == nil, minutes == nil, sms == nil, megabytes == nil {
            problems.append(FieldError(field: "money", code: CorporateError.quotaInvalid))
        }
        if let money, money.currency != currency || !money.isPositive || money.minorUnits > 100_000_000_00 {
            problems.append(FieldError(field: "money", code: CorporateError.quotaInvalid))
        }
        for (field, value) in [("minutes", minutes), ("sms", sms), ("megabytes", megabytes)] {
            if let value, !(1...10_000_000).contains(value) {
                problems.append(FieldError(field: field, code: CorporateError.quotaInvalid))
            }
        }
        guard problems.isEmpty else { throw CabinetError.validation(problems) }
        return self
    }
}

/// A quota in force on a line.
public struct Quota: Sendable, Hashable {
    public var line: SubscriberID
    public var company: CompanyID
    public var limits: QuotaLimits
    /// The request that set it.
    public var requestID: Int64
    public var appliedAt: Date

    public init(line: SubscriberID, company: CompanyID, limits: QuotaLimits, requestID: Int64, appliedAt: Date) {
        self.line = line
        self.company = company
        self.limits = limits
        self.requestID = requestID
        self.appliedAt = appliedAt
    }
}

/// What a line used this month against its quota.
public struct QuotaUsage: Sendable, Hashable {
    public var spent: Money
    public var minutes: Int
    public var sms: Int
    public var megabytes: Int

    public init(spent: Money, minutes: Int, sms: Int, megabytes: Int) {
        self.spent = spent
        self.minutes = minutes
        self.sms = sms
        self.megabytes = megabytes
    }

    /// The share of the money limit used, in percent (0 without one).
    public func moneyPercent(of limits: QuotaLimits) -> Int {
        guard let money = limits.money, money.minorUnits > 0 else { return 0 }
        return Int(min(Int64(1000), spent.minorUnits * 100 / money.minorUnits))
    }

    /// The kinds of outgoing service the quota refuses now (none under the `personal` policy).
    public func exhaustedKinds(of limits: QuotaLimits) -> Set<ExhaustedKind> {
        var kinds: Set<ExhaustedKind> = []
        if let money = limits.money, spent.currency == money.currency, spent.minorUnits >= money.minorUnits {
            kinds.formUnion([.voice, .sms, .data])
        }
        if let minutes = limits.minutes, self.minutes >= minutes { kinds.insert(.voice) }
        if let sms = limits.sms, self.sms >= sms { kinds.insert(.sms) }
        if let megabytes = limits.megabytes, self.megabytes >= megabytes { kinds.insert(.data) }
        return kinds
    }

    public enum ExhaustedKind: String, Sendable, Hashable { case voice, sms, data }
}

/// A change of a line's quota an admin asked for; the request record (`R-…`) carries its status.
public struct QuotaRequest: Sendable, Hashable, Identifiable {
    public enum Action: String, Sendable, Hashable, Codable { case set, delete }

    /// The request record's id.
    public var id: Int64
    public var company: CompanyID
    public var line: SubscriberID
    public var msisdn: MSISDN
    public var admin: Int64
    public var action: Action
    /// The limits asked for (`set` only).
    public var limits: QuotaLimits?
    public var status: ServiceRequest.Status
    public var reason: String?
    public var createdAt: Date
    public var updatedAt: Date

    public init(
        id: Int64, company: CompanyID, line: SubscriberID, msisdn: MSISDN, admin: Int64, action: Action,
        limits: QuotaLimits?, status: ServiceRequest.Status, reason: String?, createdAt: Date, updatedAt: Date
    ) {
        self.id = id
        self.company = company
        self.line = line
        self.msisdn = msisdn
        self.admin = admin
        self.action = action
        self.limits = limits
        self.status = status
        self.reason = reason
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    public var number: String { ServiceRequest.number(for: id) }
}

/// One line of «Абоненты»: the line, its group, its quota and what it spent this month.
public struct CompanyLine: Sendable, Hashable {
    public var line: Line
    public var group: LineGroup?
    public var quota: Quota?
    public var tariffName: String?
    public var spentThisMonth: Money?

    public init(line: Line, group: LineGroup?, quota: Quota?, tariffName: String?, spentThisMonth: Money?) {
        self.line = line
        self.group = group
        self.quota = quota
        self.tariffName = tariffName
        self.spentThisMonth = spentThisMonth
    }
}

/// An entry of the company's journal: who did what, when, under which request.
public struct JournalEntry: Sendable, Hashable, Identifiable {
    public var id: Int64
    public var company: CompanyID
    public var admin: Int64
    public var adminName: String
    /// `quota.set`, `quota.delete`, `group.create`, `line.move`, `admin.add`, …
    public var action: String
    /// The line or object acted on, as people read it (a number, a group's name).
    public var target: String
    public var requestID: Int64
    public var at: Date

    public init(
        id: Int64, company: CompanyID, admin: Int64, adminName: String, action: String, target: String,
        requestID: Int64, at: Date
    ) {
        self.id = id
        self.company = company
        self.admin = admin
        self.adminName = adminName
        self.action = action
        self.target = target
        self.requestID = requestID
        self.at = at
    }
}
