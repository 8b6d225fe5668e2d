import CabinetCore
import CabinetHTTP
import Foundation
import Hummingbird
import Services

/// Pages: `/services` (the catalogue with switch-off buttons), the preview of a connection with what it costs and
/// what it replaces, and the connection itself.
struct ServicesWebRoutes {
    let service: any ServicesService
    let renderer: WebRenderer

    var catalog: MessageCatalog { renderer.catalog }

    func add(to web: RouterGroup<CabinetRequestContext>) {
        web.get("services") { request, context in try await cataloguePage(request, context, error: nil) }
        web.post("services/:id/preview") { request, context in
            try await WebForms.action(
                request, context, catalog: catalog, page: { try await cataloguePage(request, context, error: $0) }
            ) { _ in
                let line = try context.requireLine(.viewBalance)
                let preview = try await service.preview(try ServicesTexts.optionID(context), for: line)
                return previewPage(preview, context)
            }
        }
        web.post("services/:id/connect") { request, context in
            try await WebForms.action(
                request, context, catalog: catalog, page: { try await cataloguePage(request, context, error: $0) }
            ) { fields in
                let line = try context.requireLine(.manageServices)
                // The preview page lists the conflicts it showed; connecting replaces exactly those.
                let replacing = (fields["replace"] ?? "").split(separator: ",").compactMap {
                    OptionID(rawValue: String($0))
                }
                let record = try await service.connect(
                    try ServicesTexts.optionID(context), for: line, replacing: replacing)
                return .seeOther(to: "/services?done=\(record.number)")
            }
        }
        web.post("services/:id/disconnect") { request, context in
            try await WebForms.action(
                request, context, catalog: catalog, page: { try await cataloguePage(request, context, error: $0) }
            ) { _ in
                let line = try context.requireLine(.manageServices)
                let record = try await service.disconnect(try ServicesTexts.optionID(context), for: line)
                return .seeOther(to: "/services?done=\(record.number)")
            }
        }
    }

    func cataloguePage(_ request: Request, _ context: CabinetRequestContext, error: String?) async throws -> Response {
        let line = try context.requireLine(.viewBalance)
        let language = context.language
        let canChange = context.line?.scopes.contains(.manageServices) == true
        let views = try await service.catalogue(for: line)
        var data: [String: Any] = [
            "csrf": context.session?.csrfToken ?? "",
            "options": views.map { view -> [String: Any] in
                var item: [String: Any] = [
                    "id": view.option.id.rawValue, "name": view.option.name.text(in: language),
                    "description": view.option.description.text(in: language),
                    "connectionFee": ServicesTexts.connection(
                        view.option.connectionFee, catalog: catalog, language: language),
                    "recurring": ServicesTexts.recurring(view.option.fee, catalog: catalog, language: language),
                    "canChange": canChange,
                ]
                switch view.state {
                case .available:
                    item["available"] = true
                case .connected(let since, _):
                    item["connected"] = true
                    item["since"] = WebDates.dateTime(since, language: language)
                case .included(let tariff):
                    item["included"] = catalog.text(
                        "web.services.included", in: language, arguments: ["tariff": tariff.name.text(in: language)])
                }
                return item
            },
        ]
        if let done = request.uri.queryParameters.get("done"), done.hasPrefix("R-") {
            data["notice"] = catalog.text("web.services.done", in: language, arguments: ["number": String(done)])
        }
        if let error { data["error"] = error }
        return renderer.render(
            "services", title: catalog.text("web.services.title", in: language), context: context, data: data,
            path: "/services")
    }

    func previewPage(_ preview: OptionPreview, _ context: CabinetRequestContext) -> Response {
        let language = context.language
        let option = preview.option
        var data: [String: Any] = [
            "csrf": context.session?.csrfToken ?? "",
            "id": option.id.rawValue,
            "title": catalog.text(
                "web.services.previewTitle", in: language, arguments: ["option": option.name.text(in: language)]),
            "description": option.description.text(in: language),
            "costNow": ServicesTexts.connection(preview.chargedNow, catalog: catalog, language: language),
            "costNowLabel": preview.firstPeriodEnd.map {
                catalog.text(
                    "web.services.firstPeriod", in: language,
                    arguments: ["until": WebDates.dateTime($0, language: language)])
            } ?? catalog.text("web.services.costNow", in: language),
            "recurring": ServicesTexts.recurring(preview.recurringFee, catalog: catalog, language: language),
            "balance": preview.balance.displayString,
            "conflicts": preview.conflicts.map { conflict -> [String: Any] in
                let other = conflict.ruleOf.id == conflict.option.id ? option : conflict.option
                return [
                    "name": conflict.option.name.text(in: language),
                    "rule": ServicesTexts.conflict(conflict, other: other, catalog: catalog, language: language),
                ]
            },
            "hasConflicts": !preview.conflicts.isEmpty,
            "replace": preview.conflicts.map(\.option.id.rawValue).joined(separator: ","),
        ]
        if let shortfall = preview.shortfall {
            data["shortfall"] = catalog.text(
                "web.services.shortfall", in: language, arguments: ["shortfall": shortfall.displayString])
        }
        if let refusal = preview.refusal {
            data["refusal"] = catalog.message(for: refusal, in: language)
        }
        data["canConfirm"] = preview.allowed && context.line?.scopes.contains(.manageServices) == true
        return renderer.render(
            "service-preview", title: data["title"] as? String ?? "", context: context, data: data, path: "/services")
    }
}
