import BillingTesting
import CabinetCore
import CabinetTesting
import Corporate
import CorporateStorage
import CorporateTesting
import Foundation
import ServicesTesting
import Subscribers
import Testing

/// From the public form to the first admin's login, on both backends.
@Suite struct CompanyApplicationTests {
    @Test(arguments: TestDatabase.available)
    func anApprovedApplicationMakesTheCompanyAndItsFirstOwner(_ backend: TestDatabase) async throws {
        try await CorporateTestBed.with(backend) { bed in
            let sim = try await bed.line("+79001110001")
            bed.services.puks.set("12345678", for: sim)
            let draft = ApplicationDraft(
                region: sim.region, city: "Москва", companyName: "ООО «Ромашка»", inn: "7707083893",
                contactName: "Петров Пётр", phone: sim.msisdn, puk: "12345678")
            let application = try await bed.service.apply(draft, clientAddress: "10.0.0.1")
            #expect(application.status == .pending)
            #expect(application.number.hasPrefix("Z-"))
            #expect(
                try await bed.service.applications(status: .pending, before: nil, limit: 10).map(\.id) == [
                    application.id
                ])
            // Not an admin before the operator decides.
            let early = await #expect(throws: CabinetError.self) {
                try await bed.service.access(for: bed.session(sim))
            }
            #expect(early?.code == CorporateError.notAdmin)

            let company = try await bed.service.approve(
                application.id, with: ApplicationApproval(kpp: "770701001", legalAddress: "Москва, ул. Ленина, 1"))
            #expect(company.id.rawValue == "7707083893")
            #expect(company.contractNumber == "B-" + application.number)
            // The applicant's SIM joined the contract; its number is the owner's.
            #expect(try await bed.billing.lines.line(msisdn: sim.msisdn)?.companyID == company.id)
            let access = try await bed.service.access(for: bed.session(sim))
            #expect(access.admin.scopes == [.owner])
            #expect(access.company.name == "ООО «Ромашка»")

            // Decided once.
            let again = await #expect(throws: CabinetError.self) {
                try await bed.service.approve(
                    application.id, with: ApplicationApproval(kpp: "770701001", legalAddress: "Москва"))
            }
            #expect(again?.code == CorporateError.applicationDecided)
            let rejectLate = await #expect(throws: CabinetError.self) {
                try await bed.service.reject(application.id, reason: "Поздно")
            }
            #expect(rejectLate?.code == CorporateError.applicationDecided)

            // The same INN twice is one company.
            let other = try await bed.line("+79001110002")
            bed.services.puks.set("87654321", for: other)
            var second = draft
            second.phone = other.msisdn
            second.puk = "87654321"
            let duplicate = try await bed.service.apply(second, clientAddress: nil)
            let exists = await #expect(throws: CabinetError.self) {
                try await bed.service.approve(
                    duplicate.id, with: ApplicationApproval(kpp: "770701001", legalAddress: "Москва"))
            }
            #expect(exists?.code == CorporateError.companyExists)
            let rejected = try await bed.service.reject(duplicate.id, reason: "Компания уже подключена")
            #expect(rejected.status == .rejected)
            #expect(rejected.reason == "Компания уже подключена")
        }
    }

    @Test(arguments: TestDatabase.available)
    func aBadINNAWrongPUKOrAMissingNameIsRefusedBeforeAnythingIsFiled(_ backend: TestDatabase) async throws {
        try await CorporateTestBed.with(backend) { bed in
            let sim = try await bed.line("+79001110003")
            bed.services.puks.set("12345678", for: sim)
            let good = ApplicationDraft(
                region: sim.region, city: "Москва", companyName: "ООО «Ромашка»", inn: "7707083893",
                contactName: "Петров Пётр", phone: sim.msisdn, puk: "12345678")
            var badINN = good
            badINN.inn = "7707083894"
            badINN.companyName = "  "
            let invalid = await #expect(throws: CabinetError.self) {
                try await bed.service.apply(badINN, clientAddress: nil)
            }
            #expect(Set(invalid?.fieldErrors.map(\.field) ?? []) == ["inn", "companyName"])
            var wrongPUK = good
            wrongPUK.puk = "00000000"
            let puk = await #expect(throws: CabinetError.self) {
                try await bed.service.apply(wrongPUK, clientAddress: nil)
            }
            #expect(puk?.code.rawValue == "auth.login.failed")
            var elsewhere = good
            elsewhere.region = RegionID(rawValue: "nowhere")!
            let region = await #expect(throws: CabinetError.self) {
                try await bed.service.apply(elsewhere, clientAddress: nil)
            }
            #expect(region?.fieldErrors.map(\.field) == ["region"])
            #expect(try await bed.service.applications(status: nil, before: nil, limit: 10).isEmpty)

            // The operator's details are checked too, and a line of another company is not taken over.
            let application = try await bed.service.apply(good, clientAddress: nil)
            let kpp = await #expect(throws: CabinetError.self) {
                try await bed.service.approve(application.id, with: ApplicationApproval(kpp: "77", legalAddress: ""))
            }
            #expect(Set(kpp?.fieldErrors.map(\.field) ?? []) == ["kpp", "legalAddress"])
            var patch = LinePatch()
            patch.companyID = .set(CompanyID(rawValue: "other-co")!)
            _ = try await bed.billing.lines.update(msisdn: sim.msisdn, with: patch)
            let taken = await #expect(throws: CabinetError.self) {
                try await bed.service.approve(
                    application.id, with: ApplicationApproval(kpp: "770701001", legalAddress: "Москва"))
            }
            #expect(taken?.code == CorporateError.lineOfAnotherCompany)
        }
    }
}
