import CabinetCore
import CabinetHTTP
import Foundation
import Hummingbird
import Services

/// `/api/v1/me/settings-sms` and the `/settings-sms` page: the region's internet and MMS settings, sent by SMS.
struct DeviceSettingsRoutes {
    let service: any ServicesService
    let idempotency: IdempotentRequests
    let renderer: WebRenderer

    var catalog: MessageCatalog { renderer.catalog }

    func add(api: RouterGroup<CabinetRequestContext>, web: RouterGroup<CabinetRequestContext>) {
        api.get("me/settings-sms") { _, context in
            let line = try context.requireLine(.viewBalance)
            return try Response.json(DeviceSettingsDTO(try await service.deviceSettings(for: line)))
        }
        api.post("me/settings-sms") { request, context in
            let line = try context.requireLine(.manageServices)
            let language = context.language
            return try await idempotency.run(request, context: context, scope: "line:\(line.subscriberID.rawValue)") {
                _ in
                let record = try await service.sendDeviceSettings(for: line, language: language)
                return (.created, try JSONEncoder.apiBody(ServiceRequestDTO(record)))
            }
        }
        web.get("settings-sms") { request, context in try await page(request, context, error: nil) }
        web.post("settings-sms") { request, context in
            try await WebForms.action(
                request, context, catalog: catalog, page: { try await page(request, context, error: $0) }
            ) { _ in
                let line = try context.requireLine(.manageServices)
                let record = try await service.sendDeviceSettings(for: line, language: context.language)
                return .seeOther(to: "/settings-sms?done=\(record.number)")
            }
        }
    }

    func page(_ request: Request, _ context: CabinetRequestContext, error: String?) async throws -> Response {
        let line = try context.requireLine(.viewBalance)
        let language = context.language
        let view = try await service.deviceSettings(for: line)
        let max = String(view.settings.maxPerDay)
        var data: [String: Any] = [
            "csrf": context.session?.csrfToken ?? "",
            "apn": view.settings.apn, "mmsc": view.settings.mmsc, "proxy": view.settings.mmsProxy,
            "canSend": context.line?.scopes.contains(.manageServices) == true && view.leftToday > 0,
            "left": view.leftToday > 0
                ? catalog.text(
                    "web.deviceSettings.left", in: language, arguments: ["left": String(view.leftToday), "max": max])
                : catalog.text("web.deviceSettings.none", in: language, arguments: ["max": max]),
        ]
        if let done = request.uri.queryParameters.get("done"), done.hasPrefix("R-") {
            data["notice"] = catalog.text(
                "web.deviceSettings.sent", in: language,
                arguments: ["number": String(done), "msisdn": line.msisdn.formatted])
        }
        if let error { data["error"] = error }
        return renderer.render(
            "device-settings", title: catalog.text("web.deviceSettings.title", in: language), context: context,
            data: data, path: "/settings-sms")
    }
}

/// `{"apn", "mmsc", "mmsProxy", "maxPerDay", "sentToday", "leftToday"}`.
struct DeviceSettingsDTO: Encodable, Sendable {
    var apn: String
    var mmsc: String
    var mmsProxy: String
    var maxPerDay: Int
    var sentToday: Int
    var leftToday: Int

    init(_ view: DeviceSettingsView) {
        apn = view.settings.apn
        mmsc = view.settings.mmsc
        mmsProxy = view.settings.mmsProxy
        maxPerDay = view.settings.maxPerDay
        sentToday = view.sentToday
        leftToday = view.leftToday
    }
}
