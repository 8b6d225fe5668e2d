import CabinetCore
import CabinetHTTP
import Corporate
import Foundation
import HTTPTypes
import Hummingbird
import Services
import Tariffs

/// Bulk operations in the API (`/api/v1/corporate/bulk…`) and on the pages (`/business/bulk…`): the dry run, the
/// start, the progress and the report (CSV: line, outcome, request number, reason).
struct BulkRoutes {
    let service: any CorporateService
    let regions: RegionCatalog
    let renderer: WebRenderer
    let idempotency: IdempotentRequests

    var catalog: MessageCatalog { renderer.catalog }

    struct BulkBody: Decodable, Sendable {
        /// `changeTariff`, `connectOption`, `disconnectOption`, `setQuota`, `removeQuota`, `sms`.
        var action: String
        var tariff: String?
        var timing: String?
        var option: String?
        var quota: QuotaBody?
        var text: String?
        var lines: [String]?
        var group: Int64?
    }

    struct BulkDTO: Encodable, Sendable {
        var id: Int64
        var number: String
        var action: String
        var status: String
        var total: Int
        var refusedInPlan: Int
        var processed: Int
        var done: Int
        var refused: Int
        var failed: Int
        var createdAt: Date
        var startedAt: Date?
        var finishedAt: Date?

        init(_ bulk: BulkOperation) {
            id = bulk.id
            number = bulk.number
            action = bulk.action.kind
            status = bulk.status.rawValue
            total = bulk.total
            refusedInPlan = bulk.refusedInPlan
            processed = bulk.processed
            done = bulk.done
            refused = bulk.refused
            failed = bulk.failed
            createdAt = bulk.createdAt
            startedAt = bulk.startedAt
            finishedAt = bulk.finishedAt
        }
    }

    struct BulkItemDTO: Encodable, Sendable {
        var position: Int
        var msisdn: String
        var plan: String
        var planReason: String?
        var planNote: String?
        var outcome: String
        var request: String?
        var reason: String?

        init(_ item: BulkItem) {
            position = item.position
            msisdn = item.msisdn.e164
            plan = item.planRefusal == nil ? "change" : "refuse"
            planReason = item.planRefusal
            planNote = item.planNote
            outcome = item.outcome.rawValue
            request = item.requestID.map(ServiceRequest.number(for:))
            reason = item.reason
        }
    }

    /// The action from the API's body or the form's fields.
    static func action(
        kind: String, tariff: String?, timing: String?, option: String?, quota: () throws -> QuotaLimits,
        text: String?
    ) throws -> BulkAction {
        func field(_ name: String) -> CabinetError {
            CabinetError.validation([FieldError(field: name, code: KernelError.fieldInvalid)])
        }
        switch kind {
        case "changeTariff":
            guard let tariff = tariff.flatMap(TariffID.init(rawValue:)) else { throw field("tariff") }
            guard let timing = TariffChangeTiming(rawValue: timing ?? "immediately") else { throw field("timing") }
            return .changeTariff(tariff, timing)
        case "connectOption", "disconnectOption":
            guard let option = option.flatMap(OptionID.init(rawValue:)) else { throw field("option") }
            return kind == "connectOption" ? .connectOption(option) : .disconnectOption(option)
        case "setQuota": return .setQuota(try quota())
        case "removeQuota": return .removeQuota
        case "sms": return .sms(text ?? "")
        default: throw field("action")
        }
    }

    static func bulkID(_ context: CabinetRequestContext) throws -> Int64 {
        guard let id = context.parameters.get("id").flatMap({ Int64($0) }) else {
            throw CabinetError(CorporateError.bulkNotFound)
        }
        return id
    }

    /// The report: every line with its outcome, request number and reason, as CSV (UTF-8 with a BOM for
    /// spreadsheets).
    func report(_ access: AdminAccess, id: Int64, language: Language) async throws -> Response {
        let bulk = try await service.bulk(access, id: id)
        var csv = "\u{FEFF}msisdn;outcome;request;reason\r\n"
        var cursor: Int?
        while true {
            let items = try await service.bulkItems(access, id: id, after: cursor, limit: 1000)
            for item in items {
                let reason = item.reason ?? item.planRefusal ?? ""
                let text = Self.explain(reason, item, catalog: catalog, language: language)
                csv +=
                    [
                        item.msisdn.e164, item.outcome.rawValue, item.requestID.map(ServiceRequest.number(for:)) ?? "",
                        Self.csvField(text),
                    ].joined(separator: ";") + "\r\n"
            }
            guard items.count == 1000, let last = items.last else { break }
            cursor = last.position
        }
        var headers = HTTPFields()
        headers[.contentType] = "text/csv; charset=utf-8"
        headers[.contentDisposition] = "attachment; filename=\"bulk-\(bulk.number).csv\""
        headers[.cacheControl] = "private, no-store"
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: csv)))
    }

    /// A reason's code in words, when the catalogue has them without arguments the report cannot give; else the code.
    static func explain(_ code: String, _ item: BulkItem, catalog: MessageCatalog, language: Language) -> String {
        guard !code.isEmpty, catalog.contains(code, in: language) else { return code }
        let text = catalog.text(code, in: language, arguments: ["msisdn": item.msisdn.formatted])
        return text.contains("{") ? code : text
    }

    /// A field quoted when it holds the separator, a quote or a line break; a leading formula sign neutralised.
    static func csvField(_ text: String) -> String {
        var value = text
        if let first = value.first, "=+-@".contains(first) { value = "'" + value }
        guard value.contains(where: { ";\"\r\n".contains($0) }) else { return value }
        return "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    func add(api: RouterGroup<CabinetRequestContext>, web: RouterGroup<CabinetRequestContext>) {
        api.post("corporate/bulk") { request, context in
            let access = try await CorporateAPIRoutes.admin(context, service: service)
            return try await idempotency.run(request, context: context, scope: "corporate:\(access.admin.id)") {
                request in
                let body = try await request.decodeJSON(as: BulkBody.self, context: context, limit: 1 << 20)
                let currency = regions.region(access.company.region)?.currency ?? .rub
                let action = try Self.action(
                    kind: body.action, tariff: body.tariff, timing: body.timing, option: body.option,
                    quota: {
                        let quota = body.quota ?? QuotaBody()
                        return try CorporateForms.limits(
                            money: quota.money, minutes: quota.minutes.map(String.init),
                            sms: quota.sms.map(String.init),
                            megabytes: quota.megabytes.map(String.init), policy: quota.policy, currency: currency)
                    }, text: body.text)
                let selection: BulkSelection
                if let group = body.group {
                    selection = .group(group)
                } else {
                    guard (body.lines ?? []).count <= 20_000 else {
                        throw CabinetError.validation([FieldError(field: "lines", code: CorporateError.bulkTooLarge)])
                    }
                    selection = .lines(try (body.lines ?? []).map { try MSISDNField.parse($0, field: "lines") })
                }
                let bulk = try await service.planBulk(access, action: action, selection: selection)
                return (.created, try JSONEncoder.apiBody(BulkDTO(bulk)))
            }
        }
        api.get("corporate/bulk") { _, context in
            let access = try await CorporateAPIRoutes.admin(context, service: service)
            return try Response.json(["items": try await service.bulks(access).map(BulkDTO.init)])
        }
        api.get("corporate/bulk/:id") { _, context in
            let access = try await CorporateAPIRoutes.admin(context, service: service)
            return try Response.json(BulkDTO(try await service.bulk(access, id: try Self.bulkID(context))))
        }
        api.get("corporate/bulk/:id/items") { request, context in
            let access = try await CorporateAPIRoutes.admin(context, service: service)
            let query = try PageQuery(request)
            let items = try await service.bulkItems(
                access, id: try Self.bulkID(context), after: try query.cursor { (text: String) -> Int? in Int(text) },
                limit: query.fetchLimit)
            return try Response.json(Page(items, query: query, cursor: { String($0.position) }, item: BulkItemDTO.init))
        }
        api.post("corporate/bulk/:id/start") { request, context in
            let access = try await CorporateAPIRoutes.admin(context, service: service)
            let id = try Self.bulkID(context)
            return try await idempotency.run(request, context: context, scope: "corporate:\(access.admin.id)") { _ in
                (.accepted, try JSONEncoder.apiBody(BulkDTO(try await service.startBulk(access, id: id))))
            }
        }
        api.get("corporate/bulk/:id/report.csv") { _, context in
            let access = try await CorporateAPIRoutes.admin(context, service: service)
            return try await report(access, id: try Self.bulkID(context), language: context.language)
        }

        web.get("business/bulk") { _, context in
            let access = try await CorporateAPIRoutes.admin(context, service: service)
            return try await formPage(access, context, error: nil, fields: [:])
        }
        web.post("business/bulk") { request, context in
            let access = try await CorporateAPIRoutes.admin(context, service: service)
            var typed: [String: String] = [:]
            return try await WebForms.action(
                request, context, catalog: catalog,
                page: { try await formPage(access, context, error: $0, fields: typed) }
            ) { fields in
                typed = fields
                let currency = regions.region(access.company.region)?.currency ?? .rub
                let action = try Self.action(
                    kind: fields["action"] ?? "", tariff: fields["tariff"], timing: fields["timing"],
                    option: fields["option"],
                    quota: {
                        try CorporateForms.limits(
                            money: fields["money"], minutes: fields["minutes"], sms: fields["sms"],
                            megabytes: fields["megabytes"], policy: fields["policy"], currency: currency)
                    }, text: fields["text"])
                let numbers = (fields["lines"] ?? "").split(whereSeparator: { ",;\n\r ".contains($0) })
                    .map(String.init).filter { !$0.isEmpty }
                let selection: BulkSelection
                if let group = Int64(fields["group"] ?? ""), numbers.isEmpty {
                    selection = .group(group)
                } else {
                    selection = .lines(try numbers.map { try MSISDNField.parse($0, field: "lines") })
                }
                let bulk = try await service.planBulk(access, action: action, selection: selection)
                return .seeOther(to: "/business/bulk/\(bulk.id)")
            }
        }
        web.get("business/bulk/:id") { _, context in
            let access = try await CorporateAPIRoutes.admin(context, service: service)
            return try await bulkPage(access, id: try Self.bulkID(context), context, error: nil)
        }
        web.post("business/bulk/:id/start") { request, context in
            let access = try await CorporateAPIRoutes.admin(context, service: service)
            let id = try Self.bulkID(context)
            return try await WebForms.action(
                request, context, catalog: catalog, page: { try await bulkPage(access, id: id, context, error: $0) }
            ) { _ in
                _ = try await service.startBulk(access, id: id)
                return .seeOther(to: "/business/bulk/\(id)")
            }
        }
        web.get("business/bulk/:id/report.csv") { _, context in
            let access = try await CorporateAPIRoutes.admin(context, service: service)
            return try await report(access, id: try Self.bulkID(context), language: context.language)
        }
    }

    func t(_ key: String, _ context: CabinetRequestContext, _ arguments: [String: String] = [:]) -> String {
        catalog.text(key, in: context.language, arguments: arguments)
    }

    func formPage(_ access: AdminAccess, _ context: CabinetRequestContext, error: String?, fields: [String: String])
        async throws -> Response
    {
        let groups = try await service.groups(access)
        let region = regions.region(access.company.region)
        let tariffs = region?.settings(for: TariffsModule.self)?.catalog.filter { $0.status == .open } ?? []
        let options = region?.settings(for: ServicesModule.self)?.options ?? []
        let bulks = try await service.bulks(access)
        var data: [String: Any] = [
            "csrf": context.session?.csrfToken ?? "", "company": access.company.name,
            "groups": groups.map {
                ["id": $0.id, "name": $0.name, "selected": fields["group"] == String($0.id)] as [String: Any]
            },
            "tariffs": tariffs.map { ["id": $0.id.rawValue, "name": $0.name.text(in: context.language)] },
            "options": options.map { ["id": $0.id.rawValue, "name": $0.name.text(in: context.language)] },
            "lines": fields["lines"] ?? "", "text": fields["text"] ?? "",
            "bulks": bulks.map { bulk -> [String: Any] in
                [
                    "id": bulk.id, "number": bulk.number,
                    "action": t("web.business.bulk.action.\(bulk.action.kind)", context),
                    "status": t("web.business.bulk.status.\(bulk.status.rawValue)", context),
                    "progress": "\(bulk.processed) / \(bulk.total)",
                ]
            },
            "hasBulks": !bulks.isEmpty,
            "canChange": CorporateAction.manageLines.isAllowed(by: access.admin.scopes),
        ]
        if let error { data["error"] = error }
        return renderer.render(
            "business-bulk", title: t("web.business.bulk.title", context), context: context, data: data,
            status: error == nil ? .ok : .badRequest, path: "/business")
    }

    func bulkPage(_ access: AdminAccess, id: Int64, _ context: CabinetRequestContext, error: String?) async throws
        -> Response
    {
        let bulk = try await service.bulk(access, id: id)
        let items = try await service.bulkItems(access, id: id, after: nil, limit: 500)
        func reason(_ code: String?, _ item: BulkItem) -> String {
            Self.explain(code ?? "", item, catalog: catalog, language: context.language)
        }
        let rows = items.map { item -> [String: Any] in
            [
                "msisdn": item.msisdn.formatted, "position": item.position + 1,
                "plan": item.planRefusal == nil
                    ? t("web.business.bulk.plan.change", context) : t("web.business.bulk.plan.refuse", context),
                "planReason": reason(item.planRefusal, item), "planNote": item.planNote ?? "",
                "outcome": t("web.business.bulk.outcome.\(item.outcome.rawValue)", context),
                "outcomeCode": item.outcome.rawValue,
                "request": item.requestID.map(ServiceRequest.number(for:)) ?? "", "reason": reason(item.reason, item),
            ]
        }
        var data: [String: Any] = [
            "id": bulk.id, "number": bulk.number, "csrf": context.session?.csrfToken ?? "",
            "action": t("web.business.bulk.action.\(bulk.action.kind)", context),
            "status": t("web.business.bulk.status.\(bulk.status.rawValue)", context),
            "statusCode": bulk.status.rawValue,
            "planned": bulk.status == .planned, "running": bulk.status == .running, "done": bulk.status == .done,
            "summary": t(
                "web.business.bulk.summary", context,
                [
                    "total": "\(bulk.total)", "refused": "\(bulk.refusedInPlan)", "processed": "\(bulk.processed)",
                    "done": "\(bulk.done)", "failed": "\(bulk.failed + bulk.refused)",
                ]),
            "items": rows, "more": bulk.total > items.count,
            "canStart": bulk.status == .planned && CorporateAction.manageLines.isAllowed(by: access.admin.scopes),
        ]
        if let error { data["error"] = error }
        return renderer.render(
            "business-bulk-one", title: bulk.number, context: context, data: data,
            status: error == nil ? .ok : .conflict, path: "/business")
    }
}
