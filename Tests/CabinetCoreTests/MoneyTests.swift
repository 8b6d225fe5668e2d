import CabinetCore
import Foundation
import Testing

@Suite struct MoneyTests {
    @Test(arguments: [
        ("1234.50", 123_450), ("1234.5", 123_450), ("1234", 123_400), ("0.01", 1), ("-10.00", -1000), ("0", 0),
        ("00012.30", 1230), ("-0.05", -5),
    ])
    func parsesTheAPIFormExactly(text: String, minor: Int64) throws {
        #expect(try Money(parsing: text, currency: .rub).minorUnits == minor)
    }

    @Test(arguments: ["", " ", "1,5", "1.2.3", "abc", "1e5", "+5", "--1", ".5", "5.", "NaN", "١٢", "1 000"])
    func rejectsMalformedAmounts(text: String) {
        #expect(throws: MoneyError.self) { try Money(parsing: text, currency: .rub) }
    }

    @Test func refusesMoreThanTheMinorDigits() {
        #expect(throws: MoneyError.tooManyFractionDigits(allowed: 2)) { try Money(parsing: "0.001", currency: .rub) }
    }

    @Test func refusesOverflow() throws {
        #expect(throws: MoneyError.overflow) { try Money(parsing: "92233720368547758.08", currency: .rub) }
        #expect(try Money(parsing: "92233720368547758.07", currency: .rub).minorUnits == .max)
        let max = Money(minorUnits: .max, currency: .rub)
        #expect(throws: MoneyError.overflow) { try max.adding(Money(minorUnits: 1, currency: .rub)) }
        #expect(throws: MoneyError.overflow) { try Money(minorUnits: .min, currency: .rub).negated() }
        #expect(throws: MoneyError.overflow) { try max.multiplied(by: 2) }
    }

    @Test func neverMixesCurrencies() {
        let rub = Money(minorUnits: 100, currency: .rub)
        let kzt = Money(minorUnits: 100, currency: .kzt)
        #expect(throws: MoneyError.currencyMismatch(.rub, .kzt)) { try rub.adding(kzt) }
        #expect(throws: MoneyError.currencyMismatch(.rub, .kzt)) { try rub.subtracting(kzt) }
        #expect(throws: MoneyError.currencyMismatch(.rub, .kzt)) { try rub.isLess(than: kzt) }
    }

    @Test func arithmeticIsExact() throws {
        let a = try Money(parsing: "0.10", currency: .rub)
        let b = try Money(parsing: "0.20", currency: .rub)
        #expect(try a.adding(b).amountString == "0.30")
        #expect(try a.subtracting(b).amountString == "-0.10")
        #expect(try a.multiplied(by: 3).amountString == "0.30")
        #expect(try a.isLess(than: b))
    }

    @Test(arguments: [
        (123_450 as Int64, Currency.rub, "1\u{00A0}234,50\u{00A0}₽"),
        (123_450, .kzt, "1\u{00A0}234,50\u{00A0}₸"),
        (5, .rub, "0,05\u{00A0}₽"),
        (-1_500, .rub, "-15,00\u{00A0}₽"),
        (123_456_789_00, .rub, "123\u{00A0}456\u{00A0}789,00\u{00A0}₽"),
        (100_000, .rub, "1\u{00A0}000,00\u{00A0}₽"),
    ])
    func formatsForPeople(minor: Int64, currency: Currency, expected: String) {
        #expect(Money(minorUnits: minor, currency: currency).displayString == expected)
    }

    @Test func apiFormRoundTrips() throws {
        for minor: Int64 in [0, 1, 9, 10, 99, 100, 123_450, -5, -123_450, .max, .min + 1] {
            let money = Money(minorUnits: minor, currency: .kzt)
            #expect(try Money(parsing: money.amountString, currency: .kzt) == money)
        }
    }

    @Test(arguments: ["1 234,50 ₽", "1234,50", "1\u{00A0}234,5\u{00A0}₽", "1234.50 RUB", " 1 234,50 "])
    func parsesTheDisplayForm(text: String) throws {
        #expect(try Money(parsingDisplay: text, currency: .rub).minorUnits == 123_450)
    }

    @Test func displayFormWithAnotherCurrencyIsRefused() {
        #expect(throws: MoneyError.currencyMismatch(.rub, .kzt)) { try Money(parsingDisplay: "15 ₸", currency: .rub) }
    }

    @Test func jsonCarriesAmountAndCurrency() throws {
        let money = Money(minorUnits: 123_450, currency: .rub)
        let data = try JSONEncoder.sorted.encode(money)
        #expect(String(decoding: data, as: UTF8.self) == #"{"amount":"1234.50","currency":"RUB"}"#)
        #expect(try JSONDecoder().decode(Money.self, from: data) == money)
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(Money.self, from: Data(#"{"amount":"12.345","currency":"RUB"}"#.utf8))
        }
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(Money.self, from: Data(#"{"amount":"12.34","currency":"USD"}"#.utf8))
        }
    }

    @Test func currenciesAreKnownByCode() {
        #expect(Currency(code: "rub") == .rub)
        #expect(Currency(code: "KZT") == .kzt)
        #expect(Currency(code: "USD") == nil)
        #expect(Currency.kzt.minorUnitsPerMajor == 100)
    }
}

extension JSONEncoder {
    static var sorted: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return encoder
    }
}
