import Auth
import Billing
public import CabinetCore
import Corporate
import Foundation
import Subscribers
import Tariffs

/// Provisions deterministic demo lines in every region (idempotent): three per region, the first Moscow line
/// being `+7 900 000-00-01`.
public struct DemoProvisioner: Sendable {
    /// One demo line as printed for a person trying the cabinet.
    public struct DemoLine: Sendable, Hashable {
        public var msisdn: MSISDN
        public var region: RegionID
        public var regionName: String
        public var owner: String
        public var status: LineStatus
        /// The PUK printed on the demo SIM pack (for trying PUK login).
        public var puk: String
        /// The tariff's name and the balance, once Billing has the line.
        public var tariff: String = "—"
        public var balance: String = "—"
        /// Which of the region's three lines (0, 1, 2); the third starts with little money, for the promised payment.
        var position: Int = 0
    }

    /// A demo line's PUK: 8 digits derived from its number, so it is the same on every run.
    public static func puk(for msisdn: MSISDN) -> String {
        String(msisdn.nationalNumber.suffix(7)).reversed() + "8"
    }

    private let runtime: CabinetRuntime

    public init(runtime: CabinetRuntime) {
        self.runtime = runtime
    }

    /// Number blocks of the shipped regions; other regions get a block from their first prefix.
    static let blocks: [String: String] = [
        "msk": "900000000", "spb": "904000000", "nnov": "908000000", "perm": "902000000", "nsk": "913000000",
        "almaty": "701000000",
    ]

    static let owners = ["Иванов Иван Иванович", "Петрова Мария Сергеевна", "Сидоров Алексей Петрович"]

    /// The demo numbers of a region.
    public static func numbers(for region: Region, index: Int) -> [MSISDN] {
        let block: String
        if let known = blocks[region.id.rawValue] {
            block = known
        } else {
            let prefix = region.msisdnRules.prefixes.first ?? "9"
            let filler = String(format: "%03d", (index * 7) % 1000)
            block = String((prefix + filler + "000000000").prefix(9))
        }
        return (1...owners.count).compactMap { MSISDN(e164: "+7" + block + String($0)) }
    }

    /// Creates the demo lines that are missing and returns all of them.
    public func provision() async throws -> [DemoLine] {
        var result: [DemoLine] = []
        // The shipped regions first, Moscow leading, so the first line printed is +7 900 000-00-01.
        let order = ["msk", "spb", "nnov", "perm", "nsk", "almaty"]
        let regions = runtime.regions.regions.sorted { a, b in
            (order.firstIndex(of: a.id.rawValue) ?? order.count, a.id) < (
                order.firstIndex(of: b.id.rawValue) ?? order.count, b.id
            )
        }
        for (index, region) in regions.enumerated() where region.isEnabled(SubscribersModule.id) {
            for (position, msisdn) in Self.numbers(for: region, index: index).enumerated()
            where region.msisdnRules.allows(msisdn) {
                let owner = Self.owners[position]
                let existing = try await runtime.services.subscribers.service.line(msisdn: msisdn)
                let puk = Self.puk(for: msisdn)
                if region.isEnabled(AuthModule.id), try await !runtime.services.auth.service.hasPUK(msisdn),
                    existing != nil
                {
                    try await runtime.services.auth.service.provisionPUK(puk, for: msisdn)
                }
                if let existing {
                    result.append(
                        DemoLine(
                            msisdn: existing.msisdn, region: region.id, regionName: region.name.ru,
                            owner: existing.owner.fullName ?? owner, status: existing.status, puk: puk,
                            position: position))
                    continue
                }
                let line = try await runtime.services.subscribers.service.provision(
                    NewLine(
                        msisdn: msisdn, region: region.id, status: .active,
                        activatedOn: LocalDate(runtime.clock.now, in: region.timeZone).adding(
                            days: -400 + position * 150),
                        owner: OwnerProfile(
                            fullName: owner, email: "demo\(position + 1).\(region.id.rawValue)@cabinet.local")))
                if region.isEnabled(AuthModule.id) {
                    try await runtime.services.auth.service.provisionPUK(puk, for: msisdn)
                }
                result.append(
                    DemoLine(
                        msisdn: line.msisdn, region: region.id, regionName: region.name.ru, owner: owner,
                        status: line.status, puk: puk, position: position))
            }
        }
        try await provisionCompany(&result)
        for index in result.indices {
            guard let region = runtime.regions.region(result[index].region), region.isEnabled(BillingModule.id),
                let line = try await runtime.services.subscribers.service.line(msisdn: result[index].msisdn)
            else { continue }
            try await seedBilling(line, region: region, lowBalance: result[index].position == 2)
            if let account = try await runtime.services.billing.service.account(of: line.id) {
                result[index].tariff =
                    runtime.services.billing.service.rules.tariff(account.tariffID, in: region.id)?.name.ru
                    ?? account.tariffID.rawValue
                result[index].balance = account.balance.displayString
            }
        }
        return result
    }

    /// The demo company: «ООО «Демо»» (ИНН 7736207543) in Moscow, approved through its application, with its SIM
    /// +7 900 000-01-00 as the owner's designated number and three employees in «Отдел продаж» (+7 900 000-01-01…03).
    /// Idempotent: nothing happens once the company exists.
    func provisionCompany(_ result: inout [DemoLine]) async throws {
        guard let msk = RegionID(rawValue: "msk"), let region = runtime.regions.region(msk),
            region.isEnabled(CorporateModule.id), region.isEnabled(AuthModule.id),
            let companyID = CompanyID(rawValue: "7736207543"), let owner = MSISDN(e164: "+79000000100")
        else { return }
        let corporate = runtime.services.corporate.service
        let subscribers = runtime.services.subscribers.service
        let people = ["Белова Елена", "Смирнова Анна", "Кузнецов Павел", "Орлова Ольга"]
        for (position, name) in people.enumerated() {
            guard let msisdn = MSISDN(e164: "+7900000010\(position)"), region.msisdnRules.allows(msisdn) else {
                continue
            }
            if let existing = try await subscribers.line(msisdn: msisdn) {
                result.append(
                    DemoLine(
                        msisdn: existing.msisdn, region: region.id, regionName: region.name.ru,
                        owner: name + " (ООО «Демо»)", status: existing.status, puk: Self.puk(for: msisdn), position: 3)
                )
                continue
            }
            let line = try await subscribers.provision(
                NewLine(
                    msisdn: msisdn, region: region.id, status: .active,
                    activatedOn: LocalDate(runtime.clock.now, in: region.timeZone).adding(days: -200),
                    owner: OwnerProfile(fullName: name), companyID: companyID))
            try await runtime.services.auth.service.provisionPUK(Self.puk(for: msisdn), for: msisdn)
            result.append(
                DemoLine(
                    msisdn: line.msisdn, region: region.id, regionName: region.name.ru, owner: name + " (ООО «Демо»)",
                    status: line.status, puk: Self.puk(for: msisdn), position: 3))
        }
        guard try await corporate.company(companyID) == nil, let ownerLine = try await subscribers.line(msisdn: owner)
        else { return }
        let application = try await corporate.apply(
            ApplicationDraft(
                region: region.id, city: "Москва", companyName: "ООО «Демо»", inn: companyID.rawValue,
                contactName: ownerLine.owner.fullName ?? "Белова Елена", phone: owner,
                puk: Self.puk(for: owner)),
            clientAddress: nil)
        _ = try await corporate.approve(
            application.id,
            with: ApplicationApproval(
                companyID: companyID, kpp: "773601001", legalAddress: "Москва, ул. Тверская, 1",
                contractNumber: "B-DEMO-1"))
        let access = try await corporate.access(
            for: SessionInfo(
                id: "demo", subscriberID: ownerLine.id, msisdn: owner, steppedUpAt: nil, passwordChangeRequired: false,
                csrfToken: ""))
        let group = try await corporate.createGroup(access, name: "Отдел продаж")
        for position in 1..<people.count {
            guard let msisdn = MSISDN(e164: "+7900000010\(position)") else { continue }
            try await corporate.move(access, msisdn: msisdn, to: group.id)
        }
        // The company paid its first invoice by bank transfer, so «Финансы и документы» has a balance to show.
        _ = try await runtime.services.corporate.finance.recordBankTransfer(
            BankTransfer(
                company: companyID, amount: Money(minorUnits: 50_000_00, currency: region.currency),
                reference: "DEMO-1", paidOn: LocalDate(runtime.clock.now, in: region.timeZone)))
    }

    /// A starting credit and some usage since the period began, so the dashboard and the statement have something to
    /// show. Ids are derived from the line, so running the demo again adds nothing.
    /// `lowBalance`: just enough for the balance to stand at 30 ₽ (300 ₸) after the first fee, below the promised
    /// payment's threshold; otherwise 1 500 ₽ (15 000 ₸).
    func seedBilling(_ line: Line, region: Region, lowBalance: Bool) async throws {
        guard let account = try await runtime.services.billing.service.account(of: line.id) else { return }
        let scale: Int64 = region.currency == .kzt ? 10 : 1
        let minor = lowBalance ? max(100, 3_000 * scale - account.balance.minorUnits) : 150_000 * scale
        let credit = Money(minorUnits: minor, currency: region.currency)
        _ = try await runtime.services.billing.ledger.post(
            LedgerPosting(
                externalID: "demo-credit:\(line.id.rawValue)", kind: .adjustment, line: line.id, amount: credit,
                counterparty: .adjustment,
                explanation: "billing.explain.demoCredit", allowsNegativeBalance: true, at: runtime.clock.now))
        let start = account.period.start
        let span = runtime.clock.now.timeIntervalSince(start)
        // Spread over the period so far, however young: in the first hour of a month (00:07 in Moscow) the statement
        // and the dashboard would otherwise have nothing to show.
        guard span > 120 else { return }
        let others = ["+79001112233", "+79161234567", "+74952223344", "+78123334455"]
        var events: [UsageEvent] = []
        for index in 0..<24 {
            let at = start.addingTimeInterval(span * Double(index + 1) / 25)
            let id = "demo:\(line.msisdn.nationalNumber):\(index)"
            switch index % 4 {
            case 0:
                events.append(
                    UsageEvent(
                        eventID: id, msisdn: line.msisdn, kind: .call, occurredAt: at, quantity: Int64(45 + index * 37),
                        callKind: index % 8 == 0 ? .onNet : .offNet, otherParty: others[index % others.count]))
            case 1:
                events.append(
                    UsageEvent(
                        eventID: id, msisdn: line.msisdn, kind: .sms, occurredAt: at, quantity: 1,
                        otherParty: others[(index + 1) % others.count]))
            case 2:
                events.append(
                    UsageEvent(
                        eventID: id, msisdn: line.msisdn, kind: .data, occurredAt: at,
                        quantity: Int64(index + 1) * 31_457_280))
            default:
                events.append(
                    UsageEvent(
                        eventID: id, msisdn: line.msisdn, kind: .call, occurredAt: at,
                        quantity: Int64(120 + index * 11),
                        callKind: .intercity, otherParty: others[(index + 2) % others.count]))
            }
        }
        _ = try await runtime.services.billing.service.ingest(events)
    }

    /// The table `cabinet demo` and `serve --demo` print.
    public static func table(_ lines: [DemoLine]) -> String {
        var rows = [["number", "region", "tariff", "balance", "owner", "status", "PUK"]]
        rows += lines.map {
            [
                $0.msisdn.formatted, "\($0.region) (\($0.regionName))", $0.tariff, $0.balance, $0.owner,
                $0.status.rawValue, $0.puk,
            ]
        }
        return TextTable.render(rows)
    }
}

/// Plain-text tables for command output.
public enum TextTable {
    public static func render(_ rows: [[String]]) -> String {
        guard let columns = rows.map(\.count).max() else { return "" }
        var widths = Array(repeating: 0, count: columns)
        for row in rows {
            for (index, cell) in row.enumerated() { widths[index] = max(widths[index], cell.count) }
        }
        return rows.map { row in
            row.enumerated().map { index, cell in
                index == row.count - 1 ? cell : cell + String(repeating: " ", count: widths[index] - cell.count)
            }.joined(separator: "  ")
        }.joined(separator: "\n")
    }
}
