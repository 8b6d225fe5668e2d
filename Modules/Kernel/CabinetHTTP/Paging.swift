import CabinetCore
public import Hummingbird

/// `?limit=&cursor=` of every list in the API, read one way: `limit` is a whole number from 1 to
/// ``maximumLimit`` (``defaultLimit`` when absent) and `cursor` is the `nextCursor` of the previous page. A bad value
/// is a problem the caller sees (`request.limitInvalid`, `request.cursorInvalid`), never silently clamped.
public struct PageQuery: Sendable, Hashable {
    public static let defaultLimit = 50
    public static let maximumLimit = 200

    public var limit: Int
    /// The cursor as sent; ``cursor(_:)`` parses it.
    public var rawCursor: String?

    public init(limit: Int = PageQuery.defaultLimit, cursor: String? = nil) {
        self.limit = limit
        self.rawCursor = cursor
    }

    /// Reads `limit` and `cursor` from a request's query.
    public init(_ request: Request) throws {
        try self.init(request.uri.queryParameters)
    }

    public init(_ parameters: Parameters) throws {
        let maximum = PageQuery.maximumLimit
        if let text = parameters.get("limit") {
            guard let value = Int(text), (1...maximum).contains(value) else {
                throw CabinetError.validation([
                    FieldError(
                        field: "limit", code: KernelError.limitInvalid,
                        arguments: ["value": String(text), "max": String(maximum)])
                ])
            }
            limit = value
        } else {
            limit = PageQuery.defaultLimit
        }
        rawCursor = parameters.get("cursor").map { String($0) }.flatMap { $0.isEmpty ? nil : $0 }
    }

    /// The cursor parsed by `parse`; `nil` when none was sent; `request.cursorInvalid` when it does not parse.
    public func cursor<T>(_ parse: (String) -> T?) throws -> T? {
        guard let rawCursor else { return nil }
        guard let value = parse(rawCursor) else {
            throw CabinetError.validation([FieldError(field: "cursor", code: KernelError.cursorInvalid)])
        }
        return value
    }

    /// How many items to fetch: one more than the page, which tells whether a next page exists.
    public var fetchLimit: Int { limit + 1 }
}

/// One page of a list: `{"items": […], "nextCursor": "…"}`, `nextCursor` only when more items exist.
public struct Page<Item: Encodable & Sendable>: Encodable, Sendable {
    public var items: [Item]
    public var nextCursor: String?

    public init(items: [Item], nextCursor: String?) {
        self.items = items
        self.nextCursor = nextCursor
    }

    /// A page from up to `query.fetchLimit` fetched rows: keeps `query.limit` of them, converted by `item`, and sets
    /// `nextCursor` from the last kept row when an extra row shows that more exist.
    public init<Row>(_ rows: [Row], query: PageQuery, cursor: (Row) -> String, item: (Row) throws -> Item) rethrows {
        let kept = rows.prefix(query.limit)
        items = try kept.map(item)
        nextCursor = rows.count > query.limit ? kept.last.map(cursor) : nil
    }

    private enum CodingKeys: String, CodingKey { case items, nextCursor }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(items, forKey: .items)
        try container.encodeIfPresent(nextCursor, forKey: .nextCursor)
    }
}
