import Billing
import BillingStorage
import BillingTesting
import CabinetCore
import CabinetTesting
import Foundation
import Services
import ServicesStorage
import ServicesTesting
import Subscribers
import Tariffs
import Testing

/// The options catalogue on SQLite and PostgreSQL: states, conflicts refused and then replaced in one transaction,
/// the connection fee posted once or refused with the exact shortfall, disconnection, and who may do it.
@Suite struct OptionsTests {
    @Test(arguments: TestDatabase.available)
    func theCatalogueShowsConnectedIncludedAndAvailable(_ backend: TestDatabase) async throws {
        try await ServicesTestBed.with(backend) { bed in
            let line = try await bed.line("+79001234567", tariff: "premium", credit: "1000.00")
            _ = try await bed.service.connect(try bed.option("ya-na-svyazi"), for: bed.access(line), replacing: [])
            let views = try await bed.service.catalogue(for: bed.access(line))
            let states = Dictionary(uniqueKeysWithValues: views.map { ($0.option.id.rawValue, $0.state) })
            #expect(
                views.map(\.option.id.rawValue) == [
                    "ya-na-svyazi", "gudok", "roaming-ban", "international-roaming", "internet-boost", "music",
                    "intl-call-ban",
                    "premium-sms-ban",
                ])
            guard case .connected(_, let request)? = states["ya-na-svyazi"] else {
                Issue.record("connected expected: \(String(describing: states["ya-na-svyazi"]))")
                return
            }
            #expect(request != nil)
            #expect(
                states["roaming-ban"]
                    == .included(tariff: .init(id: "premium", name: LocalizedText(ru: "Премиум", en: "Premium"))))
            #expect(states["gudok"] == .available)
            // Included in the tariff: it is not connected again, nor switched off.
            let preview = try await bed.service.preview(try bed.option("roaming-ban"), for: bed.access(line))
            #expect(preview.refusal?.code == ServicesError.includedInTariff)
            await #expect(throws: CabinetError.self) {
                try await bed.service.disconnect(try bed.option("roaming-ban"), for: bed.access(line))
            }
            // …and an option that conflicts with it cannot be connected on this tariff.
            let blocked = try await bed.service.preview(try bed.option("international-roaming"), for: bed.access(line))
            #expect(blocked.conflicts.map(\.option.id.rawValue) == ["roaming-ban"])
            #expect(blocked.conflicts.first?.includedInTariff == true)
            #expect(!blocked.allowed)
        }
    }

    @Test(arguments: TestDatabase.available)
    func aConflictIsNamedRefusedAndThenReplacedInOneRequest(_ backend: TestDatabase) async throws {
        try await ServicesTestBed.with(backend) { bed in
            let line = try await bed.line("+79001234567", credit: "100.00")
            let access = bed.access(line)
            let ban = try bed.option("roaming-ban")
            let roaming = try bed.option("international-roaming")
            _ = try await bed.service.connect(ban, for: access, replacing: [])
            // The rule is written on the ban's side only; it binds both ways.
            let preview = try await bed.service.preview(roaming, for: access)
            #expect(preview.conflicts.map(\.option.id) == [ban])
            #expect(preview.conflicts.first?.ruleOf.id == ban)
            #expect(preview.allowed)
            let refused = await #expect(throws: CabinetError.self) {
                try await bed.service.connect(roaming, for: access, replacing: [])
            }
            #expect(refused?.code == ServicesError.conflict)
            #expect(refused?.arguments["conflicts"] == "«Запрет роуминга»")
            let wrong = await #expect(throws: CabinetError.self) {
                try await bed.service.connect(roaming, for: access, replacing: [ban, try bed.option("gudok")])
            }
            #expect(wrong?.fieldErrors.first?.code == ServicesError.replaceInvalid)
            let before = try await bed.billing.requests.requests(of: line.id, before: nil, limit: 10).count
            let request = try await bed.service.connect(roaming, for: access, replacing: [ban])
            #expect(request.kind == "services.connect" && request.status == .done)
            #expect(request.detail == "international-roaming -roaming-ban")
            let connected = try await bed.store.connectedOptions(of: line.id).map(\.option)
            #expect(connected == [roaming], "the ban went in the same change")
            #expect(try await bed.billing.requests.requests(of: line.id, before: nil, limit: 10).count == before + 1)
        }
    }

    @Test(arguments: TestDatabase.available)
    func theConnectionFeeIsPostedOnceOrRefusedWithTheExactShortfall(_ backend: TestDatabase) async throws {
        try await ServicesTestBed.with(backend) { bed in
            let line = try await bed.line("+79001234567", credit: "100.00")
            let access = bed.access(line)
            let boost = try bed.option("internet-boost")
            let preview = try await bed.service.preview(boost, for: access)
            #expect(preview.shortfall?.amountString == "50.00")
            #expect(!preview.allowed)
            let refused = await #expect(throws: CabinetError.self) {
                try await bed.service.connect(boost, for: access, replacing: [])
            }
            #expect(refused?.code == ServicesError.insufficientFunds)
            #expect(refused?.arguments["shortfall"] == Money(minorUnits: 5_000, currency: .rub).displayString)
            #expect(try await bed.billing.balance(line) == "100.00")
            #expect(try await bed.store.connectedOptions(of: line.id).isEmpty)

            // 30.00 to connect and the rest of today's 2.50 (from noon in Moscow: 1.25) at once.
            let gudok = try bed.option("gudok")
            let gudokPreview = try await bed.service.preview(gudok, for: access)
            #expect(gudokPreview.firstPeriodFee.amountString == "1.25")
            #expect(gudokPreview.chargedNow.amountString == "31.25")
            let request = try await bed.service.connect(gudok, for: access, replacing: [])
            #expect(try await bed.billing.balance(line) == "68.75")
            let again = await #expect(throws: CabinetError.self) {
                try await bed.service.connect(gudok, for: access, replacing: [])
            }
            #expect(again?.code == ServicesError.alreadyConnected)
            #expect(try await bed.billing.balance(line) == "68.75")
            // The fee's ledger id is the request's: posting it again (a retried transaction) changes nothing.
            let repeated = try await bed.billing.store.post(
                LedgerPosting(
                    externalID: ConnectOrder.feeLedgerID(request: request.id), kind: .optionFee, line: line.id,
                    amount: Money(minorUnits: -3_000, currency: .rub), counterparty: .revenue,
                    explanation: "services.explain.connect", allowsNegativeBalance: false, at: bed.billing.clock.now))
            guard case .duplicate = repeated else {
                Issue.record("a second posting of the same fee was applied: \(repeated)")
                return
            }
            #expect(try await bed.billing.balance(line) == "68.75")
            // Free options need no money at all; a free connection with a daily fee needs today's share.
            let broke = try await bed.line("+79001234568")
            _ = try await bed.service.connect(try bed.option("roaming-ban"), for: bed.access(broke), replacing: [])
            let daily = await #expect(throws: CabinetError.self) {
                try await bed.service.connect(try bed.option("ya-na-svyazi"), for: bed.access(broke), replacing: [])
            }
            #expect(daily?.arguments["shortfall"] == Money(minorUnits: 75, currency: .rub).displayString)
            #expect(try await bed.billing.check().isClean)
        }
    }

    @Test(arguments: TestDatabase.available)
    func disconnectingIsImmediateFreeAndRecorded(_ backend: TestDatabase) async throws {
        try await ServicesTestBed.with(backend) { bed in
            let line = try await bed.line("+79001234567", credit: "100.00")
            let access = bed.access(line)
            let gudok = try bed.option("gudok")
            _ = try await bed.service.connect(gudok, for: access, replacing: [])
            let request = try await bed.service.disconnect(gudok, for: access)
            #expect(request.kind == "services.disconnect" && request.status == .done)
            #expect(try await bed.store.connectedOptions(of: line.id).isEmpty)
            #expect(try await bed.billing.balance(line) == "68.75", "no refund, no charge")
            let twice = await #expect(throws: CabinetError.self) {
                try await bed.service.disconnect(gudok, for: access)
            }
            #expect(twice?.code == ServicesError.notConnected)
            let unknown = await #expect(throws: CabinetError.self) {
                try await bed.service.connect(try bed.option("no-such-option"), for: access, replacing: [])
            }
            #expect(unknown?.code == ServicesError.optionUnknown)
        }
    }

    /// A viewer (a delegation without `manageServices`) sees the catalogue but changes nothing.
    @Test(arguments: TestDatabase.available)
    func aViewerChangesNothing(_ backend: TestDatabase) async throws {
        try await ServicesTestBed.with(backend) { bed in
            let line = try await bed.line("+79001234567", credit: "100.00")
            let viewer = LineAccess(
                subscriberID: line.id, msisdn: line.msisdn, region: line.region,
                relation: .delegated(expiresAt: bed.billing.clock.now.addingTimeInterval(86_400)),
                scopes: [.viewBalance, .pay])
            #expect(try await bed.service.catalogue(for: viewer).count == 8)
            await #expect(throws: CabinetError.self) {
                try await bed.service.connect(try bed.option("ya-na-svyazi"), for: viewer, replacing: [])
            }
            #expect(try await bed.store.connectedOptions(of: line.id).isEmpty)
        }
    }

    /// Daily and monthly option fees run on the region's calendar: today's and this month's share at connection, then
    /// each local day and each month from the fee day in full, once per period however often the run comes; a
    /// disconnected option is charged no more.
    @Test(arguments: TestDatabase.available)
    func dailyAndMonthlyFeesAreChargedEachPeriodOnce(_ backend: TestDatabase) async throws {
        try await ServicesTestBed.with(backend) { bed in
            let line = try await bed.line("+79001234567", credit: "1000.00")
            let access = bed.access(line)
            _ = try await bed.service.connect(try bed.option("gudok"), for: access, replacing: [])
            _ = try await bed.service.connect(try bed.option("music"), for: access, replacing: [])
            // 30.00 + 1.25 for gudok; music from noon of 10 November to 1 December: 20.5 of 30 days of 199.00.
            #expect(try await bed.billing.balance(line) == "832.77")
            // The dashboard shows each option's own fee beside the tariff's, with the day it falls due.
            let fees = try await bed.billing.service.dashboard(access).optionFees
            #expect(
                fees.map { "\($0.name.en) \($0.amount.amountString) \($0.on)" } == [
                    "Ringback Tone 2.50 2026-11-11", "Music 199.00 2026-12-01",
                ])
            let scheduled = try await bed.billing.store.scheduledCharges(of: line.id)
            #expect(
                scheduled.map(\.charge.key) == ["option:\(line.id.rawValue):gudok", "option:\(line.id.rawValue):music"])

            // Five Moscow midnights later (11–15 November): five days of gudok, nothing of music yet.
            bed.billing.clock.advance(by: .seconds(5 * 86_400))
            #expect(try await bed.billing.store.chargeDue(now: bed.billing.clock.now, limit: 100) == 5)
            #expect(try await bed.billing.store.chargeDue(now: bed.billing.clock.now, limit: 100) == 0)
            #expect(try await bed.billing.balance(line) == "820.27")

            _ = try await bed.service.disconnect(try bed.option("gudok"), for: access)
            // To 1 December noon: music's month in full on 1 December, gudok no more.
            bed.billing.clock.advance(by: .seconds(16 * 86_400))
            #expect(try await bed.billing.store.chargeDue(now: bed.billing.clock.now, limit: 100) == 1)
            #expect(try await bed.billing.balance(line) == "621.27")
            #expect(
                try await bed.billing.store.scheduledCharges(of: line.id).map(\.charge.key)
                    == ["option:\(line.id.rawValue):music"])
            #expect(try await bed.billing.check().isClean)
        }
    }

    /// An option's daily fee follows the tariff's rule on restricted days (`dailyFeesWhileRestricted`): Moscow charges
    /// it into debt, Almaty skips every day that falls due below zero; a monthly fee is charged either way.
    @Test(arguments: TestDatabase.available)
    func restrictedDaysFollowTheRegionsRuleForDailyFees(_ backend: TestDatabase) async throws {
        try await ServicesTestBed.with(backend) { bed in
            let moscow = try await bed.line("+79001234567", credit: "40.00")
            let almaty = try await bed.line("+77011234567", region: "almaty", credit: "40.00")
            let both = try await bed.line("+77017654321", region: "almaty", credit: "170.00")
            let gudok = try bed.option("gudok")
            for line in [moscow, almaty] {
                _ = try await bed.service.connect(gudok, for: bed.access(line), replacing: [])
            }
            _ = try await bed.service.connect(try bed.option("music"), for: bed.access(both), replacing: [])
            _ = try await bed.service.connect(gudok, for: bed.access(both), replacing: [])
            // 30.00 and the rest of today: half a Moscow day (1.25), ten Almaty hours (1.04).
            var seen: [String] = []
            for _ in 1...6 {
                bed.billing.clock.advance(by: .seconds(86_400))
                _ = try await bed.billing.store.chargeDue(now: bed.billing.clock.now, limit: 100)
                seen.append("\(try await bed.billing.balance(moscow)) \(try await bed.billing.balance(almaty))")
            }
            #expect(
                seen == [
                    "6.25 6.46", "3.75 3.96", "1.25 1.46", "-1.25 -1.04", "-3.75 -1.04", "-6.25 -1.04",
                ])
            // The third line went below zero on the 12th; music's month is charged on 1 December all the same.
            let beforeDecember = try await bed.billing.balance(both)
            bed.billing.clock.set(try #require(ISO8601DateFormatter().date(from: "2026-12-01T12:00:00Z")))
            _ = try await bed.billing.store.chargeDue(now: bed.billing.clock.now, limit: 100)
            let december = try await bed.billing.balance(both)
            #expect(beforeDecember.hasPrefix("-"))
            // Exactly music's 199.00: gudok's days below zero were not charged.
            #expect(
                try Money(parsing: beforeDecember, currency: .kzt).minorUnits
                    - Money(parsing: december, currency: .kzt).minorUnits == 19_900)
            #expect(try await bed.billing.check().isClean)
        }
    }

    /// A tariff change frees the options the new tariff includes (their own fee stops), removes those that conflict
    /// with what it includes, and drops what only the old one included; the preview says so, and the change applies it
    /// in its own transaction — at once, or when the period a planned change starts opens.
    @Test(arguments: TestDatabase.available)
    func aTariffChangeFreesRemovesAndDropsOptions(_ backend: TestDatabase) async throws {
        try await ServicesTestBed.with(backend) { bed in
            let line = try await bed.line("+79001234567", credit: "2000.00")
            let access = bed.access(line)
            _ = try await bed.service.connect(try bed.option("ya-na-svyazi"), for: access, replacing: [])
            _ = try await bed.service.connect(try bed.option("international-roaming"), for: access, replacing: [])
            let daily = try #require(TariffID(rawValue: "daily"))
            let preview = try await bed.billing.service.preview(line: access, to: daily, timing: .immediately)
            #expect(preview.optionChanges.map(\.kind) == [.freed])
            #expect(preview.optionChanges.first?.option.rawValue == "ya-na-svyazi")
            _ = try await bed.billing.service.change(line: access, to: daily, timing: .immediately)
            // An immediate change takes effect a moment after the request.
            bed.billing.clock.advance(by: .seconds(1))
            #expect(
                try await bed.store.connectedOptions(of: line.id).map(\.option.rawValue) == ["international-roaming"])
            #expect(try await bed.billing.store.scheduledCharges(of: line.id).isEmpty, "the option's own fee stopped")
            let states = try await bed.service.catalogue(for: access)
            #expect(states.first { $0.option.id.rawValue == "ya-na-svyazi" }?.state.isIncluded == true)

            // To premium (from the next period): it includes the roaming ban, so roaming goes; ya-na-svyazi was daily's.
            let premium = try #require(TariffID(rawValue: "premium"))
            let planned = try await bed.billing.service.preview(line: access, to: premium, timing: .nextPeriod)
            #expect(
                Set(planned.optionChanges.map { "\($0.option.rawValue):\($0.kind.rawValue)" })
                    == ["international-roaming:removed", "ya-na-svyazi:dropped"])
            _ = try await bed.billing.service.change(line: access, to: premium, timing: .nextPeriod)
            #expect(try await bed.store.connectedOptions(of: line.id).count == 1, "nothing changes before the period")
            bed.billing.clock.advance(by: .seconds(86_400))
            _ = try await bed.billing.service.runDueFees()
            #expect(try await bed.store.connectedOptions(of: line.id).isEmpty)
            #expect(try await bed.billing.check().isClean)
        }
    }

    /// Where the region says so (`refundUnusedMonthlyFee`, on in the test region), switching off a monthly option
    /// returns the rest of the current period's fee pro rata, once, in the same transaction; a daily fee is not split.
    @Test(arguments: TestDatabase.available)
    func switchingOffAMonthlyOptionRefundsTheRestWhereTheRegionSaysSo(_ backend: TestDatabase) async throws {
        try await ServicesTestBed.with(backend) { bed in
            let line = try await bed.line("+79001234567", credit: "1000.00")
            let access = bed.access(line)
            _ = try await bed.service.connect(try bed.option("music"), for: access, replacing: [])
            #expect(try await bed.billing.balance(line) == "864.02", "20.5 of 30 days of 199.00")
            bed.billing.clock.advance(by: .seconds(10 * 86_400))
            _ = try await bed.service.disconnect(try bed.option("music"), for: access)
            // 10.5 of 30 days back: 69.65.
            #expect(try await bed.billing.balance(line) == "933.67")
            _ = try await bed.service.connect(try bed.option("gudok"), for: access, replacing: [])
            let afterGudok = try await bed.billing.balance(line)
            _ = try await bed.service.disconnect(try bed.option("gudok"), for: access)
            #expect(try await bed.billing.balance(line) == afterGudok, "no refund of a daily fee")
            #expect(try await bed.billing.check().isClean)
        }
    }
}
