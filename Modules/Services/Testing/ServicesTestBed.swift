import Billing
import BillingStorage
public import BillingTesting
public import CabinetCore
public import CabinetStorage
public import CabinetTesting
public import Foundation
public import Services
public import ServicesStorage
public import Subscribers
import Support
import Synchronization

/// Services over Billing's SQL test bed (lines, tariffs, the ledger) on SQLite or PostgreSQL, with a catalogue of
/// eight options (free and paid, daily and monthly fees, a conflict rule on one side only, one the `premium` tariff
/// includes, three bans) and a black list of at most five numbers.
public struct ServicesTestBed: Sendable {
    public let billing: BillingTestBed
    public let store: SQLServicesStore
    public let service: DefaultServicesService

    public static let servicesYAML = """
        options:
          - {id: ya-na-svyazi, name: {ru: "Я на связи", en: "I'm Reachable"}, description: {ru: "SMS о пропущенных", en: "Missed calls"},
             kind: missedCalls, connectionFee: "0.00", fee: {amount: "1.50", period: day}}
          - {id: gudok, name: {ru: "Гудок", en: "Ringback Tone"}, description: {ru: "Мелодия", en: "A melody"},
             kind: ringback, connectionFee: "30.00", fee: {amount: "2.50", period: day}}
          - {id: roaming-ban, name: {ru: "Запрет роуминга", en: "Roaming Ban"}, description: {ru: "Запрет", en: "Ban"},
             kind: barring, bars: roaming, connectionFee: "0.00", incompatibleWith: [international-roaming]}
          - {id: international-roaming, name: {ru: "Международный роуминг", en: "International Roaming"},
             description: {ru: "Роуминг", en: "Roaming"}, kind: other, connectionFee: "0.00"}
          - {id: internet-boost, name: {ru: "Дополнительный интернет 5 ГБ", en: "Extra 5 GB"},
             description: {ru: "5 ГБ", en: "5 GB"}, kind: boost, connectionFee: "150.00"}
          - {id: music, name: {ru: "Музыка", en: "Music"}, description: {ru: "Подписка", en: "A subscription"},
             kind: other, connectionFee: "0.00", fee: {amount: "199.00", period: month}}
          - {id: intl-call-ban, name: {ru: "Запрет международных вызовов", en: "International Calls Ban"},
             description: {ru: "Запрет", en: "Ban"}, kind: barring, bars: international, connectionFee: "0.00"}
          - {id: premium-sms-ban, name: {ru: "Запрет платных SMS", en: "Premium SMS Ban"},
             description: {ru: "Запрет", en: "Ban"}, kind: barring, bars: premiumSms, connectionFee: "0.00"}
        blackList: {connectionFee: "10.00", dailyFee: "1.00", feePerNumber: "2.00", maxEntries: 5, retentionDays: 30}
        refundUnusedMonthlyFee: true
        simBlock: {freeDays: 2, dailyFee: "1.00"}
        suspension: {minDays: 2, maxDays: 30, perYear: 2, freeDays: 3, dailyFee: "5.00", maxDaysAhead: 10}
        deviceSettings: {apn: internet.test, mmsc: "http://mms.test", mmsProxy: "10.0.0.1:8080", maxPerDay: 2}
        roaming:
          zones:
            - {id: cis, name: {ru: "СНГ", en: "CIS"},
               prices: {incomingMinute: "9.00", outgoingMinute: "29.00", sms: "9.00", megabyte: "15.00"},
               packages: [{name: {ru: "1 ГБ", en: "1 GB"}, megabytes: 1024, days: 7, price: "500.00"}]}
            - {id: world, name: {ru: "Мир", en: "World"},
               prices: {incomingMinute: "99.00", outgoingMinute: "149.00", sms: "29.00", megabyte: "250.00"}}
          countries:
            - {code: KZ, name: {ru: "Казахстан", en: "Kazakhstan"}, zone: cis}
            - {code: AE, name: {ru: "Объединённые Арабские Эмираты", en: "United Arab Emirates"}, zone: world}
            - {code: TR, name: {ru: "Турция", en: "Turkey"}, zone: world}
            - {code: TH, name: {ru: "Таиланд", en: "Thailand"}, zone: world}
        """

    public static var migrations: [Migration] { BillingTestBed.migrations + ServicesSchema.migrations }

    public static var extraSettings: BillingTestBed.ExtraSettings {
        [
            "services": { currency in
                SettingsProbe.read(ServicesSettings.self, yaml: servicesYAML, currency: currency).settings
            },
            // Support's contacts, which the lost SIM's page names.
            "support": { currency in
                SettingsProbe.read(SupportSettings.self, yaml: supportYAML, currency: currency).settings
            },
        ]
    }

    public static let supportYAML = """
        contacts:
          - {kind: short, number: "611", label: {ru: "С мобильного, бесплатно", en: "From a mobile, free"}}
        email: "help@cabinet.test"
        tickets:
          categories: [{id: other, name: {ru: "Другое", en: "Other"}, firstResponseHours: 24}]
          maxAttachments: 1
          maxAttachmentKB: 1
          reopenDays: 3
        cannedReplies: []
        compensation: {agentLimit: "100.00"}
        """

    /// Runs `body` with a test bed over a fresh database of `backend`.
    public static func with<T: Sendable>(
        _ backend: TestDatabase, start: String = BillingTestBed.defaultStart,
        _ body: (ServicesTestBed) async throws -> T
    ) async throws -> T {
        try await backend.withDatabase(migrations: migrations) { database throws in
            let billing = try await BillingTestBed(database: database, start: start, extraSettings: extraSettings)
            return try await body(ServicesTestBed(billing: billing))
        }
    }

    /// The PUKs the public block form accepts (Auth's real check, with its lock-outs, is tested in Auth).
    public let puks = FixedPUKs()
    /// Codes to contact numbers, the form's second way in (Auth's real codes are tested in Auth).
    public let contactCodes = FixedContactCodes()

    public init(billing: BillingTestBed) {
        self.billing = billing
        store = SQLServicesStore(database: billing.database, ledger: billing.store, recurring: billing.store)
        service = DefaultServicesService(
            store: store, ledger: billing.store, lines: billing.directory, lineTariffs: billing.lineTariffs,
            regions: billing.rules.regions, clock: billing.clock, logger: .test, registry: billing.lines, puk: puks,
            contactCodes: contactCodes, reads: billing.database)
        billing.store.tariffOptionRules.add(service)
    }

    /// A line of `region` (Moscow, or Almaty with `+7701…` numbers) on `tariff` with `credit` on the balance.
    public func line(_ number: String, region: String = "msk", tariff: String = "payg", credit: String? = nil)
        async throws -> Line
    {
        try await billing.line(number, region: region, tariff: tariff, credit: credit)
    }

    public func access(_ line: Line) -> LineAccess { billing.access(line) }

    public func option(_ id: String) throws -> OptionID {
        guard let option = OptionID(rawValue: id) else { throw CabinetError.internal("bad option id \(id)") }
        return option
    }
}

/// PUKs by number, for tests of the public block form: a wrong PUK or number fails as Auth's check does.
public final class FixedPUKs: PUKCheck, Sendable {
    private let known = Mutex<[MSISDN: (puk: String, line: SubscriberID)]>([:])

    public init() {}

    public func set(_ puk: String, for line: Line) {
        known.withLock { $0[line.msisdn] = (puk, line.id) }
    }

    public func confirmPUK(_ puk: String, of msisdn: MSISDN, clientAddress: String?) async throws -> SubscriberID {
        guard let entry = known.withLock({ $0[msisdn] }), entry.puk == puk else {
            throw CabinetError(ErrorCode("auth.login.failed", .unauthenticated))
        }
        return entry.line
    }
}

/// Codes to contact numbers for tests: a code is "sent" (kept here) only when the contact number is the one set for
/// the line; a wrong code fails as Auth's does.
public final class FixedContactCodes: ContactNumberCheck, Sendable {
    private let state = Mutex<(contacts: [MSISDN: (contact: MSISDN, line: SubscriberID)], sent: [MSISDN: String])>(
        ([:], [:]))

    public init() {}

    public func set(contact: MSISDN, for line: Line) {
        state.withLock { $0.contacts[line.msisdn] = (contact, line.id) }
    }

    /// The code last sent for the line of `msisdn`, if any was.
    public func sentCode(for msisdn: MSISDN) -> String? { state.withLock { $0.sent[msisdn] } }

    public func sendBlockCode(for msisdn: MSISDN, to contact: MSISDN, clientAddress: String?, language: Language)
        async throws -> Date
    {
        state.withLock { state in
            if state.contacts[msisdn]?.contact == contact { state.sent[msisdn] = "246810" }
        }
        return Date().addingTimeInterval(60)
    }

    public func confirmBlockCode(_ code: String, for msisdn: MSISDN, contact: MSISDN, clientAddress: String?)
        async throws -> SubscriberID
    {
        guard
            let line = state.withLock({ state -> SubscriberID? in
                guard let sent = state.sent[msisdn], sent == code, state.contacts[msisdn]?.contact == contact else {
                    return nil
                }
                state.sent[msisdn] = nil
                return state.contacts[msisdn]?.line
            })
        else { throw CabinetError(ErrorCode("auth.otp.wrong", .unauthenticated)) }
        return line
    }
}
