import Auth
import AuthStorage
import AuthTesting
import CabinetCore
import CabinetStorage
import CabinetTesting
import Foundation
import SQLKit
import Testing

/// On PostgreSQL a request's session comes with its lines' stamps, read in the same statement, for the node's cached
/// line rows (LineStampedCache) to answer the rest of the request.
@Suite struct SessionStampTests {
    @Test(.enabled(if: TestDatabase.available.contains(.postgres)))
    func aSessionsReadBringsItsLinesStamps() async throws {
        try await TestDatabase.postgres.withDatabase(migrations: AuthTestBed.migrations) { database throws in
            let store = SQLAuthStore(database: database)
            let now = Date(timeIntervalSince1970: 1_795_000_000)
            let session = AuthSession(
                id: "s", tokenHash: "h", subscriberID: SubscriberID(1), msisdn: MSISDN(e164: "+79001234567")!,
                actingSubscriberID: SubscriberID(2), kind: .api, method: .otp, createdAt: now, lastSeenAt: now,
                expiresAt: now.addingTimeInterval(3600), idleTimeout: .seconds(600), client: ClientInfo(),
                steppedUpAt: nil, passwordRequired: false, csrfToken: "c")
            try await store.insertSession(session)
            try await database.write { db in
                try await db.raw("INSERT INTO cabinet_line_stamp (subscriber_id, stamp) VALUES (2, 5)").run()
            }
            let seen = LineStamps()
            let found = try await LineStamps.$current.withValue(seen) { try await store.session(tokenHash: "h") }
            #expect(found == session)
            #expect(seen.stamp(of: SubscriberID(1)) == 0, "a line never written has stamp 0")
            #expect(seen.stamp(of: SubscriberID(2)) == 5)
            #expect(try await store.session(tokenHash: "h") == session, "outside a request: the same session")

            // A change no version saw is not decoded again (proof that the node keeps what it decoded)...
            try await database.write { db in
                try await db.raw("ALTER TABLE auth_session DISABLE TRIGGER auth_session_row_version").run()
                try await db.raw("UPDATE auth_session SET user_agent = 'hidden' WHERE id = 's'").run()
                try await db.raw("ALTER TABLE auth_session ENABLE TRIGGER auth_session_row_version").run()
            }
            let again = LineStamps()
            #expect(
                try await LineStamps.$current.withValue(again) { try await store.session(tokenHash: "h") } == session)
            // ...and any update by any node is: the row's version moved.
            var changed = session
            changed.actingSubscriberID = SubscriberID(1)
            changed.lastSeenAt = now.addingTimeInterval(120)
            try await SQLAuthStore(database: database).updateSession(changed)
            let after = LineStamps()
            let updated = try await LineStamps.$current.withValue(after) { try await store.session(tokenHash: "h") }
            #expect(updated?.actingSubscriberID == SubscriberID(1))
            #expect(updated?.lastSeenAt == changed.lastSeenAt)
            #expect(updated?.client.userAgent == "hidden")

            let nobody = LineStamps()
            #expect(try await LineStamps.$current.withValue(nobody) { try await store.session(tokenHash: "x") } == nil)
            #expect(nobody.stamp(of: SubscriberID(1)) == nil)
        }
    }
}
