public import CabinetCore
public import Foundation

/// What an admin may do (TMF672-style roles).
public enum AdminScope: String, Sendable, Hashable, CaseIterable, Codable {
    /// Everything, including the company's admins.
    case owner
    /// Documents, reports and payments.
    case finance
    /// Lines, groups, quotas, options and bulk changes.
    case lines
    /// Looks only.
    case readOnly
}

/// An action an admin asks for, checked against the admin's scopes.
public enum CorporateAction: String, Sendable, Hashable {
    case view
    case manageLines
    case manageAdmins
    case finance

    /// Whether any of `scopes` allows the action.
    public func isAllowed(by scopes: Set<AdminScope>) -> Bool {
        if scopes.contains(.owner) { return true }
        switch self {
        case .view: return !scopes.isEmpty
        case .manageLines: return scopes.contains(.lines)
        case .finance: return scopes.contains(.finance)
        case .manageAdmins: return false
        }
    }
}

/// A group of a company's lines: a department or a cost centre.
public struct LineGroup: Sendable, Hashable, Identifiable {
    public var id: Int64
    public var company: CompanyID
    public var name: String
    public var lineCount: Int

    public init(id: Int64, company: CompanyID, name: String, lineCount: Int) {
        self.id = id
        self.company = company
        self.name = name
        self.lineCount = lineCount
    }
}

/// A person who manages a company in the business cabinet, by a designated number they log in with.
public struct CompanyAdmin: Sendable, Hashable, Identifiable {
    public var id: Int64
    public var company: CompanyID
    public var msisdn: MSISDN
    public var name: String
    public var scopes: Set<AdminScope>
    /// The groups the admin manages; empty: the whole company.
    public var groups: Set<Int64>
    public var createdAt: Date

    public init(
        id: Int64, company: CompanyID, msisdn: MSISDN, name: String, scopes: Set<AdminScope>, groups: Set<Int64>,
        createdAt: Date
    ) {
        self.id = id
        self.company = company
        self.msisdn = msisdn
        self.name = name
        self.scopes = scopes
        self.groups = groups
        self.createdAt = createdAt
    }

    /// Whether the admin sees a line in `group` (`nil`: in no group).
    public func sees(group: Int64?) -> Bool {
        guard !groups.isEmpty else { return true }
        return group.map(groups.contains) ?? false
    }
}

/// A new admin as an owner names them.
public struct AdminDraft: Sendable, Hashable {
    public var msisdn: MSISDN
    public var name: String
    public var scopes: Set<AdminScope>
    public var groups: Set<Int64>

    public init(msisdn: MSISDN, name: String, scopes: Set<AdminScope>, groups: Set<Int64> = []) {
        self.msisdn = msisdn
        self.name = name
        self.scopes = scopes
        self.groups = groups
    }
}

/// The admin a request acts as, with their company: resolved from the session's own number on every request, never
/// from anything in the URL or body.
public struct AdminAccess: Sendable, Hashable {
    public var admin: CompanyAdmin
    public var company: Company
    /// The admin's own line (the request records of company-wide actions are theirs).
    public var line: SubscriberID

    public init(admin: CompanyAdmin, company: Company, line: SubscriberID) {
        self.admin = admin
        self.company = company
        self.line = line
    }

    /// Throws `corporate.scopeMissing` (403) unless the admin's scopes allow `action`.
    public func require(_ action: CorporateAction) throws(CabinetError) {
        guard action.isAllowed(by: admin.scopes) else {
            throw CabinetError(CorporateError.scopeMissing, arguments: ["action": action.rawValue])
        }
    }
}
