import Billing
import CabinetCore
import Foundation
import Logging
import Subscribers

extension DefaultCompanyFinanceService {
    public func runDocumentJob() async throws -> DocumentJobReport {
        var report = DocumentJobReport()
        var cursor: CompanyID?
        while true {
            let companies = try await store.companies(after: cursor, limit: 200)
            // One company's trouble (a region without the corporate section, a failed read) is logged and leaves
            // the others' acts and mail to go on.
            for company in companies {
                do {
                    try await ensureAccount(of: company)
                    if try await issueLastMonthsAct(of: company) { report.acts += 1 }
                } catch {
                    logger.error(
                        "company's documents failed",
                        metadata: ["cabinet.company": "\(company.id)", "error": "\(error)"])
                }
            }
            guard companies.count == 200, let last = companies.last else { break }
            cursor = last.id
        }
        // Documents of the last week not mailed yet: one whose company had no confirmed address waits for one.
        let since = clock.now.addingTimeInterval(-7 * 86_400)
        for document in try await store.unmailedDocuments(since: since, limit: 100) {
            do {
                if try await mail(document) { report.mailed += 1 }
            } catch {
                logger.error(
                    "document not mailed", metadata: ["cabinet.document": "\(document.id)", "error": "\(error)"])
            }
        }
        return report
    }

    /// Opens the company's ledger account if it has none (a company approved before accounts existed).
    func ensureAccount(of company: Company) async throws {
        guard try await !accounts.hasAccount(company.id) else { return }
        let (region, _) = try settings(of: company)
        try await accounts.openAccount(for: company.id, holder: company.name, currency: region.currency, now: clock.now)
        logger.notice("company account opened", metadata: ["cabinet.company": "\(company.id)"])
    }

    /// Issues the act of the month before this one (the company's region's months) when the company paid for its
    /// lines in it and it has none yet: dated the month's last day, numbered in that year's sequence.
    func issueLastMonthsAct(of company: Company) async throws -> Bool {
        let (region, settings) = try settings(of: company)
        let zone = region.timeZone
        let today = LocalDate(clock.now, in: zone)
        let index = today.year * 12 + today.month - 2
        guard let first = LocalDate(year: index / 12, month: index % 12 + 1, day: 1),
            let thisMonth = LocalDate(year: today.year, month: today.month, day: 1)
        else { return false }
        let end = thisMonth.startOfDay(in: zone)
        // From the month's third day: charges dated in the month before (a fee run catching up after an outage, a
        // late batch of usage) have come in by then. The job comes every minute: a company with its act is one
        // indexed look, not a sum of its month.
        guard today.day >= 3, company.createdAt < end, try await !store.hasAct(of: company.id, month: first),
            let paid = try await accounts.paid(by: company.id, from: first.startOfDay(in: zone), to: end),
            paid.isPositive
        else { return false }
        do {
            let act = try await store.insertDocument(
                DocumentDraft(
                    company: company.id, kind: .act, year: first.year, month: first, amount: paid,
                    vatPercent: settings.vatPercent, issuedOn: thisMonth.adding(days: -1), seller: settings.requisites,
                    buyer: DocumentBuyer(company)),
                journal: nil, at: clock.now)
            logger.info(
                "act issued",
                metadata: ["cabinet.company": "\(company.id)", "cabinet.document": "\(act.displayNumber)"])
            return true
        } catch let error as CabinetError where error.code == CorporateError.documentExists {
            return false
        }
    }

    /// Mails the document to each admin of the whole company with `finance` or `owner` whose line's profile e-mail is
    /// confirmed, as PDF, once (another server may be doing the same: only one marks it).
    func mail(_ document: CompanyDocument) async throws -> Bool {
        guard document.mailedAt == nil else { return false }
        let language = Language.ru
        // Nobody to send it to yet: it waits (a week) for a finance admin's confirmed address.
        let file = try renderer.render(document, texts: texts, language: language)
        var mails: [DocumentMail] = []
        var seen = Set<String>()
        for admin in try await store.admins(of: document.company)
        where admin.groups.isEmpty && CorporateAction.finance.isAllowed(by: admin.scopes) {
            guard let line = try await lines.line(msisdn: admin.msisdn), let email = line.owner.email,
                try await emails.isConfirmed(email: email, of: line.id), seen.insert(email.lowercased()).inserted
            else { continue }
            let arguments = [
                "number": document.displayNumber, "date": document.issuedOn.description,
                "company": document.buyer.name, "amount": document.amount.displayString,
            ]
            mails.append(
                DocumentMail(
                    to: email,
                    subject: texts.text(
                        "corporate.mail.\(document.kind.rawValue).subject", in: language, arguments: arguments),
                    body: texts.text(
                        "corporate.mail.\(document.kind.rawValue).body", in: language, arguments: arguments),
                    file: file))
        }
        return try await store.markMailed(document.id, mails: mails, at: clock.now)
    }
}
