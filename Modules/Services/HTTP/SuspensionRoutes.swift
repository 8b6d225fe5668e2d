import CabinetCore
import CabinetHTTP
import Foundation
import Hummingbird
import Services

/// `/api/v1/me/suspension…` and the `/suspension` page: plan a holiday suspension through its preview, resume early
/// or cancel.
struct SuspensionRoutes {
    let service: any ServicesService
    let idempotency: IdempotentRequests
    let renderer: WebRenderer

    var catalog: MessageCatalog { renderer.catalog }

    func add(api: RouterGroup<CabinetRequestContext>, web: RouterGroup<CabinetRequestContext>) {
        api.get("me/suspension") { _, context in
            let line = try context.requireLine(.viewBalance)
            return try Response.json(SuspensionDTO(try await service.suspension(for: line)))
        }
        api.post("me/suspension/preview") { request, context in
            let line = try context.requireLine(.viewBalance)
            let body = try await request.decodeJSON(as: SuspensionBody.self, context: context)
            let (from, until) = try body.dates()
            let preview = try await service.previewSuspension(for: line, from: from, until: until)
            return try Response.json(
                SuspensionPreviewDTO(preview, catalog: catalog, language: context.language))
        }
        api.post("me/suspension") { request, context in
            let line = try context.requireLine(.manageServices)
            return try await idempotency.run(request, context: context, scope: "line:\(line.subscriberID.rawValue)") {
                request in
                let body = try await request.decodeJSON(as: SuspensionBody.self, context: context)
                let (from, until) = try body.dates()
                let record = try await service.suspend(for: line, from: from, until: until)
                return (.created, try JSONEncoder.apiBody(ServiceRequestDTO(record)))
            }
        }
        api.delete("me/suspension") { request, context in
            // Resuming is done on a suspended line.
            let line = try context.requireLine(.manageServices, alsoWhen: [.suspended])
            return try await idempotency.run(request, context: context, scope: "line:\(line.subscriberID.rawValue)") {
                _ in (.ok, try JSONEncoder.apiBody(ServiceRequestDTO(try await service.resume(for: line))))
            }
        }
        web.get("suspension") { request, context in try await page(request, context, error: nil, fields: [:]) }
        web.post("suspension/preview") { request, context in
            var typed: [String: String] = [:]
            return try await WebForms.action(
                request, context, catalog: catalog,
                page: { try await page(request, context, error: $0, fields: typed) }
            ) { fields in
                typed = fields
                _ = try context.requireLine(.manageServices)
                return try await page(request, context, error: nil, fields: fields, preview: true)
            }
        }
        web.post("suspension") { request, context in
            var typed: [String: String] = [:]
            return try await WebForms.action(
                request, context, catalog: catalog,
                page: { try await page(request, context, error: $0, fields: typed) }
            ) { fields in
                typed = fields
                let line = try context.requireLine(.manageServices)
                let (from, until) = try SuspensionBody(from: fields["from"] ?? "", until: fields["until"] ?? "").dates()
                let record = try await service.suspend(for: line, from: from, until: until)
                return .seeOther(to: "/suspension?done=\(record.number)")
            }
        }
        web.post("suspension/resume") { request, context in
            try await WebForms.action(
                request, context, catalog: catalog, page: { try await page(request, context, error: $0, fields: [:]) }
            ) { _ in
                let line = try context.requireLine(.manageServices, alsoWhen: [.suspended])
                return .seeOther(to: "/suspension?done=\(try await service.resume(for: line).number)")
            }
        }
    }

    func page(
        _ request: Request, _ context: CabinetRequestContext, error: String?, fields: [String: String],
        preview: Bool = false
    ) async throws -> Response {
        let line = try context.requireLine(.viewBalance)
        let language = context.language
        let view = try await service.suspension(for: line)
        let policy = view.policy
        var data: [String: Any] = [
            "csrf": context.session?.csrfToken ?? "",
            "rules": catalog.text(
                "web.suspension.rules", in: language,
                arguments: [
                    "min": String(policy.minDays), "max": String(policy.maxDays), "perYear": String(policy.perYear),
                    "used": String(view.startedThisYear), "free": String(policy.freeDays),
                    "daily": policy.dailyFee.displayString,
                ]),
            "from": fields["from"] ?? view.today.description,
            "until": fields["until"] ?? view.today.adding(days: max(policy.minDays, 1)).description,
            "today": view.today.description,
            "canChange": line.scopes.contains(.manageServices),
        ]
        if let current = view.current {
            let key = current.status == .active ? "web.suspension.active" : "web.suspension.scheduled"
            data["current"] = catalog.text(
                key, in: language,
                arguments: ["from": WebDates.date(current.firstDay), "until": WebDates.date(current.resumeDay)])
            data["resumeLabel"] = catalog.text(
                current.status == .active ? "web.suspension.resume" : "web.suspension.cancel", in: language)
        } else {
            data["canPlan"] = line.scopes.contains(.manageServices)
        }
        if preview {
            let (from, until) = try SuspensionBody(from: fields["from"] ?? "", until: fields["until"] ?? "").dates()
            let result = try await service.previewSuspension(for: line, from: from, until: until)
            if let refusal = result.refusal { throw refusal }
            data["preview"] = SuspensionPreviewDTO(result, catalog: catalog, language: language).text
        }
        if let done = request.uri.queryParameters.get("done"), done.hasPrefix("R-") {
            data["notice"] = catalog.text("web.suspension.done", in: language, arguments: ["number": String(done)])
        }
        if let error { data["error"] = error }
        return renderer.render(
            "suspension", title: catalog.text("web.suspension.title", in: language), context: context, data: data,
            path: "/suspension")
    }
}

/// `{"from": "2026-12-01", "until": "2026-12-15"}`: the first day without service, and the day it resumes.
struct SuspensionBody: Decodable, Sendable {
    var from: String
    var until: String

    init(from: String, until: String) {
        self.from = from
        self.until = until
    }

    func dates() throws -> (LocalDate, LocalDate) {
        var problems: [FieldError] = []
        let first = LocalDate(from)
        let resume = LocalDate(until)
        if first == nil { problems.append(FieldError(field: "from", code: ServicesError.suspensionDates)) }
        if resume == nil { problems.append(FieldError(field: "until", code: ServicesError.suspensionDates)) }
        guard let first, let resume else { throw CabinetError.validation(problems) }
        return (first, resume)
    }
}

struct SuspensionDTO: Encodable, Sendable {
    struct Current: Encodable, Sendable {
        var status: String
        var from: String
        var until: String
        var request: String
    }
    struct Policy: Encodable, Sendable {
        var minDays: Int
        var maxDays: Int
        var perYear: Int
        var freeDays: Int
        var dailyFee: Money
        var maxDaysAhead: Int
    }

    var current: Current?
    var startedThisYear: Int
    var policy: Policy

    init(_ view: SuspensionView) {
        current = view.current.map {
            Current(
                status: $0.status.rawValue, from: $0.firstDay.description, until: $0.resumeDay.description,
                request: ServiceRequest.number(for: $0.requestID))
        }
        startedThisYear = view.startedThisYear
        let p = view.policy
        policy = Policy(
            minDays: p.minDays, maxDays: p.maxDays, perYear: p.perYear, freeDays: p.freeDays, dailyFee: p.dailyFee,
            maxDaysAhead: p.maxDaysAhead)
    }
}

struct SuspensionPreviewDTO: Encodable, Sendable {
    var from: String
    var until: String
    var days: Int
    var freeDays: Int
    var chargedDays: Int
    var dailyFee: Money
    var total: Money
    var allowed: Bool
    var refusal: String?
    var text: String

    init(_ preview: SuspensionPreview, catalog: MessageCatalog, language: Language) {
        from = preview.firstDay.description
        until = preview.resumeDay.description
        days = preview.days
        freeDays = preview.freeDays
        chargedDays = preview.chargedDays
        dailyFee = preview.dailyFee
        total = preview.total
        allowed = preview.allowed
        refusal = preview.refusal.map { WebForms.explain($0, catalog: catalog, language: language) }
        text = catalog.text(
            "web.suspension.previewText", in: language,
            arguments: [
                "from": WebDates.date(preview.firstDay), "last": WebDates.date(preview.resumeDay.adding(days: -1)),
                "until": WebDates.date(preview.resumeDay), "days": String(preview.days),
                "free": String(preview.freeDays), "charged": String(preview.chargedDays),
                "total": preview.total.displayString,
            ])
    }
}
