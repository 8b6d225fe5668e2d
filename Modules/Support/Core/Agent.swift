public import CabinetCore
public import Foundation

/// A support agent's id.
public struct AgentID: RawRepresentable, Hashable, Sendable, Codable, CustomStringConvertible {
    public let rawValue: Int64
    public init(rawValue: Int64) { self.rawValue = rawValue }
    public init(_ value: Int64) { self.rawValue = value }
    public var description: String { String(rawValue) }
}

/// A member of the operator's support staff. Agents are created by the operator (`cabinet agents add`, the operator
/// API), log in with a password and a TOTP code at `/agent`, and see only the tickets of the regions they serve.
public struct Agent: Sendable, Hashable, Identifiable {
    public enum Role: String, Sendable, Hashable, CaseIterable, Codable {
        case agent
        /// Also reassigns any ticket and approves compensation above the agents' limit.
        case supervisor
    }

    public var id: AgentID
    public var login: String
    public var name: String
    public var role: Role
    public var regions: Set<RegionID>
    public var disabled: Bool
    /// Whether the authenticator app was confirmed with a first code.
    public var enrolled: Bool
    /// Whether the agent chose their own password (the operator's first one works only to set it).
    public var passwordSet: Bool
    public var createdAt: Date

    public init(
        id: AgentID, login: String, name: String, role: Role, regions: Set<RegionID>, disabled: Bool, enrolled: Bool,
        passwordSet: Bool = false, createdAt: Date
    ) {
        self.id = id
        self.login = login
        self.name = name
        self.role = role
        self.regions = regions
        self.disabled = disabled
        self.enrolled = enrolled
        self.passwordSet = passwordSet
        self.createdAt = createdAt
    }

    public func serves(_ region: RegionID) -> Bool { regions.contains(region) }

    /// A login: 3–32 lowercase Latin letters, digits, dots and hyphens.
    public static func isValidLogin(_ login: String) -> Bool {
        (3...32).contains(login.count)
            && login.allSatisfy { $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "." || $0 == "-") }
    }
}

/// What the operator gets once when an agent is created: the first password and the authenticator secret.
public struct AgentCredentials: Sendable, Hashable {
    public var agent: Agent
    public var password: String
    /// Base32, as an authenticator app takes it by hand.
    public var totpSecret: String
    /// `otpauth://…` for a QR code.
    public var provisioningURI: String

    public init(agent: Agent, password: String, totpSecret: String, provisioningURI: String) {
        self.agent = agent
        self.password = password
        self.totpSecret = totpSecret
        self.provisioningURI = provisioningURI
    }
}

/// A logged-in agent: the session token is in the `cabinet_agent` cookie (path `/agent`), only its hash is stored.
public struct AgentSession: Sendable, Hashable {
    public var agent: Agent
    public var csrfToken: String
    public var expiresAt: Date

    public init(agent: Agent, csrfToken: String, expiresAt: Date) {
        self.agent = agent
        self.csrfToken = csrfToken
        self.expiresAt = expiresAt
    }
}

/// The result of a password-and-code login.
public enum AgentLoginResult: Sendable, Hashable {
    case session(token: String, AgentSession)
    /// The password was right and no authenticator is enrolled yet: show the secret, ask for its first code.
    case enrolmentNeeded(secret: String, provisioningURI: String)
}

/// An agent's action as the journal keeps it.
public struct AgentJournalEntry: Sendable, Hashable {
    public var agent: AgentID
    public var at: Date
    /// `login`, `login.failed`, `ticket.view`, `ticket.reply`, `ticket.note`, `ticket.status`, `ticket.take`,
    /// `ticket.handover`, `compensation.approve`, `compensation.reject`, `logout`.
    public var action: String
    public var ticketID: Int64?
    public var subscriberID: SubscriberID?
    public var detail: String?

    public init(
        agent: AgentID, at: Date, action: String, ticketID: Int64? = nil, subscriberID: SubscriberID? = nil,
        detail: String? = nil
    ) {
        self.agent = agent
        self.at = at
        self.action = action
        self.ticketID = ticketID
        self.subscriberID = subscriberID
        self.detail = detail
    }
}
