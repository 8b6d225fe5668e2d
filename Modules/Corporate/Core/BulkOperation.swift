public import CabinetCore
public import Foundation
public import Tariffs

/// What a bulk operation does to each line.
public enum BulkAction: Sendable, Hashable {
    case changeTariff(TariffID, TariffChangeTiming)
    case connectOption(OptionID)
    case disconnectOption(OptionID)
    case setQuota(QuotaLimits)
    case removeQuota
    /// A text message to each employee (through the outbox, at most the region's rate per minute).
    case sms(String)

    /// `changeTariff`, `connectOption`, …: the stored and API name.
    public var kind: String {
        switch self {
        case .changeTariff: "changeTariff"
        case .connectOption: "connectOption"
        case .disconnectOption: "disconnectOption"
        case .setQuota: "setQuota"
        case .removeQuota: "removeQuota"
        case .sms: "sms"
        }
    }

    /// The action's argument as stored: a tariff and its timing, an option, a quota, a text.
    public var argument: String {
        switch self {
        case .changeTariff(let tariff, let timing): "\(tariff.rawValue)@\(timing.rawValue)"
        case .connectOption(let option), .disconnectOption(let option): option.rawValue
        case .setQuota(let limits):
            (try? String(decoding: JSONEncoder().encode(limits), as: UTF8.self)) ?? "{}"
        case .removeQuota: ""
        case .sms(let text): text
        }
    }

    /// Reads a stored action back.
    public init?(kind: String, argument: String) {
        switch kind {
        case "changeTariff":
            let parts = argument.split(separator: "@").map(String.init)
            guard parts.count == 2, let tariff = TariffID(rawValue: parts[0]),
                let timing = TariffChangeTiming(rawValue: parts[1])
            else { return nil }
            self = .changeTariff(tariff, timing)
        case "connectOption":
            guard let option = OptionID(rawValue: argument) else { return nil }
            self = .connectOption(option)
        case "disconnectOption":
            guard let option = OptionID(rawValue: argument) else { return nil }
            self = .disconnectOption(option)
        case "setQuota":
            guard let limits = try? JSONDecoder().decode(QuotaLimits.self, from: Data(argument.utf8)) else {
                return nil
            }
            self = .setQuota(limits)
        case "removeQuota": self = .removeQuota
        case "sms": self = .sms(argument)
        default: return nil
        }
    }
}

/// Which lines a bulk operation covers.
public enum BulkSelection: Sendable, Hashable {
    case lines([MSISDN])
    case group(Int64)
}

/// A bulk operation: planned by its dry run, then run by the bulk job line by line, with its report.
public struct BulkOperation: Sendable, Hashable, Identifiable {
    public enum Status: String, Sendable, Hashable, Codable {
        /// The dry run's plan, waiting to be started.
        case planned
        case running
        case done
    }

    public var id: Int64
    public var company: CompanyID
    public var admin: Int64
    public var adminName: String
    public var action: BulkAction
    public var status: Status
    /// The operation's own request record (its number is the bulk's).
    public var requestID: Int64
    public var total: Int
    /// Lines the dry run found would be refused (and why, per line).
    public var refusedInPlan: Int
    /// Lines finished so far, and how.
    public var done: Int
    public var refused: Int
    public var failed: Int
    public var createdAt: Date
    public var startedAt: Date?
    public var finishedAt: Date?

    public init(
        id: Int64, company: CompanyID, admin: Int64, adminName: String, action: BulkAction, status: Status,
        requestID: Int64, total: Int, refusedInPlan: Int, done: Int, refused: Int, failed: Int, createdAt: Date,
        startedAt: Date?, finishedAt: Date?
    ) {
        self.id = id
        self.company = company
        self.admin = admin
        self.adminName = adminName
        self.action = action
        self.status = status
        self.requestID = requestID
        self.total = total
        self.refusedInPlan = refusedInPlan
        self.done = done
        self.refused = refused
        self.failed = failed
        self.createdAt = createdAt
        self.startedAt = startedAt
        self.finishedAt = finishedAt
    }

    /// Lines finished, whatever the outcome.
    public var processed: Int { done + refused + failed }
    public var number: String { ServiceRequest.number(for: requestID) }
}

/// One line of a bulk operation: what the dry run planned, then what happened.
public struct BulkItem: Sendable, Hashable {
    public enum Outcome: String, Sendable, Hashable, Codable {
        case pending, processing, done, refused, failed
    }

    public var operation: Int64
    public var position: Int
    public var line: SubscriberID
    public var msisdn: MSISDN
    /// The dry run's finding: `nil` when the line would be changed, else the reason (an error code).
    public var planRefusal: String?
    /// What the dry run said would happen ("R-…" is not known yet): a short description, e.g. the fee.
    public var planNote: String?
    public var outcome: Outcome
    /// The line's own request record for the change.
    public var requestID: Int64?
    public var reason: String?
    public var updatedAt: Date

    public init(
        operation: Int64, position: Int, line: SubscriberID, msisdn: MSISDN, planRefusal: String?, planNote: String?,
        outcome: Outcome, requestID: Int64?, reason: String?, updatedAt: Date
    ) {
        self.operation = operation
        self.position = position
        self.line = line
        self.msisdn = msisdn
        self.planRefusal = planRefusal
        self.planNote = planNote
        self.outcome = outcome
        self.requestID = requestID
        self.reason = reason
        self.updatedAt = updatedAt
    }
}

/// A line's plan as the dry run found it, before it is stored.
public struct BulkPlanLine: Sendable, Hashable {
    public var line: SubscriberID
    public var msisdn: MSISDN
    public var refusal: String?
    public var note: String?

    public init(line: SubscriberID, msisdn: MSISDN, refusal: String?, note: String?) {
        self.line = line
        self.msisdn = msisdn
        self.refusal = refusal
        self.note = note
    }
}
