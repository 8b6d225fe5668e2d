import Billing
import CabinetCore
import CabinetHTTP
import Foundation
import Subscribers
import Tariffs

/// `GET /api/v1/me/dashboard`.
struct DashboardDTO: Encodable, Sendable {
    struct TariffSummary: Encodable, Sendable {
        var id: String; var name: String; var fee: Money; var feePeriod: String
    }
    struct Remainder: Encodable, Sendable {
        /// `minutes`, `sms` or `megabytes`.
        var unit: String
        var left: Int64
        var total: Int64
        var expiresAt: Date
        var rolledOver: Bool
    }
    struct Period: Encodable, Sendable { var start: Date; var end: Date }
    struct NextFee: Encodable, Sendable { var date: LocalDate; var amount: Money; var tariff: String }

    var msisdn: String
    var region: String
    /// `active`, `blocked`, `suspended`, `terminated`.
    var status: String
    /// The balance is below zero: paid outgoing service is restricted until a top-up.
    var restricted: Bool
    var balance: Money
    var tariff: TariffSummary
    var period: Period
    var remainders: [Remainder]
    var nextFee: NextFee?
    var plannedTariff: TariffSummary?
    /// Connected options' own fees: name, amount, period (`day`, `month`) and the date they fall due.
    var optionFees: [OptionFee]

    init(_ dashboard: Dashboard, language: Language) {
        msisdn = dashboard.msisdn.e164
        region = dashboard.region.rawValue
        status = dashboard.status.rawValue
        restricted = dashboard.restricted
        balance = dashboard.balance
        tariff = Self.summary(dashboard.tariff, language: language)
        period = Period(start: dashboard.period.start, end: dashboard.period.end)
        remainders = dashboard.remainders.map {
            let (unit, divisor): (String, Int64) =
                switch $0.unit {
                case .seconds: ("minutes", 60)
                case .sms: ("sms", 1)
                case .kilobytes: ("megabytes", 1024)
                }
            return Remainder(
                unit: unit, left: $0.left / divisor, total: $0.total / divisor, expiresAt: $0.expiresAt,
                rolledOver: $0.rolledOver)
        }
        nextFee = dashboard.nextFee.map { NextFee(date: $0.on, amount: $0.amount, tariff: $0.tariff.rawValue) }
        plannedTariff = dashboard.plannedTariff.map { Self.summary($0, language: language) }
        optionFees = dashboard.optionFees.map {
            OptionFee(name: $0.name.text(in: language), amount: $0.amount, period: $0.period.rawValue, date: $0.on)
        }
    }

    struct OptionFee: Encodable, Sendable {
        var name: String
        var amount: Money
        var period: String
        var date: LocalDate
    }

    /// The same JSON as `Encodable` would give (keys sorted, nil fields left out), written without JSONEncoder: the
    /// dashboard is the most requested response.
    func write(to json: inout JSONWriter) {
        func summary(_ tariff: TariffSummary) {
            json.beginObject()
            json.key("fee")
            json.money(tariff.fee)
            json.field("feePeriod", tariff.feePeriod)
            json.field("id", tariff.id)
            json.field("name", tariff.name)
            json.endObject()
        }
        json.beginObject()
        json.key("balance")
        json.money(balance)
        json.field("msisdn", msisdn)
        if let nextFee {
            json.key("nextFee")
            json.beginObject()
            json.key("amount")
            json.money(nextFee.amount)
            json.field("date", nextFee.date.description)
            json.field("tariff", nextFee.tariff)
            json.endObject()
        }
        json.key("optionFees")
        json.beginArray()
        for fee in optionFees {
            json.beginObject()
            json.key("amount")
            json.money(fee.amount)
            json.field("date", fee.date.description)
            json.field("name", fee.name)
            json.field("period", fee.period)
            json.endObject()
        }
        json.endArray()
        json.key("period")
        json.beginObject()
        json.key("end")
        json.instant(period.end)
        json.key("start")
        json.instant(period.start)
        json.endObject()
        if let plannedTariff {
            json.key("plannedTariff")
            summary(plannedTariff)
        }
        json.field("region", region)
        json.key("remainders")
        json.beginArray()
        for remainder in remainders {
            json.beginObject()
            json.key("expiresAt")
            json.instant(remainder.expiresAt)
            json.field("left", remainder.left)
            json.key("rolledOver")
            json.bool(remainder.rolledOver)
            json.field("total", remainder.total)
            json.field("unit", remainder.unit)
            json.endObject()
        }
        json.endArray()
        json.key("restricted")
        json.bool(restricted)
        json.field("status", status)
        json.key("tariff")
        summary(tariff)
        json.endObject()
    }

    static func summary(_ tariff: Tariff, language: Language) -> TariffSummary {
        TariffSummary(
            id: tariff.id.rawValue, name: tariff.name.text(in: language), fee: tariff.fee.amount,
            feePeriod: tariff.fee.period.rawValue)
    }
}

/// A balance-history item.
struct MovementDTO: Encodable, Sendable {
    var id: Int64
    var kind: String
    var amount: Money
    var balanceAfter: Money
    var at: Date
    /// Why the balance moved, in the request's language.
    var explanation: String
    var reference: String

    init(_ movement: LedgerMovement, texts: BillingTexts, language: Language, regions: RegionCatalog, region: RegionID)
    {
        id = movement.entryID
        kind = movement.kind.rawValue
        amount = movement.amount
        balanceAfter = movement.balanceAfter
        at = movement.at
        explanation = BillingViews.explain(movement, texts: texts, language: language, regions: regions, region: region)
        reference = movement.externalID
    }
}

/// A statement row.
struct RatedEventDTO: Encodable, Sendable {
    var eventId: String
    var kind: String
    var callKind: String?
    var occurredAt: Date
    var otherParty: String?
    /// Seconds (calls, whole minutes), messages, kilobytes.
    var units: Int64
    var fromPackage: Int64
    var charged: Money

    init(_ event: RatedEvent) {
        eventId = event.eventID
        kind = event.kind.rawValue
        callKind = event.callKind?.rawValue
        occurredAt = event.occurredAt
        otherParty = event.otherParty
        units = event.units
        fromPackage = event.fromPackage
        charged = event.charged
    }
}

struct UsageTotalDTO: Encodable, Sendable {
    var kind: String
    var events: Int
    var units: Int64
    var fromPackage: Int64
    var charged: Money
}

/// `POST /api/v1/me/statements`.
struct StatementOrderBody: Decodable, Sendable {
    var from: String
    var to: String
}

/// `POST /operator/v1/usage`.
struct UsageBatchBody: Decodable, Sendable {
    var events: [UsageInput]
}

struct IngestDTO: Encodable, Sendable {
    struct Rejected: Encodable, Sendable { var index: Int; var eventId: String?; var code: String; var message: String }
    var received: Int
    var rated: Int
    var duplicates: Int
    var rejected: [Rejected]
}

/// Explanations and small views shared by the API and pages.
enum BillingViews {
    /// "Fee of tariff "My Online" for 2026-11-01 — 2026-11-30": tariff ids in arguments become names.
    static func explain(
        _ movement: LedgerMovement, texts: BillingTexts, language: Language, regions: RegionCatalog, region: RegionID
    )
        -> String
    {
        var arguments = movement.arguments
        if let id = arguments["tariff"].flatMap(TariffID.init(rawValue:)), let tariff = regions.tariff(id, in: region) {
            arguments["tariff"] = tariff.name.text(in: language)
        }
        return texts.explain(movement.explanation, arguments: arguments, language: language)
    }

    /// Parses `YYYY-MM-DD` query values, naming the field on error.
    static func date(_ text: String?, field: String) throws -> LocalDate? {
        guard let text, !text.isEmpty else { return nil }
        guard let date = LocalDate(text) else {
            throw CabinetError.validation([
                FieldError(field: field, code: "billing.dateInvalid", arguments: ["value": text])
            ])
        }
        return date
    }
}
