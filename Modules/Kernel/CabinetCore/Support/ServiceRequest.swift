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

/// Where request records are kept; the SQL implementation also offers writes inside a caller's transaction.
public protocol RequestRegistry: Sendable {
    func open(kind: String, subscriber: SubscriberID, status: ServiceRequest.Status, detail: String?, at now: Date)
        async throws
        -> ServiceRequest
    func update(_ id: Int64, status: ServiceRequest.Status, detail: String?, at now: Date) async throws
    func requests(of subscriber: SubscriberID, before cursor: Int64?, limit: Int) async throws -> [ServiceRequest]
    func request(_ id: Int64) async throws -> ServiceRequest?
}
