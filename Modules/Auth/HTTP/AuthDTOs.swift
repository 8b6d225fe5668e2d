import Auth
import CabinetCore
import Foundation

struct NumberBody: Decodable, Sendable { var msisdn: String }
struct CodeBody: Decodable, Sendable { var msisdn: String; var code: String }
struct PasswordLoginBody: Decodable, Sendable { var msisdn: String; var password: String }
struct PUKBody: Decodable, Sendable { var msisdn: String; var puk: String }
struct ResetBody: Decodable, Sendable { var msisdn: String; var code: String; var password: String }
struct OnlyCode: Decodable, Sendable { var code: String }
struct SetPasswordBody: Decodable, Sendable { var password: String; var currentPassword: String? }
struct LinkConfirmBody: Decodable, Sendable { var msisdn: String; var code: String }
struct GrantBody: Decodable, Sendable { var grantee: String; var scopes: [String]; var expiresOn: String }
struct PushAnswerBody: Decodable, Sendable { var confirmed: Bool }
struct PUKProvisionBody: Decodable, Sendable { var puk: String }

struct CodeSentDTO: Encodable, Sendable {
    var resendAt: Date
    var codeLength: Int
    var expiresInSeconds: Int

    init(_ sent: CodeSent) {
        resendAt = sent.resendAt
        codeLength = sent.codeLength
        expiresInSeconds = Int(sent.expiresIn.timeInterval)
    }
}

struct TokenDTO: Encodable, Sendable {
    var token: String
    var expiresAt: Date
    var idleTimeoutSeconds: Int
    var passwordRequired: Bool
    var msisdn: String

    init(token: String, session: AuthSession) {
        self.token = token
        expiresAt = session.expiresAt
        idleTimeoutSeconds = Int(session.idleTimeout.timeInterval)
        passwordRequired = session.passwordRequired
        msisdn = session.msisdn.e164
    }
}

struct SessionDTO: Encodable, Sendable {
    var id: String
    var current: Bool
    var method: String
    var createdAt: Date
    var lastSeenAt: Date
    var userAgent: String?
    var address: String?
}

struct JournalDTO: Encodable, Sendable {
    var id: Int64?
    var at: Date
    var event: String
    var method: String?
    var address: String?
    var userAgent: String?
    var detail: String?
}

struct LineDTO: Encodable, Sendable {
    var msisdn: String
    var region: String
    var relation: String
    var scopes: [String]
    var expiresAt: Date?
    var current: Bool
    var ownerName: String?

    init(_ line: AccessibleLine) {
        msisdn = line.access.msisdn.e164
        region = line.access.region.rawValue
        switch line.access.relation {
        case .own: relation = "own"
        case .linked: relation = "linked"
        case .delegated(let until):
            relation = "delegated"
            expiresAt = until
        }
        scopes = line.access.scopes.map(\.rawValue).sorted()
        current = line.isCurrent
        ownerName = line.access.relation == .own || line.access.relation == .linked ? line.ownerName : nil
    }
}

struct DelegationDTO: Encodable, Sendable {
    var id: Int64
    var owner: String
    var grantee: String
    var scopes: [String]
    var createdAt: Date
    var expiresAt: Date
    var revokedAt: Date?

    init(_ delegation: Delegation) {
        id = delegation.id
        owner = delegation.ownerMSISDN.e164
        grantee = delegation.grantee.e164
        scopes = delegation.scopes.map(\.rawValue).sorted()
        createdAt = delegation.createdAt
        expiresAt = delegation.expiresAt
        revokedAt = delegation.revokedAt
    }
}

struct ProfileDTO: Encodable, Sendable {
    var msisdn: String
    var fullName: String?
    var email: String?
    var emailConfirmed: Bool
    var contactNumber: String?
    var postalAddress: String?
    var completenessPercent: Int
}
