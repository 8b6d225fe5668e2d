public import CabinetCore
public import Foundation
public import Hummingbird

/// A request record as JSON: `{"id": "R-000042", "kind", "status", "createdAt", "updatedAt", "detail"}` (DESIGN §6),
/// with `events` (each status it took, with its time) on a single request's answer.
public struct ServiceRequestDTO: Encodable, Sendable {
    public struct Event: Encodable, Sendable {
        public var status: String
        public var at: Date
        public var detail: String?
    }

    public var id: String
    public var kind: String
    public var status: String
    public var createdAt: Date
    public var updatedAt: Date
    public var detail: String?
    public var events: [Event]?

    public init(_ request: ServiceRequest, events: [ServiceRequestEvent]? = nil) {
        id = request.number
        kind = request.kind
        status = request.status.rawValue
        createdAt = request.createdAt
        updatedAt = request.updatedAt
        detail = request.detail
        self.events = events?.map { Event(status: $0.status.rawValue, at: $0.at, detail: $0.detail) }
    }
}

/// `GET /api/v1/me/requests` and the web page `/requests`: every self-service request of the acting line from every
/// module, filtered by kind (`support.*` for a module's kinds), status and date (in the line's region's time zone),
/// and each request's page with the statuses it took.
public struct RequestHistoryRoutes: Sendable {
    let registry: any RequestRegistry
    let renderer: WebRenderer
    let regions: RegionCatalog

    public init(registry: any RequestRegistry, renderer: WebRenderer, regions: RegionCatalog) {
        self.registry = registry
        self.renderer = renderer
        self.regions = regions
    }

    /// The request's modules' kinds offered as filters on the page (a module's prefix with `.*`).
    static let kindFilters = [
        "tariff.*", "billing.*", "payments.*", "services.*", "support.*", "auth.*", "subscribers.*",
    ]

    public func add(api: RouterGroup<CabinetRequestContext>, web: RouterGroup<CabinetRequestContext>) {
        api.get("me/requests") { request, context in
            let line = try context.requireLine(.viewBalance)
            let query = try PageQuery(request)
            let filter = try filter(request.uri.queryParameters, line: line)
            let items = try await registry.requests(
                of: line.subscriberID, matching: filter, before: try query.cursor(ServiceRequest.id(fromNumber:)),
                limit: query.fetchLimit)
            return try Response.json(Page(items, query: query, cursor: \.number, item: { ServiceRequestDTO($0) }))
        }
        api.get("me/requests/:number") { _, context in
            let line = try context.requireLine(.viewBalance)
            let found = try await request(context.parameters.get("number"), of: line)
            return try Response.json(ServiceRequestDTO(found, events: try await registry.events(of: found.id)))
        }
        web.get("requests") { request, context in
            let line = try context.requireLine(.viewBalance)
            let parameters = request.uri.queryParameters
            let language = context.language
            let catalog = renderer.catalog
            let filter: ServiceRequestFilter
            var problem = ""
            do {
                filter = try self.filter(parameters, line: line)
            } catch let error as CabinetError {
                filter = ServiceRequestFilter()
                problem = WebForms.explain(error, catalog: catalog, language: language)
            }
            let zone = timeZone(of: line)
            let items = try await registry.requests(of: line.subscriberID, matching: filter, before: nil, limit: 100)
                .map { row(for: $0, language: language, zone: zone) }
            let chosenKind = parameters.get("kind") ?? ""
            let chosenStatus = parameters.get("status") ?? ""
            let kinds = Self.kindFilters.map { kind -> [String: Any] in
                [
                    "value": kind, "selected": kind == chosenKind,
                    "label": catalog.text("web.requests.filter.\(kind.dropLast(2))", in: language),
                ]
            }
            let statuses = ServiceRequest.Status.allCases.map { status -> [String: Any] in
                [
                    "value": status.rawValue, "selected": status.rawValue == chosenStatus,
                    "label": catalog.text("requests.status.\(status.rawValue)", in: language),
                ]
            }
            return renderer.render(
                "requests", title: catalog.text("web.requests.title", in: language), context: context,
                data: [
                    "items": items, "empty": items.isEmpty, "kinds": kinds, "statuses": statuses,
                    "from": parameters.get("from") ?? "", "to": parameters.get("to") ?? "", "problem": problem,
                    "filtered": !filter.isEmpty,
                ], path: "/requests")
        }
        web.get("requests/:number") { _, context in
            let line = try context.requireLine(.viewBalance)
            let found = try await request(context.parameters.get("number"), of: line)
            let language = context.language
            let zone = timeZone(of: line)
            let events = try await registry.events(of: found.id).map { event -> [String: Any] in
                [
                    "status": renderer.catalog.text("requests.status.\(event.status.rawValue)", in: language),
                    "statusCode": event.status.rawValue,
                    "at": WebDates.dateTime(event.at, language: language, timeZone: zone),
                    "detail": event.detail.map { explain($0, language: language) } ?? "",
                ]
            }
            let title = renderer.catalog.text("web.requests.one", in: language, arguments: ["number": found.number])
            return renderer.render(
                "request", title: title, context: context,
                data: ["request": row(for: found, language: language, zone: zone), "events": events],
                path: "/requests")
        }
    }

    func request(_ number: String?, of line: LineAccess) async throws -> ServiceRequest {
        guard let id = number.flatMap(ServiceRequest.id(fromNumber:)), let found = try await registry.request(id),
            found.subscriberID == line.subscriberID
        else { throw CabinetError(KernelError.requestNotFound) }
        return found
    }

    func timeZone(of line: LineAccess) -> TimeZone {
        regions.region(line.region)?.timeZone ?? TimeZone(identifier: "Europe/Moscow") ?? .gmt
    }

    func explain(_ detail: String, language: Language) -> String {
        renderer.catalog.contains(detail, in: language) ? renderer.catalog.text(detail, in: language) : detail
    }

    func row(for item: ServiceRequest, language: Language, zone: TimeZone) -> [String: Any] {
        let catalog = renderer.catalog
        return [
            "number": item.number,
            "kind": catalog.contains("requests.kind.\(item.kind)", in: language)
                ? catalog.text("requests.kind.\(item.kind)", in: language) : item.kind,
            "status": catalog.text("requests.status.\(item.status.rawValue)", in: language),
            "statusCode": item.status.rawValue,
            "createdAt": WebDates.dateTime(item.createdAt, language: language, timeZone: zone),
            "updatedAt": WebDates.dateTime(item.updatedAt, language: language, timeZone: zone),
            "detail": item.detail.map { explain($0, language: language) } ?? "",
        ]
    }

    /// `?kind=` (repeatable, `support.*` for a module), `?status=` (repeatable), `?from=&to=` (local dates, both
    /// inclusive). A value that does not parse is a problem naming the field.
    func filter(_ parameters: Parameters, line: LineAccess) throws -> ServiceRequestFilter {
        var problems: [FieldError] = []
        let kinds = parameters.getAll("kind").map { String($0) }.filter { !$0.isEmpty }
        for kind in kinds
        where kind.count > 64 || !kind.allSatisfy({ $0.isASCII && ($0.isLetter || ".*-_".contains($0)) }) {
            problems.append(FieldError(field: "kind", code: KernelError.fieldInvalid, arguments: ["value": kind]))
        }
        var statuses: Set<ServiceRequest.Status> = []
        for text in parameters.getAll("status").map({ String($0) }) where !text.isEmpty {
            if let status = ServiceRequest.Status(rawValue: text) {
                statuses.insert(status)
            } else {
                problems.append(FieldError(field: "status", code: KernelError.fieldInvalid, arguments: ["value": text]))
            }
        }
        let zone = timeZone(of: line)
        func day(_ name: String) -> LocalDate? {
            guard let text = parameters.get(name), !text.isEmpty else { return nil }
            guard let date = LocalDate(String(text)) else {
                problems.append(FieldError(field: name, code: KernelError.fieldInvalid, arguments: ["value": text]))
                return nil
            }
            return date
        }
        let from = day("from")
        let to = day("to")
        guard problems.isEmpty else { throw CabinetError.validation(problems) }
        return ServiceRequestFilter(
            kinds: kinds, statuses: statuses, from: from?.startOfDay(in: zone),
            to: to?.adding(days: 1).startOfDay(in: zone))
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
