import CabinetCore
import CabinetServer
import CabinetStorage
import CabinetTesting
import Foundation
import SQLKit
import Subscribers
import Support
import Testing

/// Support wired into the whole runtime: the shipped FAQ files are indexed and searchable, and an agent's look at a
/// line lands in the subscriber's own journal (Auth's), the one the security page lists.
@Suite struct SupportWiringTests {
    @Test(arguments: TestDatabase.available)
    func theShippedFAQIsSearchedAndAnAgentsLookIsInTheSubscribersJournal(_ backend: TestDatabase) async throws {
        try await withRuntime(backend) { runtime in
            let support = runtime.services.support.service
            let msk = try #require(RegionID(rawValue: "msk"))
            let almaty = try #require(RegionID(rawValue: "almaty"))
            #expect(
                try await support.searchFAQ("пополнить", region: msk, language: .ru, limit: 5).map(\.id).contains(
                    "topup-card"))
            #expect(
                try await support.searchFAQ("top up", region: msk, language: .en, limit: 5).map(\.id).contains(
                    "topup-card"))
            #expect(try await support.searchFAQ("тенге", region: msk, language: .ru, limit: 5).isEmpty)
            #expect(
                try await support.searchFAQ("тенге", region: almaty, language: .ru, limit: 5).map(\.id) == ["tenge"])

            let lines = try await DemoProvisioner(runtime: runtime).provision()
            let demo = try #require(lines.first { $0.region == msk })
            let line = try #require(try await runtime.services.subscribers.service.line(msisdn: demo.msisdn))
            let access = LineAccess.owned(line.id, msisdn: line.msisdn, region: line.region)
            let ticket = try await support.open(
                TicketDraft(category: "payments", subject: "Баланс", message: "Проверьте"), on: access, language: .ru)
            let created = try await support.addAgent(login: "wiring", name: "Ирина", role: .agent, regions: [msk])
            _ = try await support.view(ticket.id, by: created.agent)
            let events = try await runtime.database.read { db in
                try await db.raw(
                    """
                    SELECT event, detail FROM auth_journal WHERE subscriber_id = \(bind: line.id.rawValue)
                      AND event = 'support.viewed'
                    """
                ).all().map { try $0.decode(column: "detail", as: String?.self) }
            }
            #expect(events == ["Ирина · \(ticket.number)"])
        }
    }
}
