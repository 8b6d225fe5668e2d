import Auth
import AuthTesting
import CabinetCore
import CabinetMessaging
import CabinetTesting
import Foundation
import Subscribers
import Testing

/// The texts Auth sends (SMS, e-mail, push prompts) come from its catalogue, in the language of the request.
@Suite struct AuthTextsTests {
    let number = "+79001234567"
    var msisdn: MSISDN { MSISDN(e164: number)! }

    /// Every key Auth's code uses for a text it sends.
    static let sentTextKeys = [
        "auth.sms.loginCode", "auth.sms.passwordLocked", "auth.sms.newDevice", "auth.sms.unknownBrowser",
        "auth.sms.passwordSet", "auth.sms.passwordChanged", "auth.sms.resetCode", "auth.sms.passwordReset",
        "auth.sms.linkCode", "auth.sms.linkAdded", "auth.sms.delegationGranted.owner",
        "auth.sms.delegationGranted.grantee",
        "auth.sms.delegationRevoked.owner", "auth.sms.delegationRevoked.grantee", "auth.sms.stepUpCode",
        "auth.push.loginPrompt", "auth.mail.emailCode.subject", "auth.mail.emailCode.text",
    ]

    /// The `{name}` placeholders of a text.
    static func placeholders(in text: String) -> Set<String> {
        var names: Set<String> = []
        var rest = Substring(text)
        while let open = rest.firstIndex(of: "{") {
            let after = rest[rest.index(after: open)...]
            guard let close = after.firstIndex(of: "}") else { break }
            names.insert(String(after[..<close]))
            rest = after[after.index(after: close)...]
        }
        return names
    }

    static func hasCyrillic(_ text: String) -> Bool {
        text.unicodeScalars.contains { (0x0400...0x04FF).contains($0.value) }
    }

    @Test func sentTextsExistInBothLanguagesWithTheSamePlaceholders() throws {
        let catalog = try AuthModule.messages()
        for key in Self.sentTextKeys {
            #expect(catalog.contains(key, in: .ru), "\(key) has no Russian text")
            #expect(catalog.contains(key, in: .en), "\(key) has no English text")
            let russian = catalog.text(key, in: .ru)
            let english = catalog.text(key, in: .en)
            #expect(Self.placeholders(in: russian) == Self.placeholders(in: english), "\(key): placeholders differ")
            #expect(!Self.hasCyrillic(english), "\(key): English text has Cyrillic letters")
        }
        #expect(Self.placeholders(in: catalog.text("auth.sms.loginCode", in: .ru)) == ["code"])
    }

    @Test(arguments: AuthTestBed.Backend.all)
    func aLoginCodeIsTextedInTheLanguageOfTheRequest(_ backend: AuthTestBed.Backend) async throws {
        try await AuthTestBed.with(backend) { bed in
            try await bed.line(number)
            let client = ClientInfo(address: "10.0.0.1", userAgent: "test-browser", language: .en)
            _ = try await bed.service.requestLoginCode(for: msisdn, client: client)
            let sms = try #require(try await bed.messages(to: number).last)
            let code = try #require(AuthTestBed.code(in: sms.body))
            #expect(code.count == 6)
            let expected = try AuthModule.messages().text(
                "auth.sms.loginCode", in: .en, arguments: ["code": code, "minutes": "10"])
            #expect(sms.body == expected + "\n@\(AuthTestBed.webOTPHost) #\(code)", "the WebOTP line ends it")
            #expect(!Self.hasCyrillic(sms.body))
            // The English code logs in like any other.
            _ = try await bed.service.login(msisdn: msisdn, code: code, kind: .api, client: client)
        }
    }

    @Test(arguments: AuthTestBed.Backend.all)
    func aLoginCodeIsInRussianByDefault(_ backend: AuthTestBed.Backend) async throws {
        try await AuthTestBed.with(backend) { bed in
            try await bed.line(number)
            _ = try await bed.service.requestLoginCode(for: msisdn, client: ClientInfo(address: "10.0.0.1"))
            let sms = try #require(try await bed.messages(to: number).last)
            let code = try #require(AuthTestBed.code(in: sms.body))
            #expect(
                sms.body == "Код входа: \(code). Никому не говорите\n@lk.cabinet.test #\(code)",
                "ends with the WebOTP line")
        }
    }

    @Test(arguments: AuthTestBed.Backend.all)
    func aNewDeviceAlertIsInTheLanguageOfTheLogin(_ backend: AuthTestBed.Backend) async throws {
        try await AuthTestBed.with(backend) { bed in
            try await bed.line(number)
            _ = try await bed.loginByCode(
                number, client: ClientInfo(address: "10.0.0.1", userAgent: "phone", deviceID: "device-a"))
            bed.clock.advance(by: .seconds(61))
            _ = try await bed.loginByCode(
                number, client: ClientInfo(address: "10.9.9.9", deviceID: "device-b", language: .en))
            let alert = try #require(try await bed.messages(to: number).last { $0.purpose == "auth.newDevice" })
            #expect(alert.body.contains("(unknown browser, 10.9.9.9)"))
            #expect(!Self.hasCyrillic(alert.body))
        }
    }
}
