public import CabinetCore
public import CabinetHTTP
public import Foundation
import HTTPTypes
public import Hummingbird

/// Stands in for Auth in a module's HTTP tests: a request with `X-Test-Line: <subscriber id>` acts on the line
/// `line(id)` returns, as its owner with every right. `X-Test-Scopes: pay,viewBalance` makes the session a delegate
/// of that line with those rights instead (its own line is another, id 999 999). `X-Test-Step-Up` marks the session
/// as stepped up now, by a code sent to the acting line (`X-Test-Step-Up: <subscriber id>`: to that line's number).
/// Without `X-Test-Line` the request is anonymous.
public struct TestSessionModule: HTTPModule {
    public static let lineHeader = HTTPField.Name("X-Test-Line")!
    public static let scopesHeader = HTTPField.Name("X-Test-Scopes")!
    public static let stepUpHeader = HTTPField.Name("X-Test-Step-Up")!
    /// Present: the session came from a PUK login and has no password yet.
    public static let pukSessionHeader = HTTPField.Name("X-Test-PUK-Session")!
    /// The delegate's own line when `X-Test-Scopes` is sent.
    public static let delegateLine = SubscriberID(999_999)

    /// What the stand-in needs to know of a line.
    public struct TestLine: Sendable {
        public var id: SubscriberID
        public var msisdn: MSISDN
        public var region: RegionID
        public var status: LineStatus

        public init(id: SubscriberID, msisdn: MSISDN, region: RegionID, status: LineStatus = .active) {
            self.id = id
            self.msisdn = msisdn
            self.region = region
            self.status = status
        }
    }

    let now: @Sendable () -> Date
    let line: @Sendable (SubscriberID) async throws -> TestLine?

    public init(now: @escaping @Sendable () -> Date, line: @escaping @Sendable (SubscriberID) async throws -> TestLine?)
    {
        self.now = now
        self.line = line
    }

    public var moduleID: ModuleID { "test-session" }

    public func addMiddleware(to router: Router<CabinetRequestContext>) {
        router.add(middleware: Middleware(now: now, line: line))
    }

    public func addRoutes(to routes: ModuleRoutes) {}

    struct Middleware: RouterMiddleware {
        typealias Context = CabinetRequestContext
        let now: @Sendable () -> Date
        let line: @Sendable (SubscriberID) async throws -> TestLine?

        func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response)
            async throws -> Response
        {
            var context = context
            if let id = request.headers[TestSessionModule.lineHeader].flatMap({ Int64($0) }),
                let line = try await line(SubscriberID(id))
            {
                let stepUp = request.headers[TestSessionModule.stepUpHeader]
                let stepUpFor = stepUp.flatMap { Int64($0) }.map { SubscriberID($0) } ?? line.id
                if let scopes = request.headers[TestSessionModule.scopesHeader] {
                    let granted = Set(scopes.split(separator: ",").compactMap { AccessScope(rawValue: String($0)) })
                    let own = MSISDN(e164: "+79999999999")!
                    context.session = SessionInfo(
                        id: "s", subscriberID: TestSessionModule.delegateLine, msisdn: own,
                        steppedUpAt: stepUp == nil ? nil : now(),
                        steppedUpFor: stepUpFor, passwordChangeRequired: false, csrfToken: "csrf-token")
                    context.line = LineAccess(
                        subscriberID: line.id, msisdn: line.msisdn, region: line.region,
                        relation: .delegated(expiresAt: now().addingTimeInterval(86_400)), scopes: granted,
                        status: line.status)
                } else {
                    context.session = SessionInfo(
                        id: "s", subscriberID: line.id, msisdn: line.msisdn, steppedUpAt: stepUp == nil ? nil : now(),
                        steppedUpFor: stepUpFor,
                        passwordChangeRequired: request.headers[TestSessionModule.pukSessionHeader] != nil,
                        csrfToken: "csrf-token")
                    context.line = .owned(line.id, msisdn: line.msisdn, region: line.region, status: line.status)
                }
            }
            return try await next(request, context)
        }
    }
}
