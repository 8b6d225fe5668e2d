import CabinetCore
import CabinetHTTP
import Foundation
import Hummingbird
import Services

/// `GET /api/v1/roaming?country=` and the `/roaming` page: the line's roaming prices by country, and whether roaming is
/// barred on it.
struct RoamingRoutes {
    let service: any ServicesService
    let renderer: WebRenderer

    var catalog: MessageCatalog { renderer.catalog }

    func add(api: RouterGroup<CabinetRequestContext>, web: RouterGroup<CabinetRequestContext>) {
        api.get("roaming") { request, context in
            let line = try context.requireLine(.viewBalance)
            let query = request.uri.queryParameters.get("country") ?? ""
            let view = try await service.roaming(for: line, country: query, language: context.language)
            return try Response.json(RoamingDTO(view, language: context.language))
        }
        web.get("roaming") { request, context in
            let line = try context.requireLine(.viewBalance)
            let language = context.language
            let query = request.uri.queryParameters.get("country") ?? ""
            let view = try await service.roaming(for: line, country: query, language: language)
            var data: [String: Any] = [
                "query": query,
                "countries": view.matches.map { match -> [String: Any] in
                    let prices = match.zone.prices
                    return [
                        "code": match.country.code, "name": match.country.name.text(in: language),
                        "zone": match.zone.name.text(in: language),
                        "incoming": prices.incomingMinute.displayString,
                        "outgoing": prices.outgoingMinute.displayString, "sms": prices.sms.displayString,
                        "megabyte": prices.megabyte.displayString,
                        "packages": match.zone.packages.map {
                            [
                                "name": $0.name.text(in: language), "price": $0.price.displayString,
                                "days": String($0.days),
                            ]
                        },
                    ]
                },
                "none": view.matches.isEmpty,
            ]
            if let barred = view.barredBy {
                data["barred"] = catalog.text(
                    "web.roaming.barred", in: language, arguments: ["option": barred.option.name.text(in: language)])
            }
            return renderer.render(
                "roaming", title: catalog.text("web.roaming.title", in: language), context: context, data: data,
                path: "/roaming")
        }
    }
}

/// `{"barred", "barredBy"?, "items": [{"code", "name", "zone", "prices", "packages"}]}`.
struct RoamingDTO: Encodable, Sendable {
    struct Prices: Encodable, Sendable {
        var incomingMinute: Money
        var outgoingMinute: Money
        var sms: Money
        var megabyte: Money
    }
    struct Package: Encodable, Sendable {
        var name: String
        var megabytes: Int
        var days: Int
        var price: Money
    }
    struct Zone: Encodable, Sendable {
        var id: String
        var name: String
    }
    struct Item: Encodable, Sendable {
        var code: String
        var name: String
        var zone: Zone
        var prices: Prices
        var packages: [Package]
    }

    var barred: Bool
    /// The option that bars roaming (switched off on `/services`, unless the tariff includes it).
    var barredBy: String?
    var items: [Item]

    init(_ view: RoamingView, language: Language) {
        barred = view.barredBy != nil
        barredBy = view.barredBy?.option.id.rawValue
        items = view.matches.map { match in
            let prices = match.zone.prices
            return Item(
                code: match.country.code, name: match.country.name.text(in: language),
                zone: Zone(id: match.zone.id, name: match.zone.name.text(in: language)),
                prices: Prices(
                    incomingMinute: prices.incomingMinute, outgoingMinute: prices.outgoingMinute, sms: prices.sms,
                    megabyte: prices.megabyte),
                packages: match.zone.packages.map {
                    Package(name: $0.name.text(in: language), megabytes: $0.megabytes, days: $0.days, price: $0.price)
                })
        }
    }
}
