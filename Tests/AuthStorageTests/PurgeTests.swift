import Auth
import AuthStorage
import AuthTesting
import CabinetCore
import CabinetStorage
import CabinetTesting
import Foundation
import SQLKit
import Testing

/// The housekeeping job's store call: expired sessions, codes and limit events go; live ones stay.
@Suite struct PurgeTests {
    let number = "+79001234567"

    @Test(arguments: TestDatabase.available)
    func purgeRemovesOnlyWhatHasExpired(_ backend: TestDatabase) async throws {
        try await AuthTestBed.with(backend) { bed in
            try await bed.line(number)
            let old = try await bed.loginByCode(number)
            bed.clock.advance(by: .seconds(13 * 3600))
            let fresh = try await bed.loginByCode(number)
            let database = try #require(bed.database)
            let store = SQLAuthStore(database: database)

            let removed = try await store.purgeExpired(now: bed.clock.now)
            #expect(removed >= 1, "the first session passed its 12 hours")
            #expect(try await bed.service.authenticate(token: old.token) == nil)
            #expect(try await bed.service.authenticate(token: fresh.token) != nil, "a live session survives the purge")
            let sessions = try await database.read { db in
                try await db.raw("SELECT COUNT(*) AS n FROM auth_session").first()?.decode(column: "n", as: Int.self)
            }
            #expect(sessions == 1)

            bed.clock.advance(by: .seconds(3 * 86_400))
            #expect(
                try await store.purgeExpired(now: bed.clock.now) >= 3,
                "the second session, both codes, the limit events")
            #expect(try await store.purgeExpired(now: bed.clock.now) == 0, "nothing left to remove")
        }
    }
}
