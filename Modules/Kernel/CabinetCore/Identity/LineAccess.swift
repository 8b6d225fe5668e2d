public import Foundation

/// What a person may do on a line that is not their own: granted by the owner through delegated access.
public enum AccessScope: String, Sendable, Hashable, CaseIterable, Codable {
    /// See balance, remainders, usage and statements.
    case viewBalance
    /// Top up from a new card or a wallet, take a promised payment, order paid statements.
    case pay
    /// Change tariff, connect and disconnect options, black list, block the SIM.
    case manageServices
    /// Send money out of the line: transfers to other lines, charges of its saved cards, auto-payment set-up (and
    /// gigabytes given away). A delegation carries it only when the owner grants it explicitly, and each such action
    /// on a line that is not the session's own needs a code sent to that line's number.
    case moveMoney
}

/// The line a request acts on and by what right: the session's own line, a number linked to the same person,
/// or a line whose owner delegated scoped rights. Every module authorises against this, never against a number
/// in the URL or body.
public struct LineAccess: Sendable, Hashable {
    public enum Relation: Sendable, Hashable {
        /// The line the session logged in with.
        case own
        /// Another number the same person linked (confirmed by a code sent to it).
        case linked
        /// The owner granted rights until `expiresAt`.
        case delegated(expiresAt: Date)
    }

    public var subscriberID: SubscriberID
    public var msisdn: MSISDN
    public var region: RegionID
    public var relation: Relation
    public var scopes: Set<AccessScope>
    /// The line's status when the request was authenticated (a page shows it without asking Subscribers again).
    public var status: LineStatus

    public init(
        subscriberID: SubscriberID, msisdn: MSISDN, region: RegionID, relation: Relation, scopes: Set<AccessScope>,
        status: LineStatus = .active
    ) {
        self.subscriberID = subscriberID
        self.msisdn = msisdn
        self.region = region
        self.relation = relation
        self.scopes = scopes
        self.status = status
    }

    /// Full rights on one's own and linked lines.
    public static func owned(
        _ subscriberID: SubscriberID, msisdn: MSISDN, region: RegionID, linked: Bool = false,
        status: LineStatus = .active
    ) -> LineAccess {
        LineAccess(
            subscriberID: subscriberID, msisdn: msisdn, region: region, relation: linked ? .linked : .own,
            scopes: Set(AccessScope.allCases), status: status)
    }

    /// Throws `auth.scopeMissing` (403) unless `scope` was granted.
    public func require(_ scope: AccessScope) throws(CabinetError) {
        guard scopes.contains(scope) else {
            throw CabinetError(
                KernelError.scopeMissing, arguments: ["scope": scope.rawValue, "msisdn": msisdn.formatted])
        }
    }
}

/// The authenticated session a request carries, as other modules see it.
public struct SessionInfo: Sendable, Hashable {
    /// Stable id of the session row (not the secret token).
    public var id: String
    /// The line the person logged in with.
    public var subscriberID: SubscriberID
    public var msisdn: MSISDN
    /// When a fresh SMS code was last confirmed in this session (step-up), if ever.
    public var steppedUpAt: Date?
    /// The line whose number received that code: a step-up vouches for that line only.
    public var steppedUpFor: SubscriberID?
    /// Set after a PUK login: the person must choose a password before anything else.
    public var passwordChangeRequired: Bool
    /// Per-session secret that forms carry against cross-site request forgery.
    public var csrfToken: String

    public init(
        id: String, subscriberID: SubscriberID, msisdn: MSISDN, steppedUpAt: Date?, steppedUpFor: SubscriberID? = nil,
        passwordChangeRequired: Bool, csrfToken: String
    ) {
        self.id = id
        self.subscriberID = subscriberID
        self.msisdn = msisdn
        self.steppedUpAt = steppedUpAt
        self.steppedUpFor = steppedUpAt == nil ? nil : steppedUpFor ?? subscriberID
        self.passwordChangeRequired = passwordChangeRequired
        self.csrfToken = csrfToken
    }
}
