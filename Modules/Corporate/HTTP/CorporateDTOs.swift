import CabinetCore
import CabinetHTTP
import Corporate
import Foundation
import Subscribers

struct CompanyDTO: Encodable, Sendable {
    var id: String
    var name: String
    var inn: String
    var kpp: String
    var legalAddress: String
    var region: String
    var contractNumber: String
    var createdAt: Date

    init(_ company: Company) {
        id = company.id.rawValue
        name = company.name
        inn = company.inn.rawValue
        kpp = company.kpp.rawValue
        legalAddress = company.legalAddress
        region = company.region.rawValue
        contractNumber = company.contractNumber
        createdAt = company.createdAt
    }
}

struct AdminDTO: Encodable, Sendable {
    var id: Int64
    var msisdn: String
    var name: String
    var scopes: [String]
    /// Empty: the whole company.
    var groups: [Int64]

    init(_ admin: CompanyAdmin) {
        id = admin.id
        msisdn = admin.msisdn.e164
        name = admin.name
        scopes = admin.scopes.map(\.rawValue).sorted()
        groups = admin.groups.sorted()
    }
}

struct MeDTO: Encodable, Sendable {
    var company: CompanyDTO
    var admin: AdminDTO
}

struct QuotaDTO: Encodable, Sendable {
    var money: Money?
    var minutes: Int?
    var sms: Int?
    var megabytes: Int?
    var policy: String

    init(_ limits: QuotaLimits) {
        money = limits.money
        minutes = limits.minutes
        sms = limits.sms
        megabytes = limits.megabytes
        policy = limits.policy.rawValue
    }
}

struct GroupDTO: Encodable, Sendable {
    var id: Int64
    var name: String
    var lineCount: Int

    init(_ group: LineGroup) {
        id = group.id
        name = group.name
        lineCount = group.lineCount
    }
}

struct CompanyLineDTO: Encodable, Sendable {
    struct AppliedQuota: Encodable, Sendable {
        var limits: QuotaDTO
        var request: String
        var appliedAt: Date
    }

    var msisdn: String
    var name: String?
    var status: String
    var group: GroupDTO?
    var tariff: String?
    var quota: AppliedQuota?
    var spentThisMonth: Money?

    init(_ row: CompanyLine) {
        msisdn = row.line.msisdn.e164
        name = row.line.owner.fullName
        status = row.line.status.rawValue
        group = row.group.map(GroupDTO.init)
        tariff = row.tariffName
        quota = row.quota.map {
            AppliedQuota(
                limits: QuotaDTO($0.limits), request: ServiceRequest.number(for: $0.requestID), appliedAt: $0.appliedAt)
        }
        spentThisMonth = row.spentThisMonth
    }
}

struct QuotaRequestDTO: Encodable, Sendable {
    var number: String
    var msisdn: String
    var action: String
    var limits: QuotaDTO?
    var status: String
    var reason: String?
    var createdAt: Date
    var updatedAt: Date

    init(_ request: QuotaRequest) {
        number = request.number
        msisdn = request.msisdn.e164
        action = request.action.rawValue
        limits = request.limits.map(QuotaDTO.init)
        status = request.status.rawValue
        reason = request.reason
        createdAt = request.createdAt
        updatedAt = request.updatedAt
    }
}

struct LineDetailDTO: Encodable, Sendable {
    var line: CompanyLineDTO
    var requests: [QuotaRequestDTO]
}

struct JournalEntryDTO: Encodable, Sendable {
    var number: String
    var action: String
    var target: String
    var admin: String
    var at: Date
    var status: String?

    init(_ entry: JournalEntry, request: ServiceRequest?) {
        number = ServiceRequest.number(for: entry.requestID)
        action = entry.action
        target = entry.target
        admin = entry.adminName
        at = entry.at
        status = request?.status.rawValue
    }
}

struct ApplicationDTO: Encodable, Sendable {
    var number: String
    var status: String
    var region: String
    var city: String
    var companyName: String
    var inn: String
    var contactName: String
    var phone: String
    var reason: String?
    var companyID: String?
    var createdAt: Date
    var decidedAt: Date?

    init(_ application: CompanyApplication) {
        number = application.number
        status = application.status.rawValue
        region = application.region.rawValue
        city = application.city
        companyName = application.companyName
        inn = application.inn.rawValue
        contactName = application.contactName
        phone = application.phone.e164
        reason = application.reason
        companyID = application.companyID?.rawValue
        createdAt = application.createdAt
        decidedAt = application.decidedAt
    }
}

// MARK: - Bodies

struct QuotaBody: Decodable, Sendable {
    /// A money limit such as `"1500.00"` in the line's region's currency.
    var money: String?
    var minutes: Int?
    var sms: Int?
    var megabytes: Int?
    var policy: String?
}

struct GroupBody: Decodable, Sendable {
    var name: String
}

struct MoveBody: Decodable, Sendable {
    /// The group's id, or `null` for none.
    var group: Int64?
}

struct AdminBody: Decodable, Sendable {
    var msisdn: String
    var name: String
    var scopes: [String]
    var groups: [Int64]?
}

struct ApplicationBody: Decodable, Sendable {
    var region: String
    var city: String
    var companyName: String
    var inn: String
    var contactName: String
    var phone: String
    var puk: String
}

struct ApproveBody: Decodable, Sendable {
    var companyID: String?
    var kpp: String
    var legalAddress: String
    var contractNumber: String?
}

struct RejectBody: Decodable, Sendable {
    var reason: String
}

enum CorporateForms {
    /// A quota from the API's or the form's fields; problems named by field.
    static func limits(
        money: String?, minutes: String?, sms: String?, megabytes: String?, policy: String?,
        currency: Currency
    ) throws -> QuotaLimits {
        var problems: [FieldError] = []
        var amount: Money?
        if let money = money?.trimmingCharacters(in: .whitespaces), !money.isEmpty {
            switch Result(catching: { () throws(MoneyError) -> Money in
                try Money(parsingDisplay: money, currency: currency)
            }) {
            case .success(let value): amount = value
            case .failure: problems.append(FieldError(field: "money", code: CorporateError.quotaInvalid))
            }
        }
        func count(_ text: String?, _ field: String) -> Int? {
            guard let text = text?.trimmingCharacters(in: .whitespaces), !text.isEmpty else { return nil }
            guard let value = Int(text) else {
                problems.append(FieldError(field: field, code: CorporateError.quotaInvalid))
                return nil
            }
            return value
        }
        let limits = QuotaLimits(
            money: amount, minutes: count(minutes, "minutes"), sms: count(sms, "sms"),
            megabytes: count(megabytes, "megabytes"),
            policy: QuotaLimits.Policy(rawValue: policy ?? "block") ?? .block)
        if let policy, !policy.isEmpty, QuotaLimits.Policy(rawValue: policy) == nil {
            problems.append(FieldError(field: "policy", code: KernelError.fieldInvalid))
        }
        guard problems.isEmpty else { throw CabinetError.validation(problems) }
        return limits
    }

    static func scopes(_ names: [String]) throws -> Set<AdminScope> {
        var scopes: Set<AdminScope> = []
        for name in names {
            guard let scope = AdminScope(rawValue: name) else {
                throw CabinetError.validation([FieldError(field: "scopes", code: KernelError.fieldInvalid)])
            }
            scopes.insert(scope)
        }
        return scopes
    }
}
