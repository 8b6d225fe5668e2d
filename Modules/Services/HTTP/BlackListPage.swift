import CabinetCore
import CabinetHTTP
import Foundation
import Hummingbird
import Services

/// `/blacklist`: the service's state and fees, the numbers with their remove buttons, the add form and the calls it
/// stopped.
struct BlackListPage {
    let service: any ServicesService
    let renderer: WebRenderer

    var catalog: MessageCatalog { renderer.catalog }

    func add(to web: RouterGroup<CabinetRequestContext>) {
        web.get("blacklist") { request, context in try await page(request, context, error: nil, typed: [:]) }
        web.post("blacklist/on") { request, context in
            try await action(request, context) { _, line in
                "/blacklist?done=\(try await service.connectBlackList(for: line).number)"
            }
        }
        web.post("blacklist/off") { request, context in
            try await action(request, context) { _, line in
                "/blacklist?done=\(try await service.disconnectBlackList(for: line).number)"
            }
        }
        web.post("blacklist/add") { request, context in
            try await action(request, context) { fields, line in
                let record = try await service.addToBlackList(
                    fields["number"] ?? "", label: fields["label"], for: line)
                return "/blacklist?done=\(record.number)"
            }
        }
        web.post("blacklist/remove") { request, context in
            try await action(request, context) { fields, line in
                "/blacklist?done=\(try await service.removeFromBlackList(fields["number"] ?? "", for: line).number)"
            }
        }
    }

    func action(
        _ request: Request, _ context: CabinetRequestContext,
        _ body: @escaping ([String: String], LineAccess) async throws -> String
    ) async throws -> Response {
        var typed: [String: String] = [:]
        return try await WebForms.action(
            request, context, catalog: catalog, page: { try await page(request, context, error: $0, typed: typed) }
        ) { fields in
            typed = fields
            let line = try context.requireLine(.manageServices)
            return .seeOther(to: try await body(fields, line))
        }
    }

    func page(_ request: Request, _ context: CabinetRequestContext, error: String?, typed: [String: String])
        async throws -> Response
    {
        let line = try context.requireLine(.viewBalance)
        let language = context.language
        let view = try await service.blackList(for: line)
        var data: [String: Any] = [
            "csrf": context.session?.csrfToken ?? "",
            "active": view.isOn,
            "canChange": context.line?.scopes.contains(.manageServices) == true,
            "fees": catalog.text(
                "web.blackList.fees", in: language,
                arguments: [
                    "connection": view.policy.connectionFee.displayString, "daily": view.policy.dailyFee.displayString,
                    "perNumber": view.policy.feePerNumber.displayString, "max": String(view.policy.maxEntries),
                ]),
            "entries": view.entries.map {
                [
                    "number": $0.number.e164, "label": $0.label ?? "",
                    "added": WebDates.dateTime($0.addedAt, language: language),
                ]
            },
            "hasEntries": !view.entries.isEmpty,
            "blocked": view.blocked.map {
                [
                    "number": $0.number, "day": WebDates.date($0.day), "count": String($0.count),
                    "last": WebDates.dateTime($0.lastAt, language: language),
                ]
            },
            "hasBlocked": !view.blocked.isEmpty,
            "typedNumber": typed["number"] ?? "", "typedLabel": typed["label"] ?? "",
        ]
        if !view.isOn, let keep = view.state?.keepUntil, !view.entries.isEmpty {
            data["kept"] = catalog.text(
                "web.blackList.kept", in: language, arguments: ["until": WebDates.dateTime(keep, language: language)])
        }
        if let done = request.uri.queryParameters.get("done"), done.hasPrefix("R-") {
            data["notice"] = catalog.text("web.services.done", in: language, arguments: ["number": String(done)])
        }
        if let error { data["error"] = error }
        return renderer.render(
            "blacklist", title: catalog.text("web.blackList.title", in: language), context: context, data: data,
            path: "/blacklist")
    }
}
