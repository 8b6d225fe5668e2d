import CabinetCore
import CabinetHTTP
import Corporate
import Foundation
import Hummingbird

/// The operator's side, `/operator/v1/corporate/…` behind the operator key: applications listed, approved (the
/// company and its first owner) or rejected with a reason; a company looked up.
struct CorporateOperatorRoutes {
    let service: any CorporateService
    let finance: any CompanyFinanceService
    let regions: RegionCatalog

    static func application(_ context: CabinetRequestContext) throws -> Int64 {
        guard let id = context.parameters.get("number").flatMap(CompanyApplication.id(fromNumber:)) else {
            throw CabinetError(CorporateError.applicationNotFound)
        }
        return id
    }

    func add(to api: RouterGroup<CabinetRequestContext>) {
        api.get("corporate/applications") { request, context in
            let query = try PageQuery(request)
            let status = try request.uri.queryParameters.get("status").map { text -> CompanyApplication.Status in
                guard let status = CompanyApplication.Status(rawValue: String(text)) else {
                    throw CabinetError.validation([FieldError(field: "status", code: KernelError.fieldInvalid)])
                }
                return status
            }
            let rows = try await service.applications(
                status: status, before: try query.cursor(CompanyApplication.id(fromNumber:)), limit: query.fetchLimit)
            return try Response.json(Page(rows, query: query, cursor: \.number, item: ApplicationDTO.init))
        }
        api.post("corporate/applications/:number/approve") { request, context in
            let body = try await request.decodeJSON(as: ApproveBody.self, context: context)
            var companyID: CompanyID?
            if let raw = body.companyID {
                guard let id = CompanyID(rawValue: raw) else {
                    throw CabinetError.validation([FieldError(field: "companyID", code: KernelError.fieldInvalid)])
                }
                companyID = id
            }
            let company = try await service.approve(
                try Self.application(context),
                with: ApplicationApproval(
                    companyID: companyID, kpp: body.kpp, legalAddress: body.legalAddress,
                    contractNumber: body.contractNumber))
            return try Response.json(CompanyDTO(company), status: .created)
        }
        api.post("corporate/applications/:number/reject") { request, context in
            let body = try await request.decodeJSON(as: RejectBody.self, context: context)
            let application = try await service.reject(try Self.application(context), reason: body.reason)
            return try Response.json(ApplicationDTO(application))
        }
        api.get("corporate/companies/:id") { _, context in
            guard let id = context.parameters.get("id").flatMap(CompanyID.init(rawValue:)),
                let company = try await service.company(id)
            else { throw CabinetError(KernelError.notFound) }
            return try Response.json(CompanyDTO(company))
        }
        // A bank transfer from the company (the operator's bank statement), recorded once per payment order.
        api.post("corporate/:id/payments") { request, context in
            guard let id = context.parameters.get("id").flatMap(CompanyID.init(rawValue:)),
                let company = try await service.company(id)
            else { throw CabinetError(CorporateError.companyNotFound) }
            let body = try await request.decodeJSON(as: FinanceRoutes.TransferBody.self, context: context)
            let currency = regions.region(company.region)?.currency ?? .rub
            let zone = regions.region(company.region)?.timeZone ?? .gmt
            var paidOn = LocalDate(Date(), in: zone)
            if let text = body.paidOn {
                guard let date = LocalDate(text) else {
                    throw CabinetError.validation([FieldError(field: "paidOn", code: KernelError.fieldInvalid)])
                }
                paidOn = date
            }
            let outcome = try await finance.recordBankTransfer(
                BankTransfer(
                    company: company.id, amount: try FinanceRoutes.amount(body.amount, currency: currency),
                    reference: body.reference, paidOn: paidOn))
            return try Response.json(
                FinanceRoutes.TransferDTO(recorded: outcome.recorded, balance: outcome.balance),
                status: outcome.recorded ? .created : .ok)
        }
    }
}
