import CabinetCore
import CabinetHTTP
import Corporate
import Foundation
import HTTPTypes
import Hummingbird
import Subscribers

/// The business cabinet's API, `/api/v1/corporate/…`: the public application, and for an admin (the session's own
/// number) the company, its lines, quotas, groups, admins and request history. Changes take `Idempotency-Key`.
struct CorporateAPIRoutes {
    let service: any CorporateService
    let regions: RegionCatalog
    let idempotency: IdempotentRequests

    /// The admin this request acts as: a session (401 without), its password set, its own number an admin (403).
    static func admin(_ context: CabinetRequestContext, service: any CorporateService) async throws -> AdminAccess {
        let session = try context.requireSession()
        if session.passwordChangeRequired { throw CabinetError(KernelError.passwordRequired) }
        return try await service.access(for: session)
    }

    static func msisdn(_ context: CabinetRequestContext) throws -> MSISDN {
        try MSISDNField.parse(context.parameters.get("msisdn") ?? "", field: "msisdn")
    }

    func add(to api: RouterGroup<CabinetRequestContext>) {
        api.post("corporate/applications") { request, context in
            let body = try await request.decodeJSON(as: ApplicationBody.self, context: context, limit: 16 * 1024)
            var problems: [FieldError] = []
            let phone = MSISDNField.parse(body.phone, field: "phone", into: &problems)
            guard let region = RegionID(rawValue: body.region) else {
                throw CabinetError.validation(
                    problems + [FieldError(field: "region", code: CorporateError.regionUnavailable)])
            }
            guard problems.isEmpty, let phone else { throw CabinetError.validation(problems) }
            let application = try await service.apply(
                ApplicationDraft(
                    region: region, city: body.city, companyName: body.companyName, inn: body.inn,
                    contactName: body.contactName, phone: phone, puk: body.puk),
                clientAddress: context.clientAddress)
            return try Response.json(ApplicationDTO(application), status: .created)
        }
        api.get("corporate/company") { _, context in
            let access = try await Self.admin(context, service: service)
            return try Response.json(MeDTO(company: CompanyDTO(access.company), admin: AdminDTO(access.admin)))
        }
        api.get("corporate/lines") { request, context in
            let access = try await Self.admin(context, service: service)
            let query = try PageQuery(request)
            let search = request.uri.queryParameters.get("q").map { String($0) }
            guard (search?.count ?? 0) <= 100 else {
                throw CabinetError.validation([FieldError(field: "q", code: KernelError.fieldInvalid)])
            }
            let group = try request.uri.queryParameters.get("group").map { text -> Int64 in
                guard let id = Int64(text) else {
                    throw CabinetError.validation([FieldError(field: "group", code: KernelError.fieldInvalid)])
                }
                return id
            }
            let rows = try await service.lines(
                access, search: search, group: group,
                after: try query.cursor { (text: String) -> MSISDN? in MSISDN(e164: text) },
                limit: query.fetchLimit)
            return try Response.json(Page(rows, query: query, cursor: \.line.msisdn.e164, item: CompanyLineDTO.init))
        }
        api.get("corporate/lines/:msisdn") { _, context in
            let access = try await Self.admin(context, service: service)
            let (line, requests) = try await service.line(access, msisdn: try Self.msisdn(context))
            return try Response.json(
                LineDetailDTO(line: CompanyLineDTO(line), requests: requests.map(QuotaRequestDTO.init)))
        }
        api.put("corporate/lines/:msisdn/quota") { request, context in
            let access = try await Self.admin(context, service: service)
            return try await idempotency.run(request, context: context, scope: "corporate:\(access.admin.id)") {
                request in
                let body = try await request.decodeJSON(as: QuotaBody.self, context: context)
                let msisdn = try Self.msisdn(context)
                let currency = regions.region(access.company.region)?.currency ?? .rub
                let limits = try CorporateForms.limits(
                    money: body.money, minutes: body.minutes.map(String.init), sms: body.sms.map(String.init),
                    megabytes: body.megabytes.map(String.init), policy: body.policy, currency: currency)
                let requested = try await service.requestQuota(access, msisdn: msisdn, limits: limits)
                return (.accepted, try JSONEncoder.apiBody(QuotaRequestDTO(requested)))
            }
        }
        api.delete("corporate/lines/:msisdn/quota") { request, context in
            let access = try await Self.admin(context, service: service)
            return try await idempotency.run(request, context: context, scope: "corporate:\(access.admin.id)") { _ in
                let requested = try await service.requestQuotaDeletion(access, msisdn: try Self.msisdn(context))
                return (.accepted, try JSONEncoder.apiBody(QuotaRequestDTO(requested)))
            }
        }
        api.put("corporate/lines/:msisdn/group") { request, context in
            let access = try await Self.admin(context, service: service)
            return try await idempotency.run(request, context: context, scope: "corporate:\(access.admin.id)") {
                request in
                let body = try await request.decodeJSON(as: MoveBody.self, context: context)
                let msisdn = try Self.msisdn(context)
                try await service.move(access, msisdn: msisdn, to: body.group)
                let (line, requests) = try await service.line(access, msisdn: msisdn)
                return (
                    .ok,
                    try JSONEncoder.apiBody(
                        LineDetailDTO(line: CompanyLineDTO(line), requests: requests.map(QuotaRequestDTO.init)))
                )
            }
        }
        api.get("corporate/groups") { _, context in
            let access = try await Self.admin(context, service: service)
            return try Response.json(["items": try await service.groups(access).map(GroupDTO.init)])
        }
        api.post("corporate/groups") { request, context in
            let access = try await Self.admin(context, service: service)
            return try await idempotency.run(request, context: context, scope: "corporate:\(access.admin.id)") {
                request in
                let body = try await request.decodeJSON(as: GroupBody.self, context: context)
                let group = try await service.createGroup(access, name: body.name)
                return (.created, try JSONEncoder.apiBody(GroupDTO(group)))
            }
        }
        api.delete("corporate/groups/:id") { request, context in
            let access = try await Self.admin(context, service: service)
            guard let id = context.parameters.get("id").flatMap({ Int64($0) }) else {
                throw CabinetError(CorporateError.groupNotFound)
            }
            return try await idempotency.run(request, context: context, scope: "corporate:\(access.admin.id)") { _ in
                try await service.deleteGroup(access, id: id)
                return (.ok, try JSONEncoder.apiBody(["deleted": id]))
            }
        }
        api.get("corporate/admins") { _, context in
            let access = try await Self.admin(context, service: service)
            return try Response.json(["items": try await service.admins(access).map(AdminDTO.init)])
        }
        api.post("corporate/admins") { request, context in
            let access = try await Self.admin(context, service: service)
            return try await idempotency.run(request, context: context, scope: "corporate:\(access.admin.id)") {
                request in
                let body = try await request.decodeJSON(as: AdminBody.self, context: context)
                let msisdn = try MSISDNField.parse(body.msisdn, field: "msisdn")
                let admin = try await service.addAdmin(
                    access,
                    AdminDraft(
                        msisdn: msisdn, name: body.name, scopes: try CorporateForms.scopes(body.scopes),
                        groups: Set(body.groups ?? [])))
                return (.created, try JSONEncoder.apiBody(AdminDTO(admin)))
            }
        }
        api.delete("corporate/admins/:id") { request, context in
            let access = try await Self.admin(context, service: service)
            guard let id = context.parameters.get("id").flatMap({ Int64($0) }) else {
                throw CabinetError(CorporateError.adminNotFound)
            }
            return try await idempotency.run(request, context: context, scope: "corporate:\(access.admin.id)") { _ in
                try await service.removeAdmin(access, id: id)
                return (.ok, try JSONEncoder.apiBody(["deleted": id]))
            }
        }
        api.get("corporate/requests") { request, context in
            let access = try await Self.admin(context, service: service)
            let query = try PageQuery(request)
            let rows = try await service.journal(
                access, before: try query.cursor { (text: String) -> Int64? in Int64(text) }, limit: query.fetchLimit)
            return try Response.json(
                Page(
                    rows, query: query, cursor: { String($0.entry.id) },
                    item: { JournalEntryDTO($0.entry, request: $0.request) }))
        }
    }
}
