import CabinetCore
import CabinetHTTP
import Corporate
import Foundation
import HTTPTypes
import Hummingbird

/// The monthly expense report: `/api/v1/corporate/reports/expenses[.csv]?month=2026-11` and `/business/reports`.
struct ReportRoutes {
    let service: any CorporateService
    let regions: RegionCatalog
    let renderer: WebRenderer

    var catalog: MessageCatalog { renderer.catalog }

    struct AmountsDTO: Encodable, Sendable {
        var calls, sms, data, fees, options, other, total: Money

        init(_ amounts: [ExpenseKind: Int64], report: ExpenseReport) {
            func money(_ kind: ExpenseKind) -> Money { report.money(amounts[kind] ?? 0) }
            calls = money(.calls)
            sms = money(.sms)
            data = money(.data)
            fees = money(.fees)
            options = money(.options)
            other = money(.other)
            total = report.money(amounts.values.reduce(0, +))
        }
    }

    struct ReportDTO: Encodable, Sendable {
        struct GroupRow: Encodable, Sendable {
            var name: String?
            var amounts: AmountsDTO
        }

        struct LineRow: Encodable, Sendable {
            var msisdn: String
            var name: String?
            var group: String?
            var amounts: AmountsDTO
        }

        var month: String
        var totals: AmountsDTO
        var groups: [GroupRow]
        var lines: [LineRow]

        init(_ report: ExpenseReport) {
            month = String(format: "%04d-%02d", report.month.year, report.month.month)
            totals = AmountsDTO(report.totals, report: report)
            groups = report.groups.map { GroupRow(name: $0.name, amounts: AmountsDTO($0.amounts, report: report)) }
            lines = report.rows.map {
                LineRow(
                    msisdn: $0.msisdn.e164, name: $0.name, group: $0.group,
                    amounts: AmountsDTO($0.amounts, report: report))
            }
        }
    }

    /// `2026-11` (or the current month of the company's region when absent).
    func month(_ request: Request, _ access: AdminAccess) throws -> LocalDate? {
        guard let text = request.uri.queryParameters.get("month").map({ String($0) }), !text.isEmpty else { return nil }
        let parts = text.split(separator: "-")
        guard parts.count == 2, parts[0].count == 4, parts[1].count == 2, let year = Int(parts[0]),
            let month = Int(parts[1]), let date = LocalDate(year: year, month: month, day: 1)
        else { throw CabinetError.validation([FieldError(field: "month", code: KernelError.fieldInvalid)]) }
        return date
    }

    func csv(_ report: ExpenseReport, language: Language) -> Response {
        let kinds = ExpenseKind.allCases
        var text = "\u{FEFF}msisdn;name;group;" + kinds.map(\.rawValue).joined(separator: ";") + ";total\r\n"
        for row in report.rows {
            let amounts = kinds.map { report.money(row.amounts[$0] ?? 0).amountString }
            text +=
                ([row.msisdn.e164, BulkRoutes.csvField(row.name ?? ""), BulkRoutes.csvField(row.group ?? "")]
                + amounts + [report.money(row.total).amountString]).joined(separator: ";") + "\r\n"
        }
        var headers = HTTPFields()
        headers[.contentType] = "text/csv; charset=utf-8"
        headers[.contentDisposition] =
            "attachment; filename=\"expenses-\(String(format: "%04d-%02d", report.month.year, report.month.month)).csv\""
        headers[.cacheControl] = "private, no-store"
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }

    func add(api: RouterGroup<CabinetRequestContext>, web: RouterGroup<CabinetRequestContext>) {
        api.get("corporate/reports/expenses") { request, context in
            let access = try await CorporateAPIRoutes.admin(context, service: service)
            return try Response.json(
                ReportDTO(try await service.expenseReport(access, month: try month(request, access))))
        }
        api.get("corporate/reports/expenses.csv") { request, context in
            let access = try await CorporateAPIRoutes.admin(context, service: service)
            return csv(
                try await service.expenseReport(access, month: try month(request, access)), language: context.language)
        }
        web.get("business/reports/expenses.csv") { request, context in
            let access = try await CorporateAPIRoutes.admin(context, service: service)
            return csv(
                try await service.expenseReport(access, month: try month(request, access)), language: context.language)
        }
        web.get("business/reports") { request, context in
            let access = try await CorporateAPIRoutes.admin(context, service: service)
            let report = try await service.expenseReport(access, month: try month(request, access))
            let kinds = ExpenseKind.allCases
            func cells(_ amounts: [ExpenseKind: Int64]) -> [String] {
                kinds.map { report.money(amounts[$0] ?? 0).amountString } + [
                    report.money(amounts.values.reduce(0, +)).amountString
                ]
            }
            let language = context.language
            let data: [String: Any] = [
                "company": access.company.name,
                "month": String(format: "%04d-%02d", report.month.year, report.month.month),
                "currency": report.currency.code,
                "kinds": kinds.map { catalog.text("web.business.kind.\($0.rawValue)", in: language) },
                "totals": cells(report.totals),
                "groups": report.groups.map { group -> [String: Any] in
                    [
                        "name": group.name ?? catalog.text("web.business.report.noGroup", in: language),
                        "cells": cells(group.amounts),
                    ]
                },
                "lines": report.rows.prefix(200).map { row -> [String: Any] in
                    ["msisdn": row.msisdn.formatted, "name": row.name ?? "—", "cells": cells(row.amounts)]
                },
                "none": report.rows.isEmpty, "more": report.rows.count > 200,
            ]
            return renderer.render(
                "business-reports", title: catalog.text("web.business.reports", in: language), context: context,
                data: data, path: "/business")
        }
    }
}
