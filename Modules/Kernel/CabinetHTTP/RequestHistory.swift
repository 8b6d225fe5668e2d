public import CabinetCore
public import Foundation
public import Hummingbird

/// A request record as JSON: `{"id": "R-000042", "kind", "status", "createdAt", "updatedAt", "detail"}` (DESIGN §6).
public struct ServiceRequestDTO: Encodable, Sendable {
    public var id: String
    public var kind: String
    public var status: String
    public var createdAt: Date
    public var updatedAt: Date
    public var detail: String?

    public init(_ request: ServiceRequest) {
        id = request.number
        kind = request.kind
        status = request.status.rawValue
        createdAt = request.createdAt
        updatedAt = request.updatedAt
        detail = request.detail
    }
}

/// `GET /api/v1/me/requests` and the web page `/requests`: every self-service request of the acting line.
public struct RequestHistoryRoutes: Sendable {
    let registry: any RequestRegistry
    let renderer: WebRenderer

    public init(registry: any RequestRegistry, renderer: WebRenderer) {
        self.registry = registry
        self.renderer = renderer
    }

    public func add(api: RouterGroup<CabinetRequestContext>, web: RouterGroup<CabinetRequestContext>) {
        api.get("me/requests") { request, context in
            let line = try context.requireLine(.viewBalance)
            let query = try PageQuery(request)
            let items = try await registry.requests(
                of: line.subscriberID, before: try query.cursor(ServiceRequest.id(fromNumber:)),
                limit: query.fetchLimit)
            return try Response.json(Page(items, query: query, cursor: \.number, item: ServiceRequestDTO.init))
        }
        api.get("me/requests/:number") { _, context in
            let line = try context.requireLine(.viewBalance)
            guard let id = context.parameters.get("number").flatMap(ServiceRequest.id(fromNumber:)),
                let found = try await registry.request(id), found.subscriberID == line.subscriberID
            else { throw CabinetError(KernelError.requestNotFound) }
            return try Response.json(ServiceRequestDTO(found))
        }
        web.get("requests") { _, context in
            let line = try context.requireLine(.viewBalance)
            let language = context.language
            let catalog = renderer.catalog
            let items = try await registry.requests(of: line.subscriberID, before: nil, limit: 100).map {
                item -> [String: Any] in
                [
                    "number": item.number,
                    "kind": catalog.contains("requests.kind.\(item.kind)", in: language)
                        ? catalog.text("requests.kind.\(item.kind)", in: language) : item.kind,
                    "status": catalog.text("requests.status.\(item.status.rawValue)", in: language),
                    "statusCode": item.status.rawValue,
                    "createdAt": WebDates.dateTime(item.createdAt, language: language),
                    "updatedAt": WebDates.dateTime(item.updatedAt, language: language),
                    "detail": item.detail.map {
                        catalog.contains($0, in: language) ? catalog.text($0, in: language) : $0
                    } ?? "",
                ]
            }
            return renderer.render(
                "requests", title: catalog.text("web.requests.title", in: language), context: context,
                data: ["items": items, "empty": items.isEmpty], path: "/requests")
        }
    }
}

/// Dates and times on web pages (Moscow time unless a module passes the region's zone).
public enum WebDates {
    public static func dateTime(
        _ instant: Date, language: Language, timeZone: TimeZone = TimeZone(identifier: "Europe/Moscow") ?? .gmt
    )
        -> String
    {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute], from: instant)
        return "\(two(c.day)).\(two(c.month)).\(c.year ?? 1970) \(two(c.hour)):\(two(c.minute))"
    }

    public static func date(_ date: LocalDate) -> String { "\(two(date.day)).\(two(date.month)).\(date.year)" }

    static func two(_ value: Int?) -> String {
        let v = value ?? 0
        return v < 10 ? "0\(v)" : "\(v)"
    }
}
