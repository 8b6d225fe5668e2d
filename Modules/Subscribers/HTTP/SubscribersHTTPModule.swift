public import CabinetCore
public import CabinetHTTP
import Foundation
import Hummingbird
public import Subscribers

/// The operator's provisioning API of the line registry:
/// `POST /operator/v1/subscribers`, `GET` and `PATCH /operator/v1/subscribers/{msisdn}`, `GET /operator/v1/subscribers`.
public struct SubscribersHTTPModule: HTTPModule {
    private let service: any SubscriberService

    public init(service: any SubscriberService) {
        self.service = service
    }

    public var moduleID: ModuleID { SubscribersModule.id }

    public func addRoutes(to routes: ModuleRoutes) {
        guard let group = routes.operatorAPI?.group("subscribers") else { return }
        group.post { request, context in
            let body = try await request.decodeJSON(as: ProvisionRequest.self, context: context)
            let line = try await service.provision(try body.newLine())
            var response = try Response.json(LineDTO(line), status: .created)
            response.headers[.location] = "/operator/v1/subscribers/\(line.msisdn.e164)"
            return response
        }
        group.get { request, context in
            let region = try request.uri.queryParameters.get("region").map { text -> RegionID in
                guard let id = RegionID(rawValue: text) else {
                    throw CabinetError(SubscribersError.unknownRegion, arguments: ["region": text])
                }
                return id
            }
            let query = try PageQuery(request)
            let lines = try await service.lines(
                region: region, after: try query.cursor { try? MSISDN(parsing: $0) },
                limit: query.fetchLimit)
            return try Response.json(Page(lines, query: query, cursor: \.msisdn.e164, item: LineDTO.init))
        }
        group.get(":msisdn") { _, context in
            let msisdn = try msisdnParameter("msisdn", in: context)
            guard let line = try await service.line(msisdn: msisdn) else {
                throw CabinetError(SubscribersError.notFound, arguments: ["msisdn": msisdn.formatted])
            }
            return try Response.json(LineDTO(line))
        }
        group.patch(":msisdn") { request, context in
            let msisdn = try msisdnParameter("msisdn", in: context)
            let body = try await request.decodeJSON(as: PatchRequest.self, context: context)
            guard body.problems.isEmpty else { throw CabinetError.validation(body.problems) }
            return try Response.json(LineDTO(try await service.update(msisdn: msisdn, with: body.patch)))
        }
    }
}
