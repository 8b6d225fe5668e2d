import CabinetCore
import CabinetMessaging
import CabinetServer
import Foundation
import Testing

/// Every SMS text of every module, in both languages and with its placeholders filled as long as they get, costs no
/// more parts than its kind allows through an SMS centre: one for a text carrying a code (the login code with its
/// WebOTP line included), two for a notice.
@Suite struct SMSSegmentsTests {
    /// Placeholders at their longest realistic values; anything else gets twelve letters.
    static let fill = [
        "code": "12345678", "msisdn": "+7 900 123-45-67", "requester": "+7 900 123-45-67", "from": "+7 900 123-45-67",
        "minutes": "10", "balance": "-12 345,67 ₽", "threshold": "300,00 ₽", "amount": "12 345,67 ₽",
        "date": "2026-11-30", "until": "2026-11-30", "gigabytes": "10",
    ]

    static func filled(_ text: String) -> String {
        var result = text
        while let open = result.firstIndex(of: "{"), let close = result[open...].firstIndex(of: "}") {
            let name = String(result[result.index(after: open)..<close])
            result.replaceSubrange(open...close, with: fill[name] ?? String(repeating: "W", count: 12))
        }
        return result
    }

    @Test func everySMSFitsTheSegmentsItsKindAllows() throws {
        let catalog = try CabinetModules.messages()
        let keys = catalog.keys.filter { $0.contains(".sms.") || $0.contains(".notice.") }.sorted()
        #expect(keys.count > 20, "the SMS texts were found")
        for key in keys {
            for language in Language.allCases where catalog.contains(key, in: language) {
                let raw = catalog.text(key, in: language)
                var text = Self.filled(raw)
                // The login code ends with the WebOTP line for the site's host (up to 19 characters keep one part
                // with an 8-digit code in Russian).
                if key == "auth.sms.loginCode" { text += "\n@lk.operator.example #12345678" }
                let allowed = raw.contains("{code}") ? 1 : 2
                #expect(
                    SMSSegments.count(text) <= allowed,
                    "\(key) (\(language)) takes \(SMSSegments.count(text)) parts, \(allowed) allowed: \(text)")
            }
        }
    }

    @Test func theCounterCountsAsTheSMSCentreBills() {
        #expect(SMSSegments.count(String(repeating: "a", count: 160)) == 1)
        #expect(SMSSegments.count(String(repeating: "a", count: 161)) == 2)
        #expect(SMSSegments.count(String(repeating: "ж", count: 70)) == 1)
        #expect(SMSSegments.count(String(repeating: "ж", count: 71)) == 2)
        #expect(SMSSegments.count("Login code: 1@a") == 1, "@ is not the default alphabet here: UCS-2, still one")
    }
}
