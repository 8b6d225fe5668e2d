import CabinetCore
import CabinetHTTP
import Corporate
import Foundation
import Hummingbird
import Subscribers

/// The business cabinet's pages, `/business…`: the public application form, then for an admin the company, «Абоненты»
/// (search, group filter), a line's page with its quota block and group, groups, «История заявок» and admins.
struct CorporateWebRoutes {
    let service: any CorporateService
    let regions: RegionCatalog
    let renderer: WebRenderer

    var catalog: MessageCatalog { renderer.catalog }

    func t(_ key: String, _ context: CabinetRequestContext, _ arguments: [String: String] = [:]) -> String {
        catalog.text(key, in: context.language, arguments: arguments)
    }

    func add(to web: RouterGroup<CabinetRequestContext>) {
        web.get("business/apply") { _, context in
            applyPage(context, fields: [:], error: nil, filed: nil)
        }
        web.post("business/apply") { request, context in
            // No anti-forgery token before a login: the form does nothing without the SIM's PUK.
            let fields = try await request.formFields(limit: 16 * 1024)
            do {
                let phone = try MSISDNField.parse(fields["phone"] ?? "", field: "phone")
                guard let region = RegionID(rawValue: fields["region"] ?? "") else {
                    throw CabinetError.validation([FieldError(field: "region", code: CorporateError.regionUnavailable)])
                }
                let application = try await service.apply(
                    ApplicationDraft(
                        region: region, city: fields["city"] ?? "", companyName: fields["companyName"] ?? "",
                        inn: fields["inn"] ?? "", contactName: fields["contactName"] ?? "", phone: phone,
                        puk: fields["puk"] ?? ""),
                    clientAddress: context.clientAddress)
                return applyPage(context, fields: [:], error: nil, filed: application)
            } catch let error as CabinetError where error.kind != .internal {
                var safe = fields
                safe["puk"] = nil
                var response = applyPage(
                    context, fields: safe, error: WebForms.explain(error, catalog: catalog, language: context.language),
                    filed: nil)
                response.status = error.kind.httpStatus
                return response
            }
        }
        web.get("business") { _, context in
            let session = try context.requireSession()
            if session.passwordChangeRequired { throw CabinetError(KernelError.passwordRequired) }
            let access: AdminAccess
            do {
                access = try await service.access(for: session)
            } catch let error as CabinetError where error.code == CorporateError.notAdmin {
                return renderer.render(
                    "business-none", title: t("web.business.title", context), context: context,
                    data: ["reason": catalog.message(for: error, in: context.language)], status: .forbidden,
                    path: "/business")
            }
            return try await homePage(access, context)
        }
        web.get("business/lines") { request, context in
            let access = try await CorporateAPIRoutes.admin(context, service: service)
            return try await linesPage(access, request, context)
        }
        web.get("business/lines/:msisdn") { request, context in
            let access = try await CorporateAPIRoutes.admin(context, service: service)
            let notice = request.uri.queryParameters.get("request").map {
                t("web.business.quota.accepted", context, ["number": String($0)])
            }
            return try await linePage(
                access, msisdn: try CorporateAPIRoutes.msisdn(context), context, notice: notice, error: nil)
        }
        lineAction(web, "quota") { access, msisdn, fields in
            let currency = regions.region(access.company.region)?.currency ?? .rub
            let limits = try CorporateForms.limits(
                money: fields["money"], minutes: fields["minutes"], sms: fields["sms"],
                megabytes: fields["megabytes"], policy: fields["policy"], currency: currency)
            let requested = try await service.requestQuota(access, msisdn: msisdn, limits: limits)
            return "/business/lines/\(msisdn.e164)?request=\(requested.number)"
        }
        lineAction(web, "quota/delete") { access, msisdn, _ in
            let requested = try await service.requestQuotaDeletion(access, msisdn: msisdn)
            return "/business/lines/\(msisdn.e164)?request=\(requested.number)"
        }
        lineAction(web, "group") { access, msisdn, fields in
            let text = fields["group"] ?? ""
            let group = text.isEmpty ? nil : Int64(text)
            if group == nil, !text.isEmpty { throw CabinetError(CorporateError.groupNotFound) }
            try await service.move(access, msisdn: msisdn, to: group)
            return "/business/lines/\(msisdn.e164)"
        }
        web.get("business/groups") { _, context in
            let access = try await CorporateAPIRoutes.admin(context, service: service)
            return try await groupsPage(access, context, error: nil)
        }
        web.post("business/groups") { request, context in
            let access = try await CorporateAPIRoutes.admin(context, service: service)
            return try await WebForms.action(
                request, context, catalog: catalog, page: { try await groupsPage(access, context, error: $0) }
            ) { fields in
                _ = try await service.createGroup(access, name: fields["name"] ?? "")
                return .seeOther(to: "/business/groups")
            }
        }
        web.post("business/groups/:id/delete") { request, context in
            let access = try await CorporateAPIRoutes.admin(context, service: service)
            return try await WebForms.action(
                request, context, catalog: catalog, page: { try await groupsPage(access, context, error: $0) }
            ) { _ in
                try await service.deleteGroup(access, id: context.parameters.get("id").flatMap { Int64($0) } ?? 0)
                return .seeOther(to: "/business/groups")
            }
        }
        web.get("business/requests") { request, context in
            let access = try await CorporateAPIRoutes.admin(context, service: service)
            let query = try PageQuery(request)
            let cursor: Int64? = try query.cursor { (text: String) -> Int64? in Int64(text) }
            let found = try await service.journal(access, before: cursor, limit: query.fetchLimit)
            let rows = Array(found.prefix(query.limit))
            let nextCursor = found.count > query.limit ? rows.last.map { String($0.entry.id) } : nil
            let items = rows.map { row -> [String: Any] in
                [
                    "number": ServiceRequest.number(for: row.entry.requestID),
                    "action": t("web.business.action.\(row.entry.action)", context),
                    "target": row.entry.target, "admin": row.entry.adminName,
                    "at": format(row.entry.at, access, context),
                    "status": row.request.map { t("requests.status.\($0.status.rawValue)", context) } ?? "—",
                    "statusCode": row.request?.status.rawValue ?? "",
                    "reason": row.request?.detail.flatMap {
                        catalog.contains($0, in: context.language) ? t($0, context) : nil
                    } ?? "",
                ]
            }
            return renderer.render(
                "business-requests", title: t("web.business.requests", context), context: context,
                data: [
                    "company": access.company.name, "items": items, "none": items.isEmpty,
                    "next": nextCursor ?? "", "hasNext": nextCursor != nil,
                ], path: "/business")
        }
        web.get("business/admins") { _, context in
            let access = try await CorporateAPIRoutes.admin(context, service: service)
            return try await adminsPage(access, context, error: nil)
        }
        web.post("business/admins") { request, context in
            let access = try await CorporateAPIRoutes.admin(context, service: service)
            return try await WebForms.action(
                request, context, catalog: catalog, page: { try await adminsPage(access, context, error: $0) }
            ) { fields in
                let msisdn = try MSISDNField.parse(fields["msisdn"] ?? "", field: "msisdn")
                let scope = try CorporateForms.scopes([fields["scope"] ?? ""])
                let groups = (fields["group"] ?? "").isEmpty ? [] : Set([Int64(fields["group"] ?? "") ?? -1])
                _ = try await service.addAdmin(
                    access, AdminDraft(msisdn: msisdn, name: fields["name"] ?? "", scopes: scope, groups: groups))
                return .seeOther(to: "/business/admins")
            }
        }
        web.post("business/admins/:id/delete") { request, context in
            let access = try await CorporateAPIRoutes.admin(context, service: service)
            return try await WebForms.action(
                request, context, catalog: catalog, page: { try await adminsPage(access, context, error: $0) }
            ) { _ in
                try await service.removeAdmin(access, id: context.parameters.get("id").flatMap { Int64($0) } ?? 0)
                return .seeOther(to: "/business/admins")
            }
        }
    }

    /// A form posted from a line's page (`/business/lines/{msisdn}/<action>`): the admin, the line's number and the
    /// fields go to `body`, which answers where to go next; a refusal shows the line's page with the reason.
    func lineAction(
        _ web: RouterGroup<CabinetRequestContext>, _ action: String,
        _ body: @escaping @Sendable (AdminAccess, MSISDN, [String: String]) async throws -> String
    ) {
        web.post("business/lines/:msisdn/\(action)") { request, context in
            let access = try await CorporateAPIRoutes.admin(context, service: service)
            let msisdn = try CorporateAPIRoutes.msisdn(context)
            return try await WebForms.action(
                request, context, catalog: catalog,
                page: { try await linePage(access, msisdn: msisdn, context, notice: nil, error: $0) }
            ) { fields in .seeOther(to: try await body(access, msisdn, fields)) }
        }
    }

    // MARK: Pages

    func format(_ date: Date, _ access: AdminAccess, _ context: CabinetRequestContext) -> String {
        let style = Date.FormatStyle(date: .numeric, time: .shortened)
            .locale(Locale(identifier: context.language == .ru ? "ru_RU" : "en_GB"))
        var zoned = style
        zoned.timeZone = regions.region(access.company.region)?.timeZone ?? .gmt
        return date.formatted(zoned)
    }

    func money(_ value: Money?) -> String {
        value.map { "\($0.amountString) \($0.currency.code)" } ?? "—"
    }

    func scopes(_ admin: CompanyAdmin, _ context: CabinetRequestContext) -> String {
        admin.scopes.map(\.rawValue).sorted().map { t("web.business.scope.\($0)", context) }.joined(separator: ", ")
    }

    func applyPage(
        _ context: CabinetRequestContext, fields: [String: String], error: String?, filed: CompanyApplication?
    ) -> Response {
        let options = regions.regions.filter { $0.isEnabled(CorporateModule.id) }.map { region -> [String: Any] in
            [
                "id": region.id.rawValue, "name": region.name.text(in: context.language),
                "selected": fields["region"] == region.id.rawValue,
            ]
        }
        var data: [String: Any] = ["regions": options, "fields": fields]
        if let error { data["error"] = error }
        if let filed {
            data["filed"] = t("web.business.apply.filed", context, ["number": filed.number])
        }
        return renderer.render(
            "business-apply", title: t("web.business.apply.title", context), context: context, data: data,
            path: "/business/apply")
    }

    func homePage(_ access: AdminAccess, _ context: CabinetRequestContext) async throws -> Response {
        let company = access.company
        let groups = try await service.groups(access)
        return renderer.render(
            "business", title: t("web.business.title", context), context: context,
            data: [
                "company": [
                    "name": company.name, "inn": company.inn.rawValue, "kpp": company.kpp.rawValue,
                    "address": company.legalAddress, "contract": company.contractNumber,
                ],
                "admin": ["name": access.admin.name, "scopes": scopes(access.admin, context)],
                "groupCount": groups.count, "isOwner": access.admin.scopes.contains(.owner),
                "canFinance": CorporateAction.finance.isAllowed(by: access.admin.scopes) && access.admin.groups.isEmpty,
            ], path: "/business")
    }

    func linesPage(_ access: AdminAccess, _ request: Request, _ context: CabinetRequestContext) async throws
        -> Response
    {
        let query = try PageQuery(request)
        let search = request.uri.queryParameters.get("q").map { String($0) } ?? ""
        let group = request.uri.queryParameters.get("group").flatMap { Int64(String($0)) }
        let cursor: MSISDN? = try query.cursor { (text: String) -> MSISDN? in MSISDN(e164: text) }
        var rows = try await service.lines(
            access, search: search.isEmpty ? nil : String(search.prefix(100)), group: group, after: cursor,
            limit: query.fetchLimit)
        let more = rows.count > query.limit
        rows = Array(rows.prefix(query.limit))
        let groups = try await service.groups(access)
        var next = "/business/lines?cursor=" + (rows.last?.line.msisdn.e164 ?? "")
        if !search.isEmpty {
            next += "&q=" + (search.addingPercentEncoding(withAllowedCharacters: CharacterSet.alphanumerics) ?? "")
        }
        if let group { next += "&group=\(group)" }
        let lines = rows.map { row in lineRow(row, context) }
        let groupOptions = groups.map { item -> [String: Any] in
            ["id": item.id, "name": item.name, "selected": item.id == group]
        }
        let data: [String: Any] = [
            "company": access.company.name, "q": search, "groups": groupOptions, "lines": lines,
            "none": lines.isEmpty, "hasNext": more, "next": next,
        ]
        return renderer.render(
            "business-lines", title: t("web.business.lines", context), context: context, data: data, path: "/business")
    }

    func lineRow(_ row: CompanyLine, _ context: CabinetRequestContext) -> [String: Any] {
        var quota = "—"
        if let limits = row.quota?.limits {
            quota = limits.money.map { money($0) } ?? t("web.business.quota.packages", context)
        }
        return [
            "msisdn": row.line.msisdn.e164, "formatted": row.line.msisdn.formatted,
            "name": row.line.owner.fullName ?? "—", "group": row.group?.name ?? "—",
            "tariff": row.tariffName ?? "—", "spent": money(row.spentThisMonth), "quota": quota,
            "status": t("web.business.status.\(row.line.status.rawValue)", context),
        ]
    }

    func linePage(
        _ access: AdminAccess, msisdn: MSISDN, _ context: CabinetRequestContext, notice: String?, error: String?
    ) async throws -> Response {
        let (row, requests) = try await service.line(access, msisdn: msisdn)
        let groups = try await service.groups(access)
        let limits = row.quota?.limits
        let quota: [String: String] = [
            "money": money(limits?.money), "minutes": limits?.minutes.map { String($0) } ?? "—",
            "sms": limits?.sms.map { String($0) } ?? "—", "megabytes": limits?.megabytes.map { String($0) } ?? "—",
            "policy": limits.map { t("web.business.policy.\($0.policy.rawValue)", context) } ?? "",
            "request": row.quota.map { ServiceRequest.number(for: $0.requestID) } ?? "",
        ]
        let form: [String: Any] = [
            "money": limits?.money?.amountString ?? "", "minutes": limits?.minutes.map { String($0) } ?? "",
            "sms": limits?.sms.map { String($0) } ?? "", "megabytes": limits?.megabytes.map { String($0) } ?? "",
            "personal": limits?.policy == .personal,
        ]
        let groupOptions = groups.map { item -> [String: Any] in
            ["id": item.id, "name": item.name, "selected": item.id == row.group?.id]
        }
        let requestRows = requests.map { request -> [String: Any] in
            [
                "number": request.number, "action": t("web.business.action.quota.\(request.action.rawValue)", context),
                "status": t("requests.status.\(request.status.rawValue)", context),
                "statusCode": request.status.rawValue, "at": format(request.updatedAt, access, context),
                "reason": request.reason.map { t($0, context) } ?? "",
            ]
        }
        var data: [String: Any] = [
            "msisdn": row.line.msisdn.e164, "formatted": row.line.msisdn.formatted,
            "name": row.line.owner.fullName ?? "—", "tariff": row.tariffName ?? "—",
            "spent": money(row.spentThisMonth), "company": access.company.name,
            "status": t("web.business.status.\(row.line.status.rawValue)", context),
            "hasQuota": row.quota != nil,
            "quota": quota, "form": form,
            "currency": regions.region(access.company.region)?.currency.code ?? "RUB",
            "canChange": CorporateAction.manageLines.isAllowed(by: access.admin.scopes),
            "csrf": context.session?.csrfToken ?? "",
            "groups": groupOptions, "requests": requestRows,
            "hasRequests": !requests.isEmpty,
        ]
        if let notice { data["notice"] = notice }
        if let error { data["error"] = error }
        return renderer.render(
            "business-line", title: row.line.msisdn.formatted, context: context, data: data,
            status: error == nil ? .ok : .badRequest, path: "/business")
    }

    func groupsPage(_ access: AdminAccess, _ context: CabinetRequestContext, error: String?) async throws -> Response {
        let groups = try await service.groups(access)
        var data: [String: Any] = [
            "company": access.company.name,
            "groups": groups.map { ["id": $0.id, "name": $0.name, "count": $0.lineCount] as [String: Any] },
            "none": groups.isEmpty, "csrf": context.session?.csrfToken ?? "",
            "canChange": CorporateAction.manageLines.isAllowed(by: access.admin.scopes) && access.admin.groups.isEmpty,
        ]
        if let error { data["error"] = error }
        return renderer.render(
            "business-groups", title: t("web.business.groups", context), context: context, data: data,
            status: error == nil ? .ok : .badRequest, path: "/business")
    }

    func adminsPage(_ access: AdminAccess, _ context: CabinetRequestContext, error: String?) async throws -> Response {
        let admins = try await service.admins(access)
        let groups = try await service.groups(access)
        let names = Dictionary(groups.map { ($0.id, $0.name) }, uniquingKeysWith: { a, _ in a })
        var data: [String: Any] = [
            "company": access.company.name, "csrf": context.session?.csrfToken ?? "",
            "admins": admins.map { admin -> [String: Any] in
                [
                    "id": admin.id, "name": admin.name, "msisdn": admin.msisdn.formatted,
                    "scopes": scopes(admin, context),
                    "groups": admin.groups.isEmpty
                        ? t("web.business.allGroups", context)
                        : admin.groups.compactMap { names[$0] }.sorted().joined(separator: ", "),
                    "me": admin.id == access.admin.id,
                ]
            },
            "scopes": AdminScope.allCases.map {
                ["id": $0.rawValue, "name": t("web.business.scope.\($0.rawValue)", context)]
            },
            "groups": groups.map { ["id": $0.id, "name": $0.name] as [String: Any] },
        ]
        if let error { data["error"] = error }
        return renderer.render(
            "business-admins", title: t("web.business.admins", context), context: context, data: data,
            status: error == nil ? .ok : .badRequest, path: "/business")
    }
}
