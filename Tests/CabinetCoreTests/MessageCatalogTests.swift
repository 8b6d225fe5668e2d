import CabinetCore
import Testing

@Suite struct MessageCatalogTests {
    @Test(
        arguments: [
            (nil, Language.ru), ("en-US,en;q=0.9", .en), ("ru-RU,ru;q=0.9,en;q=0.8", .ru), ("de-DE, en;q=0.5", .en),
            ("fr", .ru), ("en;q=0.2, ru;q=0.8", .ru), ("en;q=0", .ru), ("*", .ru),
        ] as [(String?, Language)])
    func negotiatesTheLanguage(header: String?, expected: Language) {
        #expect(Language.negotiate(acceptLanguage: header) == expected)
    }

    @Test func fillsPlaceholdersAndFallsBackToRussian() {
        let catalog = MessageCatalog([
            .ru: ["a": "Номер {msisdn}", "b": "только по-русски"], .en: ["a": "Number {msisdn}"],
        ])
        #expect(catalog.text("a", in: .en, arguments: ["msisdn": "+7 900"]) == "Number +7 900")
        #expect(catalog.text("b", in: .en) == "только по-русски")
        #expect(catalog.text("missing", in: .ru) == "missing")
        #expect(catalog.untranslatedKeys == [.en: ["b"]])
    }

    @Test func kernelTextsExistInBothLanguages() throws {
        let catalog = try KernelMessages.catalog()
        #expect(catalog.untranslatedKeys.isEmpty)
        for error in [
            MSISDNError.empty, .invalidCharacter("x"), .wrongLength(digits: 3), .unsupportedCountryCode,
            .notMobile(national: "4950000000"),
        ] {
            #expect(catalog.contains(error.code.rawValue, in: .ru))
            #expect(catalog.contains(error.code.rawValue, in: .en))
        }
        for error in [
            MoneyError.empty, .overflow, .malformed("x"), .tooManyFractionDigits(allowed: 2),
            .unknownCurrency("X"), .currencyMismatch(.rub, .kzt),
        ] {
            #expect(catalog.contains(error.code.rawValue, in: .ru))
        }
    }

    @Test func comparesSecretsInConstantTime() {
        #expect(ConstantTime.equals("secret-key-123", "secret-key-123"))
        #expect(!ConstantTime.equals("secret-key-123", "secret-key-124"))
        #expect(!ConstantTime.equals("secret", "secret-longer"))
        #expect(!ConstantTime.equals("", "x"))
        #expect(ConstantTime.equals("", ""))
    }
}
