public import Foundation

/// A self-service change as the subscriber follows it: a number (`R-000042`), a kind, a status and times.
/// Every module that changes something on request of a subscriber records one (DESIGN §6).
public struct ServiceRequest: Sendable, Hashable, Identifiable {
    public enum Status: String, Sendable, Hashable, CaseIterable, Codable {
        case pending, processing, done, rejected, failed
    }

    public var id: Int64
    public var subscriberID: SubscriberID
    /// What was asked for, e.g. `tariff.change`, `billing.statement`.
    public var kind: String
    public var status: Status
    public var createdAt: Date
    public var updatedAt: Date
    /// A short machine-readable detail (target tariff, period) or the reason of a refusal.
    public var detail: String?

    public init(
        id: Int64, subscriberID: SubscriberID, kind: String, status: Status, createdAt: Date, updatedAt: Date,
        detail: String?
    ) {
        self.id = id
        self.subscriberID = subscriberID
        self.kind = kind
        self.status = status
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.detail = detail
    }

    /// `R-000042`: what the subscriber quotes to support.
    public var number: String { Self.number(for: id) }

    /// The number of the request with this id.
    public static func number(for id: Int64) -> String {
        let digits = String(id)
        return "R-" + String(repeating: "0", count: max(0, 6 - digits.count)) + digits
    }

    /// Parses `R-000042` (or `42`) back into an id.
    public static func id(fromNumber text: String) -> Int64? {
        let digits = text.hasPrefix("R-") ? String(text.dropFirst(2)) : text
        return Int64(digits)
    }
}

/// One step of a request's life: the status it took, when, and the detail it carried then.
public struct ServiceRequestEvent: Sendable, Hashable {
    public var status: ServiceRequest.Status
    public var at: Date
    public var detail: String?

    public init(status: ServiceRequest.Status, at: Date, detail: String?) {
        self.status = status
        self.at = at
        self.detail = detail
    }
}

/// Which of a line's requests to list: by kind (exact, or every kind of a module with `support.*`), status and the
/// day it was made (from, inclusive, to, exclusive).
public struct ServiceRequestFilter: Sendable, Hashable {
    public var kinds: [String]
    public var statuses: Set<ServiceRequest.Status>
    public var from: Date?
    public var to: Date?

    public init(kinds: [String] = [], statuses: Set<ServiceRequest.Status> = [], from: Date? = nil, to: Date? = nil) {
        self.kinds = kinds
        self.statuses = statuses
        self.from = from
        self.to = to
    }

    public var isEmpty: Bool { kinds.isEmpty && statuses.isEmpty && from == nil && to == nil }

    /// Whether `request` passes the filter (what the SQL query selects, for stores kept in memory).
    public func matches(_ request: ServiceRequest) -> Bool {
        if !kinds.isEmpty, !kinds.contains(where: { Self.kind($0, matches: request.kind) }) { return false }
        if !statuses.isEmpty, !statuses.contains(request.status) { return false }
        if let from, request.createdAt < from { return false }
        if let to, request.createdAt >= to { return false }
        return true
    }

    /// `support.*` matches every kind that starts with `support.`; anything else matches itself.
    public static func kind(_ pattern: String, matches kind: String) -> Bool {
        pattern.hasSuffix(".*") ? kind.hasPrefix(String(pattern.dropLast())) : kind == pattern
    }
}

/// Where request records are kept; the SQL implementation also offers writes inside a caller's transaction.
public protocol RequestRegistry: Sendable {
    func open(kind: String, subscriber: SubscriberID, status: ServiceRequest.Status, detail: String?, at now: Date)
        async throws
        -> ServiceRequest
    func update(_ id: Int64, status: ServiceRequest.Status, detail: String?, at now: Date) async throws
    func requests(of subscriber: SubscriberID, before cursor: Int64?, limit: Int) async throws -> [ServiceRequest]
    func request(_ id: Int64) async throws -> ServiceRequest?
    /// The line's requests that pass `filter`, newest first.
    func requests(of subscriber: SubscriberID, matching filter: ServiceRequestFilter, before cursor: Int64?, limit: Int)
        async throws -> [ServiceRequest]
    /// Every status the request took, oldest first.
    func events(of request: Int64) async throws -> [ServiceRequestEvent]
}

extension RequestRegistry {
    /// Filters pages of the unfiltered list (stores kept in memory are small).
    public func requests(
        of subscriber: SubscriberID, matching filter: ServiceRequestFilter, before cursor: Int64?, limit: Int
    ) async throws -> [ServiceRequest] {
        guard !filter.isEmpty else { return try await requests(of: subscriber, before: cursor, limit: limit) }
        var found: [ServiceRequest] = []
        var position = cursor
        while found.count < limit {
            let page = try await requests(of: subscriber, before: position, limit: 200)
            found += page.filter(filter.matches)
            guard page.count == 200, let last = page.last else { break }
            position = last.id
        }
        return Array(found.prefix(limit))
    }

    /// Without a history of its own: the request's opening and, when it changed since, its present status.
    public func events(of id: Int64) async throws -> [ServiceRequestEvent] {
        guard let request = try await request(id) else { return [] }
        guard request.updatedAt != request.createdAt else {
            return [ServiceRequestEvent(status: request.status, at: request.createdAt, detail: request.detail)]
        }
        return [
            ServiceRequestEvent(status: .pending, at: request.createdAt, detail: nil),
            ServiceRequestEvent(status: request.status, at: request.updatedAt, detail: request.detail),
        ]
    }
}
