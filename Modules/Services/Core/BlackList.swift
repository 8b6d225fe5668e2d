public import CabinetCore
public import Foundation

/// The black list service of a line: on, or off with its entries kept until a date.
public struct BlackListState: Sendable, Hashable {
    public var active: Bool
    public var changedAt: Date
    /// Off: the entries are kept until then, and reconnecting before it restores them.
    public var keepUntil: Date?

    public init(active: Bool, changedAt: Date, keepUntil: Date?) {
        self.active = active
        self.changedAt = changedAt
        self.keepUntil = keepUntil
    }
}

/// A number on a line's black list.
public struct BlackListEntry: Sendable, Hashable {
    public var line: SubscriberID
    public var number: PhoneNumber
    public var label: String?
    public var addedAt: Date

    public init(line: SubscriberID, number: PhoneNumber, label: String?, addedAt: Date) {
        self.line = line
        self.number = number
        self.label = label
        self.addedAt = addedAt
    }
}

/// Calls from one number the black list stopped on one local day.
public struct BlockedCallDay: Sendable, Hashable {
    public var number: String
    public var day: LocalDate
    public var count: Int
    public var lastAt: Date

    public init(number: String, day: LocalDate, count: Int, lastAt: Date) {
        self.number = number
        self.day = day
        self.count = count
        self.lastAt = lastAt
    }
}

/// One call or SMS the network asks about.
public struct CallAttempt: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable, Codable {
        case voice, sms
    }

    /// The network's id of the event: a retried batch logs nothing twice.
    public var id: String
    public var from: PhoneNumber
    public var to: PhoneNumber
    public var kind: Kind
    public var at: Date
    /// The caller is in roaming.
    public var roaming: Bool

    public init(id: String, from: PhoneNumber, to: PhoneNumber, kind: Kind, at: Date, roaming: Bool) {
        self.id = id
        self.from = from
        self.to = to
        self.kind = kind
        self.at = at
        self.roaming = roaming
    }
}

/// The answer for one attempt.
public struct CallDecision: Sendable, Hashable {
    /// Why a call is denied; stable codes the network maps to its own treatment.
    public enum Reason: String, Sendable, Hashable, Codable {
        case blackList
        case roamingBarred = "barring.roaming"
        case internationalBarred = "barring.international"
        case premiumSmsBarred = "barring.premiumSms"
        case lineBlocked = "line.blocked"
        /// Paid outgoing service on a line whose balance is below zero.
        case lineRestricted = "line.restricted"
        /// Neither end is a line of the operator.
        case unknownLine
        /// The line's company quota for the month is used up and the company chose to block paid service (Corporate).
        case quotaExhausted = "quota.exhausted"
    }

    public var id: String
    public var reason: Reason?
    public var allowed: Bool { reason == nil }

    public init(id: String, reason: Reason?) {
        self.id = id
        self.reason = reason
    }
}
