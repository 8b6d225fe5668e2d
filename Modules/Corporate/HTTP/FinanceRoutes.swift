import Billing
import CabinetCore
import CabinetHTTP
import Corporate
import Foundation
import HTTPTypes
import Hummingbird
import Payments

/// The company's money and documents: `/api/v1/corporate/finance`, `/api/v1/corporate/documents…`, the expense
/// report as PDF, and the page `/business/finance`; for the operator, `/operator/v1/corporate/{id}/payments`.
struct FinanceRoutes {
    let service: any CorporateService
    let finance: any CompanyFinanceService
    let regions: RegionCatalog
    let renderer: WebRenderer
    let idempotency: IdempotentRequests
    let publicBaseURL: String

    var catalog: MessageCatalog { renderer.catalog }

    struct MovementDTO: Encodable, Sendable {
        var id: Int64
        var at: Date
        var kind: String
        var amount: Money
        var balanceAfter: Money
        var description: String
    }

    struct SummaryDTO: Encodable, Sendable {
        var balance: Money
        var paidThisMonth: Money
        var movements: [MovementDTO]
        var nextCursor: String?
    }

    struct DocumentDTO: Encodable, Sendable {
        var id: Int64
        var kind: String
        var number: String
        var issuedOn: String
        var month: String?
        var amount: Money
        var vatPercent: Int
        var vat: Money
        var mailed: Bool
        var pdf: String

        init(_ document: CompanyDocument) {
            id = document.id
            kind = document.kind.rawValue
            number = document.displayNumber
            issuedOn = document.issuedOn.description
            month = document.month.map { String(format: "%04d-%02d", $0.year, $0.month) }
            amount = document.amount
            vatPercent = document.vatPercent
            vat = document.vat
            mailed = document.mailedAt != nil
            pdf = "/api/v1/corporate/documents/\(document.id)/pdf"
        }
    }

    struct InvoiceBody: Decodable, Sendable {
        /// `"15000.00"` in the company's currency.
        var amount: String
    }

    struct TopUpDTO: Encodable, Sendable {
        var id: String
        var status: String
        var amount: Money
        var maskedCard: String?
        var confirmationUrl: String?

        init(_ payment: Payment, confirmationURL: String? = nil) {
            id = payment.id
            status = payment.status.rawValue
            amount = payment.amount
            maskedCard = payment.maskedCard
            confirmationUrl = confirmationURL
        }
    }

    struct TransferBody: Decodable, Sendable {
        var amount: String
        var reference: String
        /// `2026-11-30`; today when absent.
        var paidOn: String?
    }

    struct TransferDTO: Encodable, Sendable {
        var recorded: Bool
        var balance: Money
    }

    func describe(_ movement: LedgerMovement, _ language: Language) -> String {
        catalog.text(movement.explanation, in: language, arguments: movement.arguments)
    }

    func summaryDTO(_ summary: CompanyFinanceSummary, language: Language) -> SummaryDTO {
        SummaryDTO(
            balance: summary.balance, paidThisMonth: summary.paidThisMonth,
            movements: summary.movements.map {
                MovementDTO(
                    id: $0.entryID, at: $0.at, kind: $0.kind.rawValue, amount: $0.amount, balanceAfter: $0.balanceAfter,
                    description: describe($0, language))
            },
            nextCursor: summary.movements.count == 50 ? summary.movements.last.map { String($0.entryID) } : nil)
    }

    static func amount(_ text: String, currency: Currency, field: String = "amount") throws -> Money {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty,
            let money = try? Money(parsingDisplay: trimmed, currency: currency), money.isPositive
        else { throw CabinetError.validation([FieldError(field: field, code: CorporateError.amountInvalid)]) }
        return money
    }

    static func file(_ file: RenderedFile) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = file.contentType
        headers[.contentDisposition] = "attachment; filename=\"\(file.fileName)\""
        headers[.cacheControl] = "private, no-store"
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: file.data)))
    }

    func cursor(_ request: Request) throws -> Int64? {
        guard let text = request.uri.queryParameters.get("cursor").map({ String($0) }), !text.isEmpty else {
            return nil
        }
        guard let value = Int64(text) else {
            throw CabinetError.validation([FieldError(field: "cursor", code: KernelError.fieldInvalid)])
        }
        return value
    }

    func documentID(_ context: CabinetRequestContext) throws -> Int64 {
        guard let id = context.parameters.get("id").flatMap({ Int64($0) }) else {
            throw CabinetError(CorporateError.documentNotFound)
        }
        return id
    }

    func currency(_ access: AdminAccess) -> Currency { regions.region(access.company.region)?.currency ?? .rub }

    func add(api: RouterGroup<CabinetRequestContext>, web: RouterGroup<CabinetRequestContext>) {
        api.get("corporate/finance") { request, context in
            let access = try await CorporateAPIRoutes.admin(context, service: service)
            let summary = try await finance.summary(access, before: try cursor(request))
            return try Response.json(summaryDTO(summary, language: context.language))
        }
        api.get("corporate/documents") { request, context in
            let access = try await CorporateAPIRoutes.admin(context, service: service)
            let documents = try await finance.documents(access, before: try cursor(request))
            return try Response.json([
                "items": documents.map(DocumentDTO.init)
            ])
        }
        api.post("corporate/documents/invoices") { request, context in
            let access = try await CorporateAPIRoutes.admin(context, service: service)
            return try await idempotency.run(request, context: context, scope: "corporate:\(access.admin.id)") {
                request in
                let body = try await request.decodeJSON(as: InvoiceBody.self, context: context)
                let invoice = try await finance.issueInvoice(
                    access, amount: try Self.amount(body.amount, currency: currency(access)))
                return (.created, try JSONEncoder.apiBody(DocumentDTO(invoice)))
            }
        }
        api.get("corporate/documents/:id/pdf") { _, context in
            let access = try await CorporateAPIRoutes.admin(context, service: service)
            return Self.file(
                try await finance.documentFile(access, id: try documentID(context), language: context.language))
        }
        let reportPDF: @Sendable (Request, CabinetRequestContext) async throws -> Response = { request, context in
            let access = try await CorporateAPIRoutes.admin(context, service: service)
            let month = try ReportRoutes(service: service, regions: regions, renderer: renderer).month(request, access)
            let report = try await service.expenseReport(access, month: month)
            return Self.file(try finance.reportFile(access, report: report, language: context.language))
        }
        api.get("corporate/reports/expenses.pdf", use: reportPDF)
        web.get("business/reports/expenses.pdf", use: reportPDF)
        web.get("business/documents/:id/pdf") { _, context in
            let access = try await CorporateAPIRoutes.admin(context, service: service)
            return Self.file(
                try await finance.documentFile(access, id: try documentID(context), language: context.language))
        }
        api.post("corporate/finance/topups") { request, context in
            let access = try await CorporateAPIRoutes.admin(context, service: service)
            return try await idempotency.run(request, context: context, scope: "corporate:\(access.admin.id)") {
                request in
                let body = try await request.decodeJSON(as: InvoiceBody.self, context: context)
                let started = try await finance.startCardTopUp(
                    access, amount: try Self.amount(body.amount, currency: currency(access)),
                    returnURL: returnURL)
                return (
                    .created,
                    try JSONEncoder.apiBody(TopUpDTO(started.payment, confirmationURL: started.confirmationURL))
                )
            }
        }
        api.get("corporate/finance/topups/:id") { _, context in
            let access = try await CorporateAPIRoutes.admin(context, service: service)
            return try Response.json(
                TopUpDTO(try await finance.cardTopUp(access, id: context.parameters.get("id") ?? "")))
        }
        web.post("business/finance/topups") { request, context in
            let access = try await CorporateAPIRoutes.admin(context, service: service)
            return try await WebForms.action(
                request, context, catalog: catalog,
                page: { try await page(access, request, context, error: $0, issued: nil) }
            ) { fields in
                let started = try await finance.startCardTopUp(
                    access, amount: try Self.amount(fields["amount"] ?? "", currency: currency(access)),
                    returnURL: returnURL)
                return .seeOther(to: started.confirmationURL)
            }
        }
        web.get("business/finance") { request, context in
            let access = try await CorporateAPIRoutes.admin(context, service: service)
            let issued = request.uri.queryParameters.get("issued").map { String($0) }
            return try await page(access, request, context, error: nil, issued: issued)
        }
        web.post("business/finance/invoices") { request, context in
            let access = try await CorporateAPIRoutes.admin(context, service: service)
            return try await WebForms.action(
                request, context, catalog: catalog,
                page: { try await page(access, request, context, error: $0, issued: nil) }
            ) { fields in
                let invoice = try await finance.issueInvoice(
                    access, amount: try Self.amount(fields["amount"] ?? "", currency: currency(access)))
                return .seeOther(to: "/business/finance?issued=\(invoice.displayNumber)")
            }
        }
    }

    /// Where the gateway sends the admin back: the finance page, which shows the payment's status.
    var returnURL: @Sendable (String) -> String {
        { [publicBaseURL] id in "\(publicBaseURL)/business/finance?payment=\(id)" }
    }

    func page(
        _ access: AdminAccess, _ request: Request, _ context: CabinetRequestContext, error: String?, issued: String?
    ) async throws -> Response {
        let language = context.language
        // Back from the card gateway: the payment's status (the webhook may come a moment later).
        var payment: [String: Any] = [:]
        if let id = request.uri.queryParameters.get("payment").map({ String($0) }),
            let found = try? await finance.cardTopUp(access, id: id)
        {
            payment = [
                "id": found.id, "amount": found.amount.displayString, "succeeded": found.status == .succeeded,
                "status": catalog.text("web.business.fin.topupStatus.\(found.status.rawValue)", in: language),
            ]
        }
        let summary = try await finance.summary(access, before: try cursor(request))
        let documents = try await finance.documents(access, before: nil)
        let web = CorporateWebRoutes(service: service, regions: regions, renderer: renderer)
        var data: [String: Any] = [
            "company": access.company.name,
            "balance": summary.balance.displayString,
            "negative": summary.balance.isNegative,
            "paid": summary.paidThisMonth.displayString,
            "currency": summary.balance.currency.code,
            "movements": summary.movements.map { movement -> [String: Any] in
                [
                    "at": web.format(movement.at, access, context),
                    "description": describe(movement, language),
                    "amount": movement.amount.displayString, "credit": movement.amount.isPositive,
                    "after": movement.balanceAfter.displayString,
                ]
            },
            "noMovements": summary.movements.isEmpty,
            "more": summary.movements.count == 50 ? summary.movements.last.map { String($0.entryID) } ?? "" : "",
            "documents": documents.map { document -> [String: Any] in
                [
                    "id": document.id,
                    "title": catalog.text(
                        "corporate.pdf.\(document.kind.rawValue).title", in: language,
                        arguments: ["number": document.displayNumber, "date": document.issuedOn.description]),
                    "amount": document.amount.displayString,
                    "vat": document.vat.displayString, "vatPercent": document.vatPercent,
                ]
            },
            "noDocuments": documents.isEmpty,
            "csrf": context.session?.csrfToken ?? "",
        ]
        if let error { data["error"] = error }
        if let issued, !issued.isEmpty { data["issued"] = issued }
        if !payment.isEmpty { data["payment"] = payment }
        return renderer.render(
            "business-finance", title: catalog.text("web.business.finance", in: language), context: context,
            data: data, status: error == nil ? .ok : .badRequest, path: "/business")
    }
}
