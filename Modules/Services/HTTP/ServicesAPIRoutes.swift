import CabinetCore
import CabinetHTTP
import Foundation
import Hummingbird
import Services

/// `/api/v1/me/services…`: the catalogue, a connection's preview, connecting and disconnecting.
struct ServicesAPIRoutes {
    let service: any ServicesService
    let idempotency: IdempotentRequests
    let catalog: MessageCatalog

    /// `/operator/v1/lines/{msisdn}/options…`: the operator connects and disconnects options on any line, with the
    /// subscriber's rules and records. Its requests are keyed per line too.
    func add(operatorAPI: RouterGroup<CabinetRequestContext>) {
        operatorAPI.get("lines/:msisdn/options") { _, context in
            let msisdn = try Self.msisdn(context)
            let items = try await service.operatorCatalogue(of: msisdn).map {
                OptionDTO($0, language: context.language)
            }
            return try Response.json(Page(items: items, nextCursor: nil))
        }
        operatorAPI.post("lines/:msisdn/options/:id") { request, context in
            let msisdn = try Self.msisdn(context)
            return try await idempotency.run(request, context: context, scope: "operator:\(msisdn.e164)") { request in
                let body = try await Self.body(request, context: context)
                let record = try await service.operatorConnect(
                    try ServicesTexts.optionID(context), on: msisdn, replacing: try body.options())
                return (.created, try JSONEncoder.apiBody(ServiceRequestDTO(record)))
            }
        }
        operatorAPI.delete("lines/:msisdn/options/:id") { request, context in
            let msisdn = try Self.msisdn(context)
            return try await idempotency.run(request, context: context, scope: "operator:\(msisdn.e164)") { _ in
                let record = try await service.operatorDisconnect(try ServicesTexts.optionID(context), on: msisdn)
                return (.ok, try JSONEncoder.apiBody(ServiceRequestDTO(record)))
            }
        }
    }

    static func msisdn(_ context: CabinetRequestContext) throws -> MSISDN {
        let raw = context.parameters.get("msisdn") ?? ""
        return try MSISDNField.parse(raw.removingPercentEncoding ?? raw, field: "msisdn")
    }

    func add(to api: RouterGroup<CabinetRequestContext>) {
        api.get("me/services") { _, context in
            let line = try context.requireLine(.viewBalance)
            let items = try await service.catalogue(for: line).map { OptionDTO($0, language: context.language) }
            return try Response.json(Page(items: items, nextCursor: nil))
        }
        api.post("me/services/:id/preview") { _, context in
            let line = try context.requireLine(.viewBalance)
            let preview = try await service.preview(try ServicesTexts.optionID(context), for: line)
            return try Response.json(PreviewDTO(preview, language: context.language, catalog: catalog))
        }
        // Connecting may charge: an Idempotency-Key makes a repeat return the first answer and charge once.
        api.post("me/services/:id") { request, context in
            let line = try context.requireLine(.manageServices)
            return try await idempotency.run(request, context: context, scope: "line:\(line.subscriberID.rawValue)") {
                request in
                let body = try await Self.body(request, context: context)
                let record = try await service.connect(
                    try ServicesTexts.optionID(context), for: line, replacing: try body.options())
                return (.created, try JSONEncoder.apiBody(ServiceRequestDTO(record)))
            }
        }
        api.delete("me/services/:id") { request, context in
            let line = try context.requireLine(.manageServices)
            return try await idempotency.run(request, context: context, scope: "line:\(line.subscriberID.rawValue)") {
                _ in
                let record = try await service.disconnect(try ServicesTexts.optionID(context), for: line)
                return (.ok, try JSONEncoder.apiBody(ServiceRequestDTO(record)))
            }
        }
    }

    /// The body is optional: an empty one replaces nothing.
    static func body(_ request: Request, context: CabinetRequestContext) async throws -> ConnectBody {
        var request = request
        let buffer = try await request.collectBody(upTo: 64 << 10)
        guard buffer.readableBytes > 0 else { return ConnectBody(replace: nil) }
        return try await request.decodeJSON(as: ConnectBody.self, context: context)
    }
}
