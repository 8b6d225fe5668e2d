import Billing
import CabinetCore
import CabinetHTTP
import Foundation
import Hummingbird
import Tariffs

/// «Подобрать тариф»: `GET /api/v1/me/tariff/advice` and the page `/tariffs/advice` — every open tariff priced on the
/// line's usage of the last three whole months, cheapest first, each one tap from its change preview.
struct AdviceRoutes {
    let service: any BillingService
    let renderer: WebRenderer
    let regions: RegionCatalog

    var catalog: MessageCatalog { renderer.catalog }

    func add(api: RouterGroup<CabinetRequestContext>, web: RouterGroup<CabinetRequestContext>) {
        api.get("me/tariff/advice") { _, context in
            let line = try context.requireLine(.viewBalance)
            let advice = try await service.advice(line)
            return try Response.json(
                AdviceDTO(advice, language: context.language, reason: { reason($0, language: context.language) }))
        }
        web.get("tariffs/advice") { _, context in
            let line = try context.requireLine(.viewBalance)
            let language = context.language
            let advice = try await service.advice(line)
            let zone = regions.region(line.region)?.timeZone ?? .gmt
            let items = advice.estimates.map { estimate -> [String: Any] in
                let saving = estimate.savingPerMonth
                return [
                    "id": estimate.tariff.id.rawValue, "name": estimate.tariff.name.text(in: language),
                    "perMonth": estimate.perMonth.displayString, "current": estimate.isCurrent,
                    "saves": !estimate.isCurrent && saving.isPositive,
                    "costsMore": !estimate.isCurrent && saving.isNegative,
                    "saving": Money(
                        minorUnits: saving.minorUnits == .min ? .max : abs(saving.minorUnits), currency: saving.currency
                    ).displayString,
                    "reason": reason(estimate, language: language),
                    // One tap to the change's preview, with the timing the tariff's card would offer first.
                    "timing": TariffChangeTiming.allCases.first(where: estimate.tariff.allows)?.rawValue ?? "",
                    "canChange": line.scopes.contains(.manageServices),
                ]
            }
            let period = catalog.text(
                "web.advice.window", in: language,
                arguments: [
                    "from": WebDates.date(LocalDate(advice.from, in: zone)),
                    "to": WebDates.date(LocalDate(advice.to.addingTimeInterval(-1), in: zone)),
                    "events": String(advice.events),
                ])
            return renderer.render(
                "advice", title: catalog.text("web.advice.title", in: language), context: context,
                data: ["items": items, "window": period, "csrf": context.session?.csrfToken ?? ""], path: "/tariffs")
        }
    }

    /// "On average 130 min, 16 SMS and 3.2 GB a month; «Premium» includes 300 min, 50 SMS and 5 GB."
    func reason(_ estimate: TariffEstimate, language: Language) -> String {
        let used = estimate.usedPerMonth
        let packages = estimate.tariff.packages
        return catalog.text(
            packages.minutes + packages.sms + packages.megabytes > 0
                ? "web.advice.reason" : "web.advice.reasonNoPackage",
            in: language,
            arguments: [
                "minutes": String(used[.seconds] ?? 0), "sms": String(used[.sms] ?? 0),
                "data": gigabytes(used[.kilobytes] ?? 0, language: language),
                "name": estimate.tariff.name.text(in: language),
                "pMinutes": String(packages.minutes), "pSMS": String(packages.sms),
                "pData": gigabytes(Int64(packages.megabytes), language: language),
            ])
    }

    /// Megabytes as gigabytes with one decimal (3,2 ГБ / 3.2 GB).
    func gigabytes(_ megabytes: Int64, language: Language) -> String {
        let tenths = (megabytes * 10 + 512) / 1024
        let separator = language == .ru ? "," : "."
        return "\(tenths / 10)\(separator)\(tenths % 10)"
    }
}

struct AdviceDTO: Encodable, Sendable {
    struct Item: Encodable, Sendable {
        var tariff: String
        var name: String
        var current: Bool
        var total: Money
        var perMonth: Money
        var savingPerMonth: Money
        var fees: Money
        var usage: Money
        var recurring: Money
        var reason: String
        /// The tariff's page, where its change is previewed.
        var page: String
    }

    var from: Date
    var to: Date
    var months: Int
    var events: Int
    var items: [Item]

    init(_ advice: TariffAdvice, language: Language, reason: (TariffEstimate) -> String) {
        from = advice.from
        to = advice.to
        months = advice.months
        events = advice.events
        items = advice.estimates.map {
            Item(
                tariff: $0.tariff.id.rawValue, name: $0.tariff.name.text(in: language), current: $0.isCurrent,
                total: $0.total, perMonth: $0.perMonth, savingPerMonth: $0.savingPerMonth, fees: $0.fees,
                usage: $0.usage, recurring: $0.recurring, reason: reason($0), page: "/tariffs/\($0.tariff.id.rawValue)")
        }
    }
}
