public import CabinetCore
public import CabinetHTTP
public import Foundation
import HTTPTypes
import Hummingbird
public import Tariffs

/// The HTTP face of Tariffs: the catalogue, the line's tariff, preview and change (API and pages).
public struct TariffsHTTPModule: HTTPModule {
    let service: any TariffsService
    /// `Idempotency-Key` on tariff changes (they may charge a fee).
    let idempotency: IdempotentRequests

    public init(service: any TariffsService, idempotency: IdempotentRequests) {
        self.service = service
        self.idempotency = idempotency
    }

    public var moduleID: ModuleID { TariffsModule.id }

    public var templateDirectories: [URL] {
        Bundle.module.url(forResource: "templates", withExtension: nil).map { [$0] } ?? []
    }

    public var navigation: [WebRenderer.NavigationItem] {
        [.init(path: "/tariffs", titleKey: "web.nav.tariffs", whenLoggedIn: true, order: 20, section: .plan)]
    }

    public func addRoutes(to routes: ModuleRoutes) {
        TariffAPIRoutes(service: service, catalog: routes.renderer.catalog, idempotency: idempotency).add(
            to: routes.api)
        TariffWebRoutes(service: service, renderer: routes.renderer).add(to: routes.web)
    }
}

/// `/api/v1/tariffs` and `/api/v1/me/tariff…`.
struct TariffAPIRoutes {
    let service: any TariffsService
    let catalog: MessageCatalog
    let idempotency: IdempotentRequests

    func add(to api: RouterGroup<CabinetRequestContext>) {
        api.get("tariffs") { request, context in
            // The acting line's region; without a session, the region asked for (the public catalogue).
            let region: RegionID
            if let line = context.line {
                region = line.region
            } else {
                let asked = request.uri.queryParameters.get("region").map { String($0) } ?? ""
                guard let id = RegionID(rawValue: asked), service.serves(region: id) else {
                    throw CabinetError.validation([
                        FieldError(field: "region", code: "tariffs.regionUnknown", arguments: ["value": asked])
                    ])
                }
                region = id
            }
            struct Catalogue: Encodable { var region: String; var items: [TariffDTO] }
            return try Response.json(
                Catalogue(
                    region: region.rawValue,
                    items: service.openTariffs(in: region).map { TariffDTO($0, language: context.language) }))
        }
        api.get("me/tariff") { _, context in
            let line = try context.requireLine(.viewBalance)
            return try Response.json(
                try await TariffViews.lineTariff(
                    line, service: service,
                    language: context.language))
        }
        api.post("me/tariff/preview") { request, context in
            let line = try context.requireLine(.manageServices)
            let (tariff, timing) = try await request.decodeJSON(as: ChangeBody.self, context: context).parsed()
            let preview = try await service.preview(line: line, to: tariff, timing: timing)
            return try Response.json(PreviewDTO(preview, language: context.language, catalog: catalog))
        }
        // The change is a request record (done at once, or pending until the next period): 201 with the record and
        // the preview it was made on. A repeat with the same key gets this first answer and changes nothing.
        api.post("me/tariff/change") { request, context in
            let line = try context.requireLine(.manageServices)
            return try await idempotency.run(request, context: context, scope: "line:\(line.subscriberID.rawValue)") {
                request in
                let (tariff, timing) = try await request.decodeJSON(as: ChangeBody.self, context: context).parsed()
                let (record, preview) = try await service.change(line: line, to: tariff, timing: timing)
                struct Changed: Encodable { var request: ServiceRequestDTO; var preview: PreviewDTO }
                return (
                    .created,
                    try JSONEncoder.apiBody(
                        Changed(
                            request: ServiceRequestDTO(record),
                            preview: PreviewDTO(preview, language: context.language, catalog: catalog)))
                )
            }
        }
    }
}

/// Views shared by the API and the pages.
enum TariffViews {
    static func lineTariff(
        _ line: LineAccess, service: any TariffsService, language: Language
    )
        async throws -> LineTariffDTO
    {
        let now = service.now
        let history = try await service.history(of: line.subscriberID)
        guard let current = history.first(where: { $0.covers(now) }),
            let tariff = service.tariff(current.tariffID, in: line.region)
        else { throw CabinetError(TariffsError.noTariff) }
        func span(_ item: LineTariff) -> LineTariffDTO.Span {
            LineTariffDTO.Span(
                tariff: item.tariffID.rawValue,
                name: service.tariff(item.tariffID, in: line.region)?.name.text(in: language) ?? item.tariffID.rawValue,
                since: item.since, until: item.until, request: item.requestID.map { ServiceRequest.number(for: $0) })
        }
        return LineTariffDTO(
            current: TariffDTO(tariff, language: language), since: current.since,
            planned: history.first { $0.since > now }.map(span), history: history.filter { $0.since <= now }.map(span))
    }
}
