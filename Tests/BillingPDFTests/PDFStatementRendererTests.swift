import Billing
import BillingPDF
import CabinetCore
import CabinetPDF
import CabinetTesting
import Foundation
import Tariffs
import Testing

/// The PDF is a real document: `pdftotext` (poppler-utils, installed by Scripts/test.sh) reads the Cyrillic back.
@Suite struct PDFStatementRendererTests {
    func statement(events count: Int) -> FullStatement {
        let start = Date(timeIntervalSince1970: 1_794_000_000)
        let events = (0..<count).map { index -> RatedEvent in
            let call = index % 2 == 0
            let kind: UsageEvent.Kind = call ? .call : .sms
            let callKind: UsageEvent.CallKind? = call ? .offNet : nil
            let charged = Money(minorUnits: call ? 400 : 250, currency: .rub)
            return RatedEvent(
                eventID: "e\(index)", subscriberID: SubscriberID(1), kind: kind, callKind: callKind,
                occurredAt: start.addingTimeInterval(Double(index) * 600), units: call ? 120 : 1, fromPackage: 0,
                charged: charged, otherParty: "+79161234567")
        }
        let calls = events.filter { $0.kind == .call }
        let sms = events.filter { $0.kind == .sms }
        return FullStatement(
            msisdn: MSISDN(e164: "+79001234567")!, owner: "Петрова Мария Сергеевна",
            regionName: "Москва и Московская область",
            tariffName: "Мой онлайн", from: LocalDate("2026-11-01")!, to: LocalDate("2026-11-30")!, events: events,
            totals: [
                UsageTotal(
                    kind: .call, events: calls.count, units: Int64(calls.count) * 120, fromPackage: 0,
                    charged: Money(minorUnits: Int64(calls.count) * 400, currency: .rub)),
                UsageTotal(
                    kind: .sms, events: sms.count, units: Int64(sms.count), fromPackage: 0,
                    charged: Money(minorUnits: Int64(sms.count) * 250, currency: .rub)),
            ],
            charged: Money(minorUnits: Int64(calls.count) * 400 + Int64(sms.count) * 250, currency: .rub),
            language: .ru,
            generatedAt: start, timeZone: TimeZone(identifier: "Europe/Moscow")!)
    }

    func text(of pdf: Data) async throws -> String? { try await PDFText.extract(pdf) }

    @Test func aStatementOfManyPagesReadsBackInRussian() async throws {
        let texts = BillingTexts(catalog: try BillingModule.messages())
        let file = try PDFStatementRenderer().render(statement(events: 150), texts: texts)
        #expect(file.contentType == "application/pdf" && file.fileName.hasSuffix(".pdf"))
        #expect(file.data.prefix(5) == Data("%PDF-".utf8))
        guard let text = try await text(of: file.data) else {
            Issue.record("pdftotext (poppler-utils) is missing: Scripts/test.sh installs it")
            return
        }
        #expect(text.contains("Детализация счёта"))
        #expect(text.contains("+7 900 123-45-67"))
        #expect(text.contains("Петрова Мария Сергеевна"))
        #expect(text.contains("Всего списано: 487,50"))
        #expect(text.contains("Стр. 3"), "150 rows need more than two pages")
        #expect(text.contains("Звонок на другие сети"))
    }

    @Test func anEmptyPeriodSaysSo() async throws {
        let file = try PDFStatementRenderer().render(
            statement(events: 0), texts: BillingTexts(catalog: try BillingModule.messages()))
        let text = try await text(of: file.data)
        #expect(text == nil || text?.contains("За период нет событий.") == true)
    }

    @Test func aMissingFontIsAClearError() throws {
        #expect(throws: PDFError.self) {
            try PDFStatementRenderer(fontPath: "/nonexistent/font.ttf").render(
                statement(events: 1),
                texts: BillingTexts(catalog: try BillingModule.messages()))
        }
    }
}
