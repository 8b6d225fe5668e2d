import Auth
import AuthTesting
import CabinetCore
import CabinetMessaging
import CabinetTesting
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

/// The HTTP layer passes the request's language down, so the SMS a person asks for is in their language.
@Suite struct AuthTextsHTTPTests {
    let number = "+79001234567"

    @Test(arguments: TestDatabase.available)
    func theLoginCodeFollowsTheRequestLanguage(_ backend: TestDatabase) async throws {
        try await AuthTestBed.with(backend) { bed in
            try await bed.line(number)
            try await AuthHTTPTestApp(bed: bed, https: false).app().test(.router) { client in
                let body = ByteBuffer(string: #"{"msisdn": "\#(number)"}"#)
                try await client.execute(
                    uri: "/api/v1/auth/otp", method: .post,
                    headers: [.contentType: "application/json", .acceptLanguage: "en-GB,en;q=0.9"],
                    body: body
                ) { response throws in
                    #expect(response.status == .accepted)
                }
                let english = try #require(try await bed.messages(to: number).last?.body)
                #expect(english.hasPrefix("Login code: "))
                bed.clock.advance(by: .seconds(61))
                try await client.execute(
                    uri: "/api/v1/auth/otp", method: .post, headers: [.contentType: "application/json"],
                    body: body
                ) { response throws in
                    #expect(response.status == .accepted)
                }
                let russian = try #require(try await bed.messages(to: number).last?.body)
                #expect(russian.hasPrefix("Код входа: "))
            }
        }
    }
}
