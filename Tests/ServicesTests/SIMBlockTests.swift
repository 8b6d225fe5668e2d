import Billing
import BillingStorage
import BillingTesting
import CabinetCore
import CabinetMessaging
import CabinetTesting
import Foundation
import Services
import ServicesTesting
import Subscribers
import SubscribersTesting
import Testing

/// A lost SIM on SQLite and PostgreSQL: blocked at once from the line itself, a linked number, a delegate allowed to
/// manage services or the public number-and-PUK form, refused to anybody else; the owner told; fees stopped, the
/// block's own fee after its free days; unblocked only by the operator, with a reason.
@Suite struct SIMBlockTests {
    func line(_ bed: ServicesTestBed, _ number: String, tariff: String = "payg", credit: String = "200.00")
        async throws -> Line
    {
        let line = try await bed.line(number, tariff: tariff, credit: credit)
        var patch = LinePatch()
        patch.contactNumber = .set(try #require(MSISDN(e164: "+79161112233")))
        return try await bed.billing.lines.update(msisdn: line.msisdn, with: patch)
    }

    @Test(arguments: TestDatabase.available)
    func theOwnerBlocksAtOnceAndIsToldOnTheContactNumberAndEmail(_ backend: TestDatabase) async throws {
        try await ServicesTestBed.with(backend) { bed in
            let line = try await line(bed, "+79001234567")
            let request = try await bed.service.blockSIM(for: bed.access(line), language: .ru)
            #expect(request.kind == "services.simBlock" && request.status == .done && request.detail == "session")
            #expect(try await bed.billing.directory.line(id: line.id)?.status == .blocked)
            let view = try await bed.service.simBlock(for: bed.access(line))
            #expect(view.status == .blocked && view.blockedSince == bed.billing.clock.now)
            let sms = try await bed.billing.messages(to: "+79161112233")
            #expect(
                sms.map(\.body) == [
                    "SIM-карта номера +7 900 123-45-67 заблокирована 2026-11-10. Разблокировать — в офисе с паспортом."
                ])
            #expect(try await bed.billing.messages(to: "owner@example.com").map(\.purpose) == ["services.simBlock"])
            #expect(try await bed.billing.messages(to: "+79001234567").isEmpty, "nothing to the lost phone")
            let again = await #expect(throws: CabinetError.self) {
                try await bed.service.blockSIM(for: bed.access(line), language: .ru)
            }
            #expect(again?.code == ServicesError.alreadyBlocked)
            // The network check stops calls to and from it.
            let decisions = try await bed.service.check([
                CallAttempt(
                    id: "c1", from: try PhoneNumber(parsing: "+79001234567"),
                    to: try PhoneNumber(parsing: "+74951234567"),
                    kind: .voice, at: bed.billing.clock.now, roaming: false),
                CallAttempt(
                    id: "c2", from: try PhoneNumber(parsing: "+74951234567"),
                    to: try PhoneNumber(parsing: "+79001234567"),
                    kind: .voice, at: bed.billing.clock.now, roaming: false),
            ])
            #expect(decisions.map(\.reason) == [.lineBlocked, .lineBlocked])
        }
    }

    /// Who may block: the line itself, a linked number, a delegate with `manageServices`, the holder of the PUK;
    /// not a delegate who may only look and pay, not a wrong PUK.
    @Test(arguments: TestDatabase.available)
    func whoMayBlock(_ backend: TestDatabase) async throws {
        try await ServicesTestBed.with(backend) { bed in
            let linked = try await line(bed, "+79001234561")
            let delegated = try await line(bed, "+79001234562")
            let byPUK = try await line(bed, "+79001234563")
            let viewer = LineAccess(
                subscriberID: delegated.id, msisdn: delegated.msisdn, region: delegated.region,
                relation: .delegated(expiresAt: bed.billing.clock.now.addingTimeInterval(3_600)),
                scopes: [.viewBalance, .pay])
            let refused = await #expect(throws: CabinetError.self) {
                try await bed.service.blockSIM(for: viewer, language: .ru)
            }
            #expect(refused?.code == KernelError.scopeMissing)
            #expect(try await bed.billing.directory.line(id: delegated.id)?.status == .active)
            var manager = viewer
            manager.scopes.insert(.manageServices)
            #expect(try await bed.service.blockSIM(for: manager, language: .ru).detail == "delegate")
            let link = LineAccess.owned(linked.id, msisdn: linked.msisdn, region: linked.region, linked: true)
            #expect(try await bed.service.blockSIM(for: link, language: .en).detail == "linked")

            bed.puks.set("12345678", for: byPUK)
            let wrong = await #expect(throws: CabinetError.self) {
                try await bed.service.blockSIM(
                    msisdn: byPUK.msisdn, puk: "87654321", clientAddress: "203.0.113.5", language: .ru)
            }
            #expect(wrong?.code == "auth.login.failed")
            #expect(try await bed.billing.directory.line(id: byPUK.id)?.status == .active)
            let request = try await bed.service.blockSIM(
                msisdn: byPUK.msisdn, puk: "12345678", clientAddress: "203.0.113.5", language: .ru)
            #expect(request.detail == "puk")
            #expect(try await bed.billing.directory.line(id: byPUK.id)?.status == .blocked)

            // Without the PUK: a code to the owner's contact number, only when it is theirs.
            let byContact = try await line(bed, "+79001234564")
            let contact = try #require(MSISDN(e164: "+79161112233"))
            bed.contactCodes.set(contact: contact, for: byContact)
            _ = try await bed.service.requestBlockCode(
                msisdn: byContact.msisdn, contact: try #require(MSISDN(e164: "+79160000000")), clientAddress: nil,
                language: .ru)
            #expect(bed.contactCodes.sentCode(for: byContact.msisdn) == nil)
            _ = try await bed.service.requestBlockCode(
                msisdn: byContact.msisdn, contact: contact, clientAddress: nil, language: .ru)
            let code = try #require(bed.contactCodes.sentCode(for: byContact.msisdn))
            await #expect(throws: CabinetError.self) {
                try await bed.service.blockSIM(
                    msisdn: byContact.msisdn, contact: contact, code: "000000", clientAddress: nil, language: .ru)
            }
            #expect(try await bed.billing.directory.line(id: byContact.id)?.status == .active)
            let viaContact = try await bed.service.blockSIM(
                msisdn: byContact.msisdn, contact: contact, code: code, clientAddress: nil, language: .ru)
            #expect(viaContact.detail == "contact")
        }
    }

    /// While blocked the tariff's and the options' daily fees stop; the block costs nothing for its two free days and
    /// 1.00 a day after; the operator's unblock (with a reason) stops that and the other fees come back.
    @Test(arguments: TestDatabase.available)
    func feesStopWhileBlockedAndTheBlockFeeFollowsItsFreeDays(_ backend: TestDatabase) async throws {
        try await ServicesTestBed.with(backend) { bed in
            let line = try await line(bed, "+79001234567", tariff: "daily")
            _ = try await bed.service.connect(try bed.option("gudok"), for: bed.access(line), replacing: [])
            // Half a day of the tariff (12.50), gudok's 30.00 and half a day of it (1.25).
            #expect(try await bed.billing.balance(line) == "156.25")
            _ = try await bed.service.blockSIM(for: bed.access(line), language: .ru)
            func day() async throws -> String {
                bed.billing.clock.advance(by: .seconds(86_400))
                _ = try await bed.billing.service.runDueFees()
                _ = try await bed.billing.store.chargeDue(now: bed.billing.clock.now, limit: 100)
                return try await bed.billing.balance(line)
            }
            // 11 and 12 November free; the block's fee from 13 November.
            #expect(try await day() == "156.25")
            #expect(try await day() == "156.25")
            #expect(try await day() == "155.25")

            let noReason = await #expect(throws: CabinetError.self) {
                try await bed.service.operatorUnblock(msisdn: line.msisdn, reason: "  ")
            }
            #expect(noReason?.fieldErrors.first?.code == ServicesError.unblockReason)
            let unblock = try await bed.service.operatorUnblock(
                msisdn: line.msisdn, reason: "passport seen at office 12")
            #expect(unblock.kind == "services.simUnblock" && unblock.detail == "passport seen at office 12")
            #expect(try await bed.billing.directory.line(id: line.id)?.status == .active)
            let twice = await #expect(throws: CabinetError.self) {
                try await bed.service.operatorUnblock(msisdn: line.msisdn, reason: "again")
            }
            #expect(twice?.code == ServicesError.notBlocked)
            // 14 November: the tariff (25.00) and gudok (2.50) again, no block fee.
            #expect(try await day() == "127.75")
            #expect(try await bed.billing.check().isClean)
        }
    }
}
