public import CabinetCore
public import Foundation
import Tariffs

/// Everything a statement file shows.
public struct FullStatement: Sendable, Hashable {
    public var msisdn: MSISDN
    public var owner: String?
    public var regionName: String
    public var tariffName: String
    public var from: LocalDate
    public var to: LocalDate
    public var events: [RatedEvent]
    public var totals: [UsageTotal]
    public var charged: Money
    public var language: Language
    public var generatedAt: Date
    public var timeZone: TimeZone

    public init(
        msisdn: MSISDN, owner: String?, regionName: String, tariffName: String, from: LocalDate, to: LocalDate,
        events: [RatedEvent], totals: [UsageTotal], charged: Money, language: Language, generatedAt: Date,
        timeZone: TimeZone
    ) {
        self.msisdn = msisdn
        self.owner = owner
        self.regionName = regionName
        self.tariffName = tariffName
        self.from = from
        self.to = to
        self.events = events
        self.totals = totals
        self.charged = charged
        self.language = language
        self.generatedAt = generatedAt
        self.timeZone = timeZone
    }

    /// `2026-11-03 14:05:09` in the region's time zone.
    public func localTime(_ instant: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: instant)
        func two(_ value: Int?) -> String { let v = value ?? 0; return v < 10 ? "0\(v)" : "\(v)" }
        return "\(c.year ?? 1970)-\(two(c.month))-\(two(c.day)) \(two(c.hour)):\(two(c.minute)):\(two(c.second))"
    }
}

/// Turns a statement into a file (CSV here; PDF in BillingPDF).
public protocol StatementRenderer: Sendable {
    func render(_ statement: FullStatement, texts: BillingTexts) throws -> StatementFile
}

/// The CSV form: one row per event, `;`-separated with a BOM so spreadsheet programs in Russia open it as is.
public struct StatementCSVRenderer: StatementRenderer {
    public init() {}

    public func render(_ statement: FullStatement, texts: BillingTexts) throws -> StatementFile {
        let language = statement.language
        let header = ["time", "kind", "otherParty", "units", "fromPackage", "charged", "currency"]
            .map { texts.catalog.text("billing.csv.\($0)", in: language) }
        var lines = [header.map(Self.escape).joined(separator: ";")]
        for event in statement.events {
            lines.append(
                [
                    statement.localTime(event.occurredAt), Self.kindText(event, texts: texts, language: language),
                    event.otherParty ?? "",
                    texts.amount(event.units, of: Rater.unit(of: event.kind), language: language),
                    texts.amount(event.fromPackage, of: Rater.unit(of: event.kind), language: language),
                    event.charged.amountString, event.charged.currency.code,
                ].map(Self.escape).joined(separator: ";"))
        }
        let body = "\u{FEFF}" + lines.joined(separator: "\r\n") + "\r\n"
        return StatementFile(
            fileName: "statement-\(statement.msisdn.nationalNumber)-\(statement.from)-\(statement.to).csv",
            contentType: "text/csv; charset=utf-8", data: Data(body.utf8))
    }

    public static func kindText(_ event: RatedEvent, texts: BillingTexts, language: Language) -> String {
        switch event.kind {
        case .call: texts.catalog.text("billing.kind.call.\(event.callKind?.rawValue ?? "offNet")", in: language)
        case .sms: texts.catalog.text("billing.kind.sms", in: language)
        case .data: texts.catalog.text("billing.kind.data", in: language)
        }
    }

    static func escape(_ field: String) -> String {
        // A leading = + - @ would run as a formula in a spreadsheet (CSV injection); a quote makes it text.
        var value = field
        if let first = value.first, "=+-@".contains(first), Double(value) == nil { value = "'" + value }
        guard value.contains(where: { $0 == ";" || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return value }
        return "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
