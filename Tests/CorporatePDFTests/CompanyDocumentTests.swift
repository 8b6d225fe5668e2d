import Billing
import BillingTesting
import CabinetCore
import CabinetMessaging
import CabinetTesting
import Corporate
import CorporatePDF
import CorporateStorage
import CorporateTesting
import Foundation
import Logging
import Subscribers
import Testing

/// Invoices and acts: numbers per company and year without gaps however many are issued at once, VAT shown apart, the
/// month's act from what the company paid, PDFs `pdftotext` reads back, mail to the finance admins once, and who may
/// see any of it.
@Suite struct CompanyDocumentTests {
    func rub(_ text: String) throws -> Money { try Money(parsing: text, currency: .rub) }

    func finance(_ bed: CorporateTestBed) -> DefaultCompanyFinanceService {
        DefaultCompanyFinanceService(
            store: bed.store, accounts: bed.billing.store, lines: bed.billing.lines, emails: bed.billing.emails,
            renderer: PDFCompanyDocumentRenderer(), regions: bed.billing.rules.regions, clock: bed.clock,
            logger: Logger(label: "test"))
    }

    func email(_ bed: CorporateTestBed, _ line: Line, _ address: String) async throws {
        var patch = LinePatch()
        patch.email = .set(address)
        _ = try await bed.billing.lines.update(msisdn: line.msisdn, with: patch)
    }

    @Test func vatIsTheIncludedShareRoundedHalfUp() throws {
        #expect(CompanyDocument.vat(in: try rub("1220.00"), percent: 22) == (try rub("220.00")))
        #expect(CompanyDocument.vat(in: try rub("1000.00"), percent: 22) == (try rub("180.33")))
        #expect(CompanyDocument.vat(in: try rub("0.01"), percent: 22) == (try rub("0.00")))
        #expect(CompanyDocument.vat(in: try rub("0.06"), percent: 22) == (try rub("0.01")))
        let tenge = try Money(parsing: "11600.00", currency: .kzt)
        #expect(CompanyDocument.vat(in: tenge, percent: 16) == (try Money(parsing: "1600.00", currency: .kzt)))
        #expect(CompanyDocument.vat(in: try rub("500.00"), percent: 0).isZero)
    }

    @Test(arguments: TestDatabase.available)
    func invoicesIssuedAtOnceGetConsecutiveNumbersWithoutGaps(_ backend: TestDatabase) async throws {
        try await CorporateTestBed.with(backend) { bed in
            let (company, owner) = try await bed.company(owner: try await bed.line("+79003360001"))
            let other = try await bed.company(
                inn: "7736207543", owner: try await bed.line("+79003360002"), name: "ООО «Другая»")
            let finance = finance(bed)
            // A failing issue in the middle (a bad amount) takes no number.
            await #expect(throws: CabinetError.self) {
                _ = try await finance.issueInvoice(owner, amount: try rub("0.00"))
            }
            let numbers = try await withThrowingTaskGroup(of: Int.self) { group in
                for index in 1...12 {
                    group.addTask {
                        try await finance.issueInvoice(owner, amount: try rub("\(index * 100).00")).number
                    }
                }
                return try await group.reduce(into: [Int]()) { $0.append($1) }
            }
            #expect(numbers.sorted() == Array(1...12))
            // Another company counts from 1.
            let first = try await finance.issueInvoice(other.access, amount: try rub("10.00"))
            #expect(first.number == 1 && first.year == 2026)
            let documents = try await finance.documents(owner, before: nil)
            #expect(documents.count == 12 && documents.allSatisfy { $0.company == company.id })
            // The company's and the operator's details are kept with the document.
            let invoice = try #require(documents.first)
            #expect(invoice.buyer.inn == company.inn.rawValue && invoice.seller.taxID == "7707083893")
            #expect(invoice.vatPercent == 22)
            // Each admin's history has the issue.
            #expect(
                try await bed.service.journal(owner, before: nil, limit: 50).filter { $0.entry.action == "invoice" }
                    .count == 12)
        }
    }

    @Test(arguments: TestDatabase.available)
    func theMonthsActIsWhatTheCompanyPaidAndIsMailedToFinanceAdminsOnce(_ backend: TestDatabase) async throws {
        try await CorporateTestBed.with(backend) { bed in
            let ownerLine = try await bed.line("+79003370001")
            let (company, owner) = try await bed.company(owner: ownerLine)
            try await email(bed, ownerLine, "owner@romashka.example")
            let accountant = try await bed.line("+79003370002", company: company.id)
            try await email(bed, accountant, "buh@romashka.example")
            _ = try await bed.service.addAdmin(
                owner, AdminDraft(msisdn: accountant.msisdn, name: "Бухгалтер", scopes: [.finance]))
            let engineer = try await bed.line("+79003370003", company: company.id)
            try await email(bed, engineer, "it@romashka.example")
            _ = try await bed.service.addAdmin(
                owner, AdminDraft(msisdn: engineer.msisdn, name: "Инженер", scopes: [.lines]))
            let finance = finance(bed)

            // The company pays 1 220.00 for its lines this month.
            for (index, line) in [accountant, engineer].enumerated() {
                _ = try await bed.billing.billingStore.post(
                    LedgerPosting(
                        externalID: "fee-\(index)", kind: .fee, line: line.id, amount: try rub("-610.00"),
                        counterparty: .revenue, explanation: "billing.explain.fee", allowsNegativeBalance: true,
                        at: bed.clock.now))
            }
            // Nothing is due while the month lasts.
            _ = try await bed.billing.deliverMail()
            #expect(try await finance.runDocumentJob().acts == 0)

            bed.clock.advance(by: .seconds(25 * 86_400))
            let report = try await finance.runDocumentJob()
            #expect(report.acts == 1 && report.mailed == 1)
            #expect(try await finance.runDocumentJob() == DocumentJobReport())
            let act = try #require(try await finance.documents(owner, before: nil).first)
            let expected = try rub("1220.00")
            #expect(act.kind == .act && act.number == 1 && act.amount == expected)
            #expect(act.month == LocalDate(year: 2026, month: 11, day: 1))
            #expect(act.issuedOn == LocalDate(year: 2026, month: 11, day: 30))
            #expect(act.vat == (try rub("220.00")))

            // Mailed to the owner and the finance admin, not to the lines admin; with the PDF.
            let mail = try await bed.billing.deliverMail().filter { $0.purpose == "corporate.document" }
            #expect(Set(mail.map(\.to)) == ["owner@romashka.example", "buh@romashka.example"])
            let attachment = try #require(mail.first?.attachments.first)
            #expect(attachment.contentType == "application/pdf" && attachment.fileName == "act-2026-1.pdf")
            guard let text = try await PDFText.extract(attachment.data) else {
                Issue.record("pdftotext (poppler-utils) is missing: Scripts/test.sh installs it")
                return
            }
            #expect(text.contains("Акт оказанных услуг № 2026-1 от 30.11.2026"))
            #expect(text.contains("Услуги связи за ноябрь 2026"))
            #expect(text.contains("1 220,00"))
            #expect(text.contains("НДС (22 %)") && text.contains("220,00"))
            #expect(text.contains(company.name) && text.contains("ИНН \(company.inn.rawValue)"))
            #expect(text.contains("ПАО «Кабинет Телеком»"))

            // An invoice's PDF carries the bank details.
            let invoice = try await finance.issueInvoice(owner, amount: try rub("5000.00"))
            let file = try await finance.documentFile(owner, id: invoice.id, language: .ru)
            let invoiceText = try #require(try await PDFText.extract(file.data))
            #expect(invoiceText.contains("Счёт на оплату № 2026-1"))
            #expect(invoiceText.contains("40702810938000000001") && invoiceText.contains("044525225"))
            #expect(invoiceText.contains("5 000,00"))
            // In English too.
            let english = try #require(
                try await PDFText.extract(try await finance.documentFile(owner, id: invoice.id, language: .en).data))
            #expect(english.contains("Invoice No. 2026-1"))

            // The expense report as PDF.
            let expenses = try await bed.service.expenseReport(owner, month: LocalDate(year: 2026, month: 11, day: 1))
            let reportText = try #require(
                try await PDFText.extract(try finance.reportFile(owner, report: expenses, language: .ru).data))
            #expect(reportText.contains("Отчёт о расходах за ноябрь 2026"))
            #expect(reportText.contains(accountant.msisdn.formatted))
        }
    }

    @Test(arguments: TestDatabase.available)
    func severalServersRunningTheDocumentJobIssueOneActAndMailItOnce(_ backend: TestDatabase) async throws {
        try await CorporateTestBed.with(backend) { bed in
            let ownerLine = try await bed.line("+79003375001")
            let (company, owner) = try await bed.company(owner: ownerLine)
            let employee = try await bed.line("+79003375002", company: company.id)
            _ = try await bed.billing.billingStore.post(
                LedgerPosting(
                    externalID: "fee", kind: .fee, line: employee.id, amount: try rub("-99.00"),
                    counterparty: .revenue, explanation: "billing.explain.fee", allowsNegativeBalance: true,
                    at: bed.clock.now))
            bed.clock.advance(by: .seconds(25 * 86_400))
            let finance = finance(bed)
            let reports = try await withThrowingTaskGroup(of: DocumentJobReport.self) { group in
                for _ in 0..<4 { group.addTask { try await finance.runDocumentJob() } }
                return try await group.reduce(into: [DocumentJobReport]()) { $0.append($1) }
            }
            #expect(reports.map(\.acts).reduce(0, +) == 1)
            #expect(reports.map(\.mailed).reduce(0, +) == 1)
            let documents = try await finance.documents(owner, before: nil)
            #expect(documents.count == 1 && documents.first?.number == 1)
            let mail = try await bed.billing.deliverMail().filter { $0.purpose == "corporate.document" }
            #expect(mail.count == 1)
            // The next act of the year takes the next number.
            _ = try await bed.billing.billingStore.post(
                LedgerPosting(
                    externalID: "fee-2", kind: .fee, line: employee.id, amount: try rub("-11.00"),
                    counterparty: .revenue, explanation: "billing.explain.fee", allowsNegativeBalance: true,
                    at: bed.clock.now))
            bed.clock.advance(by: .seconds(31 * 86_400))
            #expect(try await finance.runDocumentJob().acts == 1)
            let acts = try await finance.documents(owner, before: nil).filter { $0.kind == .act }
            // December 2026's act is the year's second, issued in January.
            #expect(acts.map(\.number) == [2, 1] && acts.first?.year == 2026)
        }
    }

    @Test(arguments: TestDatabase.available)
    func onlyFinanceAdminsOfTheWholeCompanySeeMoneyAndDocuments(_ backend: TestDatabase) async throws {
        try await CorporateTestBed.with(backend) { bed in
            let (company, owner) = try await bed.company(owner: try await bed.line("+79003380001"))
            let finance = finance(bed)
            let group = try await bed.service.createGroup(owner, name: "Склад")
            var accesses: [(String, AdminAccess, ErrorCode)] = []
            for (index, (scopes, groups, refusal)) in [
                ([AdminScope.lines], Set<Int64>(), CorporateError.scopeMissing),
                ([.readOnly], [], CorporateError.scopeMissing),
                ([.finance], [group.id], CorporateError.wholeCompanyOnly),
            ].enumerated() {
                let line = try await bed.line("+7900338001\(index)", company: company.id)
                _ = try await bed.service.addAdmin(
                    owner, AdminDraft(msisdn: line.msisdn, name: "Админ \(index)", scopes: Set(scopes), groups: groups))
                accesses.append(("\(scopes)", try await bed.service.access(for: bed.session(line)), refusal))
            }
            let invoice = try await finance.issueInvoice(owner, amount: try rub("100.00"))
            for (name, access, refusal) in accesses {
                for attempt in 0..<4 {
                    let error = await #expect(throws: CabinetError.self, "\(name) attempt \(attempt)") {
                        switch attempt {
                        case 0: _ = try await finance.summary(access, before: nil)
                        case 1: _ = try await finance.issueInvoice(access, amount: try rub("1.00"))
                        case 2: _ = try await finance.documents(access, before: nil)
                        default: _ = try await finance.documentFile(access, id: invoice.id, language: .ru)
                        }
                    }
                    #expect(error?.code == refusal, "\(name) attempt \(attempt)")
                }
            }
            // Another company's document is not found, not shown.
            let other = try await bed.company(
                inn: "7736207543", owner: try await bed.line("+79003380020"), name: "ООО «Другая»")
            let missing = await #expect(throws: CabinetError.self) {
                _ = try await finance.documentFile(other.access, id: invoice.id, language: .ru)
            }
            #expect(missing?.code == CorporateError.documentNotFound)
            #expect(try await finance.documents(owner, before: nil).count == 1)
        }
    }

    @Test(arguments: TestDatabase.available)
    func aBankTransferIsRecordedOncePerPaymentOrder(_ backend: TestDatabase) async throws {
        try await CorporateTestBed.with(backend) { bed in
            let (company, owner) = try await bed.company(owner: try await bed.line("+79003390001"))
            let finance = finance(bed)
            let today = LocalDate(bed.clock.now, in: TimeZone(identifier: "Europe/Moscow")!)
            let transfer = BankTransfer(
                company: company.id, amount: try rub("15000.00"), reference: "PP-481", paidOn: today)
            #expect(
                try await finance.recordBankTransfer(transfer)
                    == BankTransferOutcome(recorded: true, balance: try rub("15000.00")))
            #expect(
                try await finance.recordBankTransfer(transfer)
                    == BankTransferOutcome(recorded: false, balance: try rub("15000.00")))
            // The same payment order in lower case is the same payment; with another amount it is refused.
            var lower = transfer
            lower.reference = "pp-481"
            #expect(try await finance.recordBankTransfer(lower).recorded == false)
            lower.amount = try rub("15001.00")
            let reused = await #expect(throws: CabinetError.self) { _ = try await finance.recordBankTransfer(lower) }
            #expect(reused?.code == BillingError.externalIDReused)
            let summary = try await finance.summary(owner, before: nil)
            #expect(summary.balance == (try rub("15000.00")))
            #expect(summary.movements.first?.arguments["reference"] == "PP-481")

            for bad in [
                BankTransfer(company: company.id, amount: try rub("0.00"), reference: "PP-1", paidOn: today),
                BankTransfer(
                    company: company.id, amount: try Money(parsing: "10.00", currency: .kzt), reference: "PP-2",
                    paidOn: today),
                BankTransfer(company: company.id, amount: try rub("10.00"), reference: "", paidOn: today),
                BankTransfer(company: company.id, amount: try rub("10.00"), reference: "ПП 1; DROP", paidOn: today),
                BankTransfer(
                    company: company.id, amount: try rub("10.00"), reference: "PP-3", paidOn: today.adding(days: 3)),
            ] {
                let error = await #expect(throws: CabinetError.self) { _ = try await finance.recordBankTransfer(bad) }
                #expect(error?.fieldErrors.isEmpty == false)
            }
            let unknown = await #expect(throws: CabinetError.self) {
                _ = try await finance.recordBankTransfer(
                    BankTransfer(
                        company: CompanyID(rawValue: "nobody")!, amount: try rub("1.00"), reference: "X", paidOn: today)
                )
            }
            #expect(unknown?.code == CorporateError.companyNotFound)
            #expect(try await finance.summary(owner, before: nil).balance == (try rub("15000.00")))
            #expect(try await bed.billing.check().isClean)
        }
    }
}
