public import Billing
public import CabinetCore
public import CabinetHTTP
public import Foundation
import HTTPTypes
import Hummingbird

/// The HTTP face of Billing: dashboard, balance history, statements (API and pages), the operator's usage feed.
public struct BillingHTTPModule: HTTPModule {
    let service: any BillingService
    let texts: BillingTexts
    let clock: any WallClock
    /// `Idempotency-Key` on paid statement orders.
    let idempotency: IdempotentRequests
    /// «Делитесь гигабайтами» (`nil`: not offered).
    let sharing: (any DataSharingService)?

    public init(
        service: any BillingService, texts: BillingTexts, clock: any WallClock, idempotency: IdempotentRequests,
        sharing: (any DataSharingService)? = nil
    ) {
        self.sharing = sharing
        self.service = service
        self.texts = texts
        self.clock = clock
        self.idempotency = idempotency
    }

    public var sessionHome: (path: String, rank: Int)? { ("/dashboard", 10) }

    public var moduleID: ModuleID { BillingModule.id }

    public var templateDirectories: [URL] {
        Bundle.module.url(forResource: "templates", withExtension: nil).map { [$0] } ?? []
    }

    public var navigation: [WebRenderer.NavigationItem] {
        [
            .init(path: "/dashboard", titleKey: "web.nav.dashboard", whenLoggedIn: true, order: 10, section: .home),
            .init(path: "/balance", titleKey: "web.nav.balance", whenLoggedIn: true, order: 19, section: .money),
            .init(path: "/statement", titleKey: "web.nav.statement", whenLoggedIn: true, order: 40, section: .money),
        ]
    }

    public func addRoutes(to routes: ModuleRoutes) {
        BillingAPIRoutes(
            service: service, texts: texts, regions: service.rules.regions, catalog: routes.renderer.catalog,
            idempotency: idempotency
        )
        .add(to: routes.api, operatorAPI: routes.operatorAPI)
        BillingWebRoutes(
            service: service, texts: texts, regions: service.rules.regions, renderer: routes.renderer, clock: clock
        )
        .add(to: routes.web)
        AdviceRoutes(service: service, renderer: routes.renderer, regions: service.rules.regions).add(
            api: routes.api, web: routes.web)
        if let sharing {
            SharingRoutes(service: sharing, idempotency: idempotency, renderer: routes.renderer).add(
                api: routes.api, web: routes.web)
        }
    }
}

/// `/api/v1/me/dashboard`, `/api/v1/me/balance/history`, `/api/v1/me/statement`, `/api/v1/me/statements`,
/// `/operator/v1/usage`.
struct BillingAPIRoutes {
    let service: any BillingService
    let texts: BillingTexts
    let regions: RegionCatalog
    let catalog: MessageCatalog
    let idempotency: IdempotentRequests

    func add(to api: RouterGroup<CabinetRequestContext>, operatorAPI: RouterGroup<CabinetRequestContext>?) {
        api.get("me/dashboard") { _, context in
            let line = try context.requireLine(.viewBalance)
            var json = JSONWriter()
            DashboardDTO(try await service.dashboard(line), language: context.language).write(to: &json)
            return json.response()
        }
        api.get("me/balance/history") { request, context in
            let line = try context.requireLine(.viewBalance)
            let page = try PageQuery(request)
            let query = try BillingQueries.history(
                request.uri.queryParameters, page: page, line: line, service: service)
            let items = try await service.history(line, query: query)
            return try Response.json(
                Page(items, query: page, cursor: { String($0.entryID) }) {
                    MovementDTO($0, texts: texts, language: context.language, regions: regions, region: line.region)
                })
        }
        api.get("me/statement") { request, context in
            let line = try context.requireLine(.viewBalance)
            let parameters = request.uri.queryParameters
            let (from, to) = try BillingQueries.span(parameters, clock: service, line: line)
            let page = try PageQuery(request)
            let statement = try await service.shortStatement(
                line, from: from, to: to, kinds: try BillingQueries.usageKinds(parameters),
                after: try page.cursor(UsageCursor.init(token:)),
                limit: page.limit)
            struct StatementPage: Encodable {
                var from: LocalDate
                var to: LocalDate
                var items: [RatedEventDTO]
                var totals: [UsageTotalDTO]
                var charged: Money
                var nextCursor: String?
            }
            return try Response.json(
                StatementPage(
                    from: statement.from, to: statement.to, items: statement.events.map(RatedEventDTO.init),
                    totals: statement.totals.map {
                        UsageTotalDTO(
                            kind: $0.kind.rawValue, events: $0.events, units: $0.units, fromPackage: $0.fromPackage,
                            charged: $0.charged)
                    },
                    charged: statement.charged, nextCursor: statement.next?.token))
        }
        // A paid order: a repeated request with the same key gets the first answer and pays once.
        api.post("me/statements") { request, context in
            let line = try context.requireLine(.pay)
            return try await idempotency.run(request, context: context, scope: "line:\(line.subscriberID.rawValue)") {
                request in
                let body = try await request.decodeJSON(as: StatementOrderBody.self, context: context)
                guard let from = try BillingViews.date(body.from, field: "from"),
                    let to = try BillingViews.date(body.to, field: "to")
                else {
                    throw CabinetError.validation([
                        FieldError(field: "from", code: "billing.dateInvalid", arguments: ["value": body.from])
                    ])
                }
                let record = try await service.orderStatement(line, from: from, to: to, language: context.language)
                return (.accepted, try JSONEncoder.apiBody(ServiceRequestDTO(record)))
            }
        }
        operatorAPI?.post("usage") { request, context in
            let body = try await request.decodeJSON(as: UsageBatchBody.self, context: context, limit: 16 << 20)
            guard body.events.count <= DefaultBillingService.maxBatch else {
                throw CabinetError(
                    BillingError.batchTooLarge, arguments: ["max": String(DefaultBillingService.maxBatch)])
            }
            var events: [UsageEvent] = []
            var positions: [Int] = []
            var rejected: [Int: CabinetError] = [:]
            for (index, input) in body.events.enumerated() {
                do {
                    events.append(try input.parse())
                    positions.append(index)
                } catch {
                    rejected[index] = (error as? CabinetError) ?? .internal("\(error)")
                }
            }
            let report = try await service.ingest(events)
            for (index, error) in report.rejected { rejected[positions[index]] = error }
            let language = context.language
            return try Response.json(
                IngestDTO(
                    received: body.events.count, rated: report.rated, duplicates: report.duplicates,
                    rejected: rejected.sorted { $0.key < $1.key }.map { index, error in
                        IngestDTO.Rejected(
                            index: index, eventId: body.events[index].eventId, code: error.code.rawValue,
                            message: WebForms.explain(error, catalog: catalog, language: language))
                    }))
        }
        operatorAPI?.get("ledger/check") { _, _ in
            let report = try await service.checkLedger()
            struct Check: Encodable {
                var clean: Bool
                var transactions: Int
                var entries: Int
                var accounts: Int
                var unbalancedTransactions: [Int64]
                var mismatchedAccounts: [Int64]
                var duplicateExternalIds: [String]
                var currencyMismatches: Int
            }
            return try Response.json(
                Check(
                    clean: report.isClean, transactions: report.transactions, entries: report.entries,
                    accounts: report.accounts,
                    unbalancedTransactions: report.unbalancedTransactions,
                    mismatchedAccounts: report.mismatchedAccounts,
                    duplicateExternalIds: report.duplicateExternalIDs, currencyMismatches: report.currencyMismatches))
        }
    }
}

/// Query parameters shared by the API and the pages.
enum BillingQueries {
    static func history(_ parameters: Parameters, page: PageQuery, line: LineAccess, service: any BillingService) throws
        -> MovementQuery
    {
        let zone = service.rules.region(line.region)?.timeZone ?? .gmt
        let from = try BillingViews.date(parameters.get("from").map { String($0) }, field: "from")
        let to = try BillingViews.date(parameters.get("to").map { String($0) }, field: "to")
        var kinds: Set<MovementKind> = []
        for text in parameters.getAll("kind") where !text.isEmpty {
            guard let kind = MovementKind(rawValue: String(text)) else {
                throw CabinetError.validation([
                    FieldError(field: "kind", code: "billing.kindInvalid", arguments: ["value": String(text)])
                ])
            }
            kinds.insert(kind)
        }
        return MovementQuery(
            from: from?.startOfDay(in: zone), to: to?.adding(days: 1).startOfDay(in: zone), kinds: kinds,
            before: try page.cursor { Int64($0) }, limit: page.fetchLimit)
    }

    /// `from`/`to` of a statement; by default the current month up to today.
    static func span(_ parameters: Parameters, clock service: any BillingService, line: LineAccess) throws
        -> (LocalDate, LocalDate)
    {
        let zone = service.rules.region(line.region)?.timeZone ?? .gmt
        let today = LocalDate(service.now, in: zone)
        let from =
            try BillingViews.date(parameters.get("from").map { String($0) }, field: "from")
            ?? LocalDate(year: today.year, month: today.month, day: 1) ?? today
        let to = try BillingViews.date(parameters.get("to").map { String($0) }, field: "to") ?? today
        return (from, to)
    }

    static func usageKinds(_ parameters: Parameters) throws -> Set<UsageEvent.Kind> {
        var kinds: Set<UsageEvent.Kind> = []
        for text in parameters.getAll("kind") where !text.isEmpty {
            guard let kind = UsageEvent.Kind(rawValue: String(text)) else {
                throw CabinetError.validation([
                    FieldError(field: "kind", code: "billing.kindInvalid", arguments: ["value": String(text)])
                ])
            }
            kinds.insert(kind)
        }
        return kinds
    }
}
