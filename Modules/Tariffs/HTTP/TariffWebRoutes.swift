import CabinetCore
import CabinetHTTP
import Foundation
import Hummingbird
import Tariffs

/// Pages: `/tariffs` (your tariff and the catalogue), `/tariffs/:id` (a card with the change form), the preview with
/// its confirmation, and the change itself.
struct TariffWebRoutes {
    let service: any TariffsService
    let renderer: WebRenderer

    var catalog: MessageCatalog { renderer.catalog }

    func add(to web: RouterGroup<CabinetRequestContext>) {
        web.get("tariffs") { request, context in try await catalogPage(request, context, error: nil) }
        web.get("tariffs/:id") { _, context in try await card(context, error: nil) }
        web.post("tariffs/:id/preview") { request, context in
            try await WebForms.action(request, context, catalog: catalog, page: { try await card(context, error: $0) })
            { fields in
                let line = try context.requireLine(.manageServices)
                let timing = try timing(fields)
                let preview = try await service.preview(line: line, to: try tariffID(context), timing: timing)
                return previewPage(preview, context)
            }
        }
        web.post("tariffs/:id/change") { request, context in
            try await WebForms.action(request, context, catalog: catalog, page: { try await card(context, error: $0) })
            { fields in
                let line = try context.requireLine(.manageServices)
                let (record, _) = try await service.change(
                    line: line, to: try tariffID(context), timing: try timing(fields))
                return .seeOther(
                    to: "/tariffs?done=\(record.status == .done ? "changed" : "planned")&request=\(record.number)")
            }
        }
    }

    func tariffID(_ context: CabinetRequestContext) throws -> TariffID {
        guard let id = context.parameters.get("id").flatMap(TariffID.init(rawValue:)) else {
            throw CabinetError(TariffsError.unknown, arguments: ["tariff": context.parameters.get("id") ?? ""])
        }
        return id
    }

    func timing(_ fields: [String: String]) throws -> TariffChangeTiming {
        guard let timing = TariffChangeTiming(rawValue: fields["timing"] ?? "") else {
            throw CabinetError.validation([
                FieldError(field: "timing", code: "tariffs.timingInvalid", arguments: ["value": fields["timing"] ?? ""])
            ])
        }
        return timing
    }

    func catalogPage(_ request: Request, _ context: CabinetRequestContext, error: String?) async throws -> Response {
        let line = try context.requireLine(.viewBalance)
        let language = context.language
        let mine = try await TariffViews.lineTariff(
            line, service: service, language: language)
        var data: [String: Any] = [
            "current": summary(try current(line, mine), language: language),
            "since": WebDates.dateTime(mine.since, language: language),
            "tariffs": service.openTariffs(in: line.region).map { tariff -> [String: Any] in
                var item = summary(tariff, language: language)
                item["isCurrent"] = tariff.id.rawValue == mine.current.id
                return item
            },
        ]
        if let planned = mine.planned {
            data["planned"] = ["name": planned.name, "since": WebDates.dateTime(planned.since, language: language)]
        }
        if let done = request.uri.queryParameters.get("done"), ["changed", "planned"].contains(done) {
            data["notice"] = catalog.text(
                "web.tariffs.\(done)", in: language,
                arguments: ["request": request.uri.queryParameters.get("request").map { String($0) } ?? ""])
        }
        if let error { data["error"] = error }
        return renderer.render(
            "tariffs", title: catalog.text("web.tariffs.title", in: language), context: context, data: data,
            path: "/tariffs")
    }

    func current(_ line: LineAccess, _ mine: LineTariffDTO) throws -> Tariff {
        guard let id = TariffID(rawValue: mine.current.id), let tariff = service.tariff(id, in: line.region) else {
            throw CabinetError(TariffsError.noTariff)
        }
        return tariff
    }

    func card(_ context: CabinetRequestContext, error: String?) async throws -> Response {
        let line = try context.requireLine(.viewBalance)
        let language = context.language
        let id = try tariffID(context)
        guard let tariff = service.tariff(id, in: line.region) else {
            // A page that does not exist for this line's region: not found, as before.
            throw CabinetError(TariffsError.unknown, arguments: ["tariff": id.rawValue])
        }
        var data = summary(tariff, language: language)
        data["timings"] = TariffChangeTiming.allCases.filter(tariff.allows).enumerated().map { index, timing in
            [
                "value": timing.rawValue, "label": catalog.text("tariffs.timing.\(timing.rawValue)", in: language),
                "checked": index == 0,
            ]
                as [String: Any]
        }
        data["canChoose"] = tariff.status == .open && context.line?.scopes.contains(.manageServices) == true
        data["archived"] = tariff.status == .archived
        data["csrf"] = context.session?.csrfToken ?? ""
        if let error { data["error"] = error }
        return renderer.render(
            "tariff", title: tariff.name.text(in: language), context: context, data: data, path: "/tariffs")
    }

    func previewPage(_ preview: TariffChangePreview, _ context: CabinetRequestContext) -> Response {
        let language = context.language
        var data = summary(preview.target, language: language)
        data["timing"] = preview.timing.rawValue
        data["timingLabel"] = catalog.text("tariffs.timing.\(preview.timing.rawValue)", in: language)
        data["effectiveAt"] = WebDates.dateTime(preview.effectiveAt, language: language)
        data["changeFee"] = preview.changeFee.displayString
        data["feeNow"] = preview.feeNow.displayString
        data["chargeToday"] = preview.chargeToday.displayString
        data["balance"] = preview.balance.displayString
        data["balanceAfter"] = preview.balanceAfter.displayString
        data["firstRegularFeeOn"] = WebDates.date(preview.firstRegularFeeOn)
        data["currentName"] = preview.current?.name.text(in: language) ?? "—"
        // The two tariffs side by side: what changes is plain to see before confirming.
        data["compare"] = [
            "was": preview.current.map { summary($0, language: language) } ?? [:],
            "will": summary(preview.target, language: language),
        ]
        switch preview.packageOutcome {
        case .replacedNow(let lost):
            data["packageText"] = catalog.text("web.tariffs.packageReplaced", in: language)
            data["lost"] = lost.map { ["text": TariffViews.remainder($0, catalog: catalog, language: language)] }
        case .keptUntil(let until):
            data["packageText"] = catalog.text(
                "web.tariffs.packageKept", in: language,
                arguments: ["until": WebDates.dateTime(until, language: language)])
        }
        data["optionChanges"] = preview.optionChanges.map {
            [
                "text": catalog.text(
                    "web.tariffs.option.\($0.kind.rawValue)", in: language,
                    arguments: ["option": $0.name.text(in: language)])
            ]
        }
        data["hasOptionChanges"] = !preview.optionChanges.isEmpty
        if let refusal = preview.refusal {
            data["refusal"] = catalog.message(for: refusal, in: language)
        } else {
            data["canConfirm"] = true
        }
        data["csrf"] = context.session?.csrfToken ?? ""
        return renderer.render(
            "tariff-preview", title: catalog.text("web.tariffs.previewTitle", in: language), context: context,
            data: data, path: "/tariffs")
    }

    func summary(_ tariff: Tariff, language: Language) -> [String: Any] {
        let packages = tariff.packages
        return [
            "id": tariff.id.rawValue, "name": tariff.name.text(in: language),
            "description": tariff.description.text(in: language),
            "fee": tariff.fee.amount.displayString,
            "feePeriod": catalog.text("tariffs.period.\(tariff.fee.period.rawValue)", in: language),
            "minutes": packages.minutes, "sms": packages.sms,
            "data": packages.megabytes >= 1024
                ? catalog.text(
                    "tariffs.amount.gigabytes", in: language, arguments: ["n": String(packages.megabytes / 1024)])
                : catalog.text("tariffs.amount.megabytes", in: language, arguments: ["n": String(packages.megabytes)]),
            "hasPackage": packages.minutes + packages.sms + packages.megabytes > 0,
            "rollover": tariff.rollover,
            "offNetMinute": tariff.prices.offNetMinute.displayString, "sms1": tariff.prices.sms.displayString,
            "megabyte": tariff.prices.megabyte.displayString,
        ]
    }
}

extension TariffViews {
    static func remainder(_ remainder: TariffChangePreview.Remainder, catalog: MessageCatalog, language: Language)
        -> String
    {
        switch remainder.unit {
        case .seconds:
            catalog.text("web.tariffs.lostMinutes", in: language, arguments: ["n": String(remainder.left / 60)])
        case .sms: catalog.text("web.tariffs.lostSMS", in: language, arguments: ["n": String(remainder.left)])
        case .kilobytes:
            catalog.text("web.tariffs.lostMegabytes", in: language, arguments: ["n": String(remainder.left / 1024)])
        }
    }
}
