import Billing
import CabinetCore
import CabinetHTTP
import Foundation
import Hummingbird
import Subscribers
import Tariffs

/// Pages: `/dashboard` (the cabinet's main page), `/balance` (history), `/statement` (short statement, full order).
struct BillingWebRoutes {
    let service: any BillingService
    let texts: BillingTexts
    let regions: RegionCatalog
    let renderer: WebRenderer
    let clock: any WallClock

    var catalog: MessageCatalog { renderer.catalog }

    func add(to web: RouterGroup<CabinetRequestContext>) {
        web.get("dashboard") { _, context in try await dashboard(context) }
        web.get("balance") { request, context in try await balance(request, context) }
        web.get("statement") { request, context in try await statement(request, context, error: nil) }
        web.post("statement/order") { request, context in
            try await WebForms.action(
                request, context, catalog: catalog, page: { try await statement(request, context, error: $0) }
            ) { fields in
                let line = try context.requireLine(.pay)
                guard let from = try BillingViews.date(fields["from"], field: "from"),
                    let to = try BillingViews.date(fields["to"], field: "to")
                else {
                    throw CabinetError.validation([
                        FieldError(field: "from", code: "billing.dateInvalid", arguments: ["value": ""])
                    ])
                }
                let record = try await service.orderStatement(line, from: from, to: to, language: context.language)
                return .seeOther(to: "/statement?ordered=\(record.number)&from=\(from)&to=\(to)")
            }
        }
    }

    func dashboard(_ context: CabinetRequestContext) async throws -> Response {
        let line = try context.requireLine(.viewBalance)
        let language = context.language
        let dashboard = try await service.dashboard(line)
        let zone = regions.region(line.region)?.timeZone ?? .gmt
        var data: [String: Any] = [
            "msisdn": dashboard.msisdn.formatted,
            "balance": dashboard.balance.displayString,
            "negative": dashboard.balance.isNegative,
            "restricted": dashboard.restricted,
            "status": catalog.text(
                "web.dashboard.status.\(dashboard.restricted && dashboard.status == .active ? "restricted" : dashboard.status.rawValue)",
                in: language),
            "tariffName": dashboard.tariff.name.text(in: language),
            "tariffFee": dashboard.tariff.fee.amount.displayString,
            "tariffPeriod": catalog.text("tariffs.period.\(dashboard.tariff.fee.period.rawValue)", in: language),
            "remainders": dashboard.remainders.map { remainder -> [String: Any] in
                let label = texts.unit(remainder.unit, language: language)
                let left = texts.amount(remainder.left, of: remainder.unit, language: language)
                let total = texts.amount(remainder.total, of: remainder.unit, language: language)
                let days = max(0, Int(remainder.expiresAt.timeIntervalSince(service.now) / 86_400))
                return [
                    "meter": SVGChart.meter(
                        id: "meter-\(remainder.unit.rawValue)", value: remainder.left, total: remainder.total,
                        title: catalog.text(
                            "web.dashboard.meter", in: language,
                            arguments: ["unit": label, "left": left, "total": total])),
                    "daysLeft": catalog.text("web.dashboard.daysLeft", in: language, arguments: ["days": String(days)]),
                    "label": label,
                    "left": texts.amount(remainder.left, of: remainder.unit, language: language),
                    "total": texts.amount(remainder.total, of: remainder.unit, language: language),
                    "percent": remainder.percentLeft,
                    "expires": WebDates.dateTime(remainder.expiresAt, language: language, timeZone: zone),
                    "rolledOver": remainder.rolledOver,
                    "unit": remainder.unit.rawValue,
                ]
            },
        ]
        data["noRemainders"] = dashboard.remainders.isEmpty
        // The main actions on the first screen, for the modules the region has.
        let region = regions.region(line.region)
        data["actions"] = [
            ("payments", "/payments", "web.dashboard.action.topUp"),
            ("payments", "/promised-payment", "web.dashboard.action.promised"),
            ("tariffs", "/tariffs", "web.dashboard.action.tariff"),
            ("services", "/services", "web.dashboard.action.services"),
            ("support", "/support", "web.dashboard.action.support"),
        ].filter { region?.isEnabled(ModuleID(rawValue: $0.0)) == true }.map {
            ["path": $0.1, "title": catalog.text($0.2, in: language)]
        }
        data.merge(
            SpendingCharts.data(try await service.spending(line, months: 6), catalog: catalog, language: language)
        ) { $1 }
        if let fee = dashboard.nextFee {
            data["nextFee"] = ["date": WebDates.date(fee.on), "amount": fee.amount.displayString]
        }
        if let planned = dashboard.plannedTariff { data["planned"] = planned.name.text(in: language) }
        data["optionFees"] = dashboard.optionFees.map {
            [
                "name": $0.name.text(in: language), "amount": $0.amount.displayString, "date": WebDates.date($0.on),
            ]
        }
        return renderer.render(
            "dashboard", title: catalog.text("web.dashboard.title", in: language), context: context, data: data,
            path: "/dashboard")
    }

    func balance(_ request: Request, _ context: CabinetRequestContext) async throws -> Response {
        let line = try context.requireLine(.viewBalance)
        let language = context.language
        let parameters = request.uri.queryParameters
        let pageQuery = try PageQuery(parameters)
        let query = try BillingQueries.history(parameters, page: pageQuery, line: line, service: service)
        let items = try await service.history(line, query: query)
        let zone = regions.region(line.region)?.timeZone ?? .gmt
        let page = Array(items.prefix(pageQuery.limit))
        let selected = Set(parameters.getAll("kind"))
        // With Support on in the region, a charge can be disputed and a compensation links its ticket.
        let support = regions.region(line.region)?.isEnabled("support") == true
        var data: [String: Any] = [
            "items": page.map { movement -> [String: Any] in
                var item: [String: Any] = [
                    "at": WebDates.dateTime(movement.at, language: language, timeZone: zone),
                    "amount": movement.amount.displayString, "credit": movement.amount.isPositive,
                    "balanceAfter": movement.balanceAfter.displayString,
                    "explanation": BillingViews.explain(
                        movement, texts: texts, language: language, regions: regions, region: line.region),
                    "kind": catalog.text("billing.movement.\(movement.kind.rawValue)", in: language),
                ]
                if support, movement.amount.isNegative, line.scopes.contains(.manageServices) {
                    let size = Money(minorUnits: -movement.amount.minorUnits, currency: movement.amount.currency)
                    item["dispute"] = "/support/new?movement=\(movement.entryID)&amount=\(size.amountString)"
                }
                if support, let ticket = movement.arguments["ticket"], ticket.hasPrefix("R-") {
                    item["ticket"] = "/support/tickets/\(ticket)"
                }
                return item
            },
            "kinds": MovementKind.allCases.map { kind -> [String: Any] in
                [
                    "value": kind.rawValue, "label": catalog.text("billing.movement.\(kind.rawValue)", in: language),
                    "selected": selected.contains(kind.rawValue),
                ]
            },
            "from": parameters.get("from").map { String($0) } ?? "",
            "to": parameters.get("to").map { String($0) } ?? "",
            "empty": page.isEmpty,
        ]
        data.merge(
            SpendingCharts.data(try await service.spending(line, months: 6), catalog: catalog, language: language)
        ) { $1 }
        if items.count > pageQuery.limit, let last = page.last {
            var next = "/balance?cursor=\(last.entryID)"
            for kind in selected { next += "&kind=\(kind)" }
            if let from = parameters.get("from") { next += "&from=\(from)" }
            if let to = parameters.get("to") { next += "&to=\(to)" }
            data["next"] = next
        }
        return renderer.render(
            "balance", title: catalog.text("web.balance.title", in: language), context: context, data: data,
            path: "/balance")
    }

    func statement(_ request: Request, _ context: CabinetRequestContext, error: String?) async throws -> Response {
        let line = try context.requireLine(.viewBalance)
        let language = context.language
        let parameters = request.uri.queryParameters
        let zone = regions.region(line.region)?.timeZone ?? .gmt
        var data: [String: Any] = ["csrf": context.session?.csrfToken ?? ""]
        let selected = Set(parameters.getAll("kind"))
        data["kinds"] = UsageEvent.Kind.allCases.map { kind -> [String: Any] in
            [
                "value": kind.rawValue, "label": catalog.text("billing.total.\(kind.rawValue)", in: language),
                "selected": selected.contains(kind.rawValue),
            ]
        }
        if let price = service.rules.settings(line.region)?.statements.fullByEmail {
            data["price"] = price.isZero ? catalog.text("web.statement.free", in: language) : price.displayString
        }
        if let ordered = parameters.get("ordered") {
            data["notice"] = catalog.text(
                "web.statement.ordered", in: language, arguments: ["request": String(ordered)])
        }
        if let error { data["error"] = error }
        do {
            let (from, to) = try BillingQueries.span(parameters, clock: service, line: line)
            data["from"] = from.description
            data["to"] = to.description
            let statement = try await service.shortStatement(
                line, from: from, to: to, kinds: try BillingQueries.usageKinds(parameters),
                after: nil, limit: 200)
            data["events"] = statement.events.map { event -> [String: Any] in
                let unit = Rater.unit(of: event.kind)
                return [
                    "at": WebDates.dateTime(event.occurredAt, language: language, timeZone: zone),
                    "kind": StatementCSVRenderer.kindText(event, texts: texts, language: language),
                    "otherParty": event.otherParty ?? "",
                    "units": texts.amount(event.units, of: unit, language: language),
                    "fromPackage": texts.amount(event.fromPackage, of: unit, language: language),
                    "charged": event.charged.displayString,
                ]
            }
            data["totals"] = statement.totals.map { total -> [String: Any] in
                let unit = Rater.unit(of: total.kind)
                return [
                    "kind": catalog.text("billing.total.\(total.kind.rawValue)", in: language), "events": total.events,
                    "units": texts.amount(total.units, of: unit, language: language),
                    "charged": total.charged.displayString,
                ]
            }
            data["hasTotals"] = !statement.totals.isEmpty
            data["charged"] = statement.charged.displayString
            data["empty"] = statement.events.isEmpty
            data["more"] = statement.next != nil
        } catch let problem as CabinetError where problem.kind == .invalidInput {
            data["error"] = WebForms.explain(problem, catalog: catalog, language: language)
            data["from"] = parameters.get("from").map { String($0) } ?? ""
            data["to"] = parameters.get("to").map { String($0) } ?? ""
        }
        return renderer.render(
            "statement", title: catalog.text("web.statement.title", in: language), context: context, data: data,
            path: "/statement")
    }
}
