public import Billing
public import CabinetCore
import Foundation
public import Logging
public import Subscribers
public import Tariffs

/// The options of a region's catalogue on a line: what the line has, what it may connect, at what cost, and what
/// conflicts. Money moves only through Billing's ledger, in the store's transaction with the change.
public struct DefaultServicesService: ServicesService, TariffOptionRules {
    let store: any ServicesStore
    let ledger: any BalanceLedger
    /// Finds the lines of the numbers the network asks about.
    let lines: any SubscriberDirectory
    let lineTariffs: any LineTariffStore
    let regions: RegionCatalog
    let clock: any WallClock
    let logger: Logger
    /// Texts of messages Services sends (the settings SMS, a block's notices).
    let texts: MessageCatalog
    /// Subscribers' registry, which sets a blocked SIM's status; `nil` where nothing blocks (some tests, tools).
    let registry: (any SubscriberService)?
    /// Auth's check of a SIM's PUK for the public block form; `nil` where the form is not offered.
    let puk: (any PUKCheck)?
    /// Auth's code to the owner's contact number, the form's second way in; `nil` where it is not offered.
    let contactCodes: (any ContactNumberCheck)?
    /// Rules modules assembled later add to the call check (Corporate's quotas).
    public let callGuards: Listeners<any CallGuard>
    /// Groups the call check's reads of four modules (one SQLite reader's thread for all six).
    let reads: any ReadGrouping

    public init(
        store: any ServicesStore, ledger: any BalanceLedger, lines: any SubscriberDirectory,
        lineTariffs: any LineTariffStore, regions: RegionCatalog, clock: any WallClock, logger: Logger,
        texts: MessageCatalog = (try? ServicesModule.messages()) ?? MessageCatalog(),
        registry: (any SubscriberService)? = nil, puk: (any PUKCheck)? = nil,
        contactCodes: (any ContactNumberCheck)? = nil, callGuards: Listeners<any CallGuard> = Listeners(),
        reads: any ReadGrouping = UngroupedReads()
    ) {
        self.reads = reads
        self.callGuards = callGuards
        self.contactCodes = contactCodes
        self.texts = texts
        self.registry = registry
        self.puk = puk
        self.lines = lines
        self.store = store
        self.ledger = ledger
        self.lineTariffs = lineTariffs
        self.regions = regions
        self.clock = clock
        self.logger = logger
    }

    public func catalogue(for line: LineAccess) async throws -> [OptionView] {
        let settings = try self.settings(line.region)
        let connected = Dictionary(
            try await store.connectedOptions(of: line.subscriberID).map { ($0.option, $0) },
            uniquingKeysWith: { first, _ in first })
        let tariff = try await currentTariff(of: line)
        return settings.options.map { option in
            if let tariff, tariff.includedOptions.contains(option.id) {
                return OptionView(
                    option: option,
                    state: .included(tariff: .init(id: tariff.id.rawValue, name: tariff.name)))
            }
            if let row = connected[option.id] {
                return OptionView(option: option, state: .connected(since: row.connectedAt, requestID: row.requestID))
            }
            return OptionView(option: option, state: .available)
        }
    }

    public func preview(_ id: OptionID, for line: LineAccess) async throws -> OptionPreview {
        try await makePreview(id, for: line).preview
    }

    public func connect(_ id: OptionID, for line: LineAccess, replacing: [OptionID]) async throws -> ServiceRequest {
        try await connect(id, for: line, replacing: replacing, requestKind: "services.connect")
    }

    public func operatorCatalogue(of msisdn: MSISDN) async throws -> [OptionView] {
        try await catalogue(for: try await operatorAccess(msisdn))
    }

    public func operatorConnect(_ option: OptionID, on msisdn: MSISDN, replacing: [OptionID]) async throws
        -> ServiceRequest
    {
        try await connect(
            option, for: try await operatorAccess(msisdn), replacing: replacing, requestKind: "services.operatorConnect"
        )
    }

    public func operatorDisconnect(_ option: OptionID, on msisdn: MSISDN) async throws -> ServiceRequest {
        try await disconnect(option, for: try await operatorAccess(msisdn), requestKind: "services.operatorDisconnect")
    }

    /// The operator's access to a line: every right, and the line's real status (a blocked line changes nothing).
    func operatorAccess(_ msisdn: MSISDN) async throws -> LineAccess {
        guard let line = try await lines.line(msisdn: msisdn) else {
            throw CabinetError(SubscribersError.notFound, arguments: ["msisdn": msisdn.formatted])
        }
        return .owned(line.id, msisdn: line.msisdn, region: line.region, status: line.status)
    }

    func connect(_ id: OptionID, for line: LineAccess, replacing: [OptionID], requestKind: String) async throws
        -> ServiceRequest
    {
        try line.require(.manageServices)
        try Self.requireActive(line)
        let (preview, _) = try await makePreview(id, for: line)
        if let refusal = preview.refusal { throw refusal }
        if let included = preview.conflicts.first(where: \.includedInTariff) {
            throw CabinetError(
                ServicesError.includedInTariff,
                arguments: ["option": included.option.name.ru, "wanted": preview.option.name.ru])
        }
        let conflicting = Set(preview.conflicts.map(\.option.id))
        let asked = Set(replacing)
        guard asked.isSubset(of: conflicting) else {
            throw CabinetError.validation([
                FieldError(
                    field: "replace", code: ServicesError.replaceInvalid,
                    arguments: [
                        "options": asked.subtracting(conflicting).map(\.rawValue).sorted().joined(separator: ", ")
                    ])
            ])
        }
        guard conflicting.isSubset(of: asked) else {
            throw Self.conflictError(preview)
        }
        if let shortfall = preview.shortfall {
            throw Self.insufficientFunds(fee: preview.chargedNow, balance: preview.balance, shortfall: shortfall)
        }
        let detail = ([id.rawValue] + replacing.map { "-" + $0.rawValue }).joined(separator: " ")
        let order = ConnectOrder(
            line: line.subscriberID, option: preview.option, replacing: replacing.sorted { $0.rawValue < $1.rawValue },
            connectionFee: preview.connectionFee, recurring: recurringCharge(preview.option, line: line),
            firstPeriodFee: preview.firstPeriodFee, requestKind: requestKind, detail: detail, at: preview.at)
        let request = try await store.connect(order)
        logger.info(
            "option connected",
            metadata: [
                "cabinet.option": "\(id.rawValue)", "cabinet.request": "\(request.number)",
                "cabinet.replaced": "\(replacing.map(\.rawValue).joined(separator: ","))",
            ])
        return request
    }

    public func disconnect(_ id: OptionID, for line: LineAccess) async throws -> ServiceRequest {
        try await disconnect(id, for: line, requestKind: "services.disconnect")
    }

    func disconnect(_ id: OptionID, for line: LineAccess, requestKind: String) async throws -> ServiceRequest {
        try line.require(.manageServices)
        try Self.requireActive(line)
        let settings = try self.settings(line.region)
        guard let option = settings.option(id) else {
            throw CabinetError(ServicesError.optionUnknown, arguments: ["option": id.rawValue])
        }
        if let tariff = try await currentTariff(of: line), tariff.includedOptions.contains(id) {
            throw CabinetError(
                ServicesError.includedInTariff, arguments: ["option": option.name.ru, "wanted": option.name.ru])
        }
        // A monthly fee's unused part comes back only where the region says so; a daily fee's day is never split.
        let now = clock.now
        var refund: Money?
        if settings.refundUnusedMonthlyFee, let fee = option.fee, fee.period == .month,
            let calendar = regions.region(line.region).flatMap(BillingCalendar.init(region:))
        {
            let period = calendar.period(containing: now, feePeriod: .month)
            refund = BillingCalendar.prorate(
                fee.amount, part: period.end.timeIntervalSince(now), whole: period.end.timeIntervalSince(period.start))
        }
        return try await store.disconnect(
            id, of: line.subscriberID, refund: refund, requestKind: requestKind, at: now)
    }

    // MARK: - Rules

    /// A blocked or suspended line is looked at, not changed.
    static func requireActive(_ line: LineAccess) throws {
        if let refusal = line.status.refusal(msisdn: line.msisdn) { throw refusal }
    }

    /// The conflicts between `option` and the connected ones: a rule on either side counts.
    static func conflicts(
        of option: ServiceOption, connected: [ServiceOption], included: Set<OptionID>
    ) -> [OptionPreview.Conflict] {
        connected.compactMap { other in
            guard other.id != option.id else { return nil }
            if option.incompatibleWith.contains(other.id) {
                return .init(option: other, ruleOf: option, includedInTariff: included.contains(other.id))
            }
            if other.incompatibleWith.contains(option.id) {
                return .init(option: other, ruleOf: other, includedInTariff: included.contains(other.id))
            }
            return nil
        }
    }

    /// The connection fee is not covered: the error names the fee, the balance and the exact shortfall.
    public static func insufficientFunds(fee: Money, balance: Money, shortfall: Money) -> CabinetError {
        CabinetError(
            ServicesError.insufficientFunds,
            arguments: [
                "fee": fee.displayString, "balance": balance.displayString, "shortfall": shortfall.displayString,
            ])
    }

    static func conflictError(_ preview: OptionPreview) -> CabinetError {
        let names = preview.conflicts.map { "«\($0.option.name.ru)»" }.joined(separator: ", ")
        return CabinetError(
            ServicesError.conflict,
            arguments: [
                "option": preview.option.name.ru, "conflicts": names,
                "ids": preview.conflicts.map(\.option.id.rawValue).joined(separator: ","),
            ])
    }

    private func makePreview(_ id: OptionID, for line: LineAccess) async throws -> (
        preview: OptionPreview, views: [OptionView]
    ) {
        let views = try await catalogue(for: line)
        guard let view = views.first(where: { $0.option.id == id }) else {
            throw CabinetError(ServicesError.optionUnknown, arguments: ["option": id.rawValue])
        }
        let option = view.option
        let balance = try await ledger.balance(of: line.subscriberID)
        var refusal: CabinetError?
        switch view.state {
        case .connected:
            refusal = CabinetError(ServicesError.alreadyConnected, arguments: ["option": option.name.ru])
        case .included(let tariff):
            refusal = CabinetError(
                ServicesError.includedInTariff, arguments: ["option": option.name.ru, "tariff": tariff.name.ru])
        case .available:
            break
        }
        let included = Set(
            views.compactMap { view -> OptionID? in
                if case .included = view.state { return view.option.id }
                return nil
            })
        let conflicts = Self.conflicts(
            of: option, connected: views.filter(\.isConnected).map(\.option), included: included)
        let now = clock.now
        var firstPeriodFee = Money.zero(option.connectionFee.currency)
        var firstPeriodEnd: Date?
        if let charge = recurringCharge(option, line: line), let calendar = calendar(line.region) {
            let first = charge.firstPeriod(at: now, calendar: calendar)
            firstPeriodFee = first.amount
            firstPeriodEnd = first.period.end
        }
        var preview = OptionPreview(
            option: option, connectionFee: option.connectionFee, recurringFee: option.fee,
            firstPeriodFee: firstPeriodFee, firstPeriodEnd: firstPeriodEnd, conflicts: conflicts, balance: balance,
            shortfall: nil, refusal: refusal, at: now)
        let chargedNow = preview.chargedNow
        if chargedNow.isPositive, balance.minorUnits < chargedNow.minorUnits {
            preview.shortfall = Money(
                minorUnits: chargedNow.minorUnits - max(balance.minorUnits, 0), currency: chargedNow.currency)
        }
        return (preview, views)
    }

    /// The option's recurring fee as Billing schedules it; `nil` for an option without one.
    func recurringCharge(_ option: ServiceOption, line: LineAccess) -> RecurringCharge? {
        guard let fee = option.fee, fee.amount.isPositive else { return nil }
        return RecurringCharge(
            key: ConnectOrder.recurringKey(line: line.subscriberID, option: option.id), line: line.subscriberID,
            region: line.region, fee: fee, kind: .optionFee, explanation: "services.explain.fee",
            arguments: ["option": option.name.ru, "optionEn": option.name.en])
    }

    private func calendar(_ region: RegionID) -> BillingCalendar? {
        regions.region(region).flatMap(BillingCalendar.init(region:))
    }

    func currentTariff(of line: LineAccess) async throws -> Tariff? {
        guard let span = try await lineTariffs.tariff(of: line.subscriberID, at: clock.now) else { return nil }
        return regions.region(line.region)?.settings(for: TariffsModule.self)?.tariff(span.tariffID)
    }

    func settings(_ region: RegionID) throws -> ServicesSettings {
        guard let settings = regions.region(region)?.settings(for: ServicesModule.self) else {
            throw CabinetError(KernelError.moduleDisabled, arguments: ["module": ServicesModule.id.rawValue])
        }
        return settings
    }
}
