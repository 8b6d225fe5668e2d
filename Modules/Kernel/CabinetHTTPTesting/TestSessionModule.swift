public import CabinetCore
public import CabinetHTTP
public import Foundation
import HTTPTypes
public import Hummingbird

/// Stands in for Auth in a module's HTTP tests: a request with `X-Test-Line: <subscriber id>` acts on the line
/// `line(id)` returns, as its owner with every right; `X-Test-Step-Up` marks the session as stepped up now. Without
/// the header the request is anonymous.
public struct TestSessionModule: HTTPModule {
    public static let lineHeader = HTTPField.Name("X-Test-Line")!
    public static let stepUpHeader = HTTPField.Name("X-Test-Step-Up")!

    /// What the stand-in needs to know of a line.
    public struct TestLine: Sendable {
        public var id: SubscriberID
        public var msisdn: MSISDN
        public var region: RegionID

        public init(id: SubscriberID, msisdn: MSISDN, region: RegionID) {
            self.id = id
            self.msisdn = msisdn
            self.region = region
        }
    }

    let now: @Sendable () -> Date
    let line: @Sendable (SubscriberID) async throws -> TestLine?

    public init(now: @escaping @Sendable () -> Date, line: @escaping @Sendable (SubscriberID) async throws -> TestLine?) {
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

        func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
            var context = context
            if let id = request.headers[TestSessionModule.lineHeader].flatMap({ Int64($0) }), let line = try await line(SubscriberID(id)) {
                let steppedUp = request.headers[TestSessionModule.stepUpHeader] != nil ? now() : nil
                context.session = SessionInfo(id: "s", subscriberID: line.id, msisdn: line.msisdn, steppedUpAt: steppedUp,
                                              passwordChangeRequired: false, csrfToken: "csrf-token")
                context.line = .owned(line.id, msisdn: line.msisdn, region: line.region)
            }
            return try await next(request, context)
        }
    }
}
