public import CabinetCore
public import Foundation

/// An option of the region's catalogue as one line sees it.
public struct OptionView: Sendable, Hashable {
    public enum State: Sendable, Hashable {
        case available
        /// Connected on `since` by request `requestID`.
        case connected(since: Date, requestID: Int64?)
        /// Part of the line's tariff: free, and not disconnectable while on it.
        case included(tariff: TariffName)
    }

    /// A tariff's id and name, for texts ("входит в тариф «Мой онлайн»").
    public struct TariffName: Sendable, Hashable {
        public var id: String
        public var name: LocalizedText

        public init(id: String, name: LocalizedText) {
            self.id = id
            self.name = name
        }
    }

    public var option: ServiceOption
    public var state: State

    public init(option: ServiceOption, state: State) {
        self.option = option
        self.state = state
    }

    public var isConnected: Bool {
        switch state {
        case .connected, .included: true
        case .available: false
        }
    }
}

extension OptionView.State {
    /// Part of the line's tariff.
    public var isIncluded: Bool {
        if case .included = self { return true }
        return false
    }
}

/// What connecting an option would do, before it is done.
public struct OptionPreview: Sendable, Hashable {
    /// A connected option the new one cannot live with, and the option whose rule says so.
    public struct Conflict: Sendable, Hashable {
        /// The connected option that would have to go.
        public var option: ServiceOption
        /// The option whose `incompatibleWith` names the other (either of the two).
        public var ruleOf: ServiceOption
        /// Included in the tariff: it cannot be replaced, so the connection is impossible on this tariff.
        public var includedInTariff: Bool
    }

    public var option: ServiceOption
    /// Charged at once (zero for free options).
    public var connectionFee: Money
    /// Charged every period while connected; `nil` for none.
    public var recurringFee: RecurringFee?
    /// The recurring fee's share of the current period (until ``firstPeriodEnd``), charged with the connection.
    public var firstPeriodFee: Money
    /// When the current period ends and the first full recurring fee falls due.
    public var firstPeriodEnd: Date?
    /// Everything charged at once: the connection fee and the first period's share.
    public var chargedNow: Money {
        Money(minorUnits: connectionFee.minorUnits + firstPeriodFee.minorUnits, currency: connectionFee.currency)
    }
    public var conflicts: [Conflict]
    public var balance: Money
    /// How much the balance lacks for what is charged at once; `nil` when it covers it.
    public var shortfall: Money?
    /// Why it cannot be connected at all (already connected, included in the tariff); `nil` when it can.
    public var refusal: CabinetError?
    /// When the preview was made (a connection right after it charges from this instant).
    public var at: Date

    /// Connectable now, replacing the conflicting options.
    public var allowed: Bool {
        refusal == nil && shortfall == nil && !conflicts.contains(where: \.includedInTariff)
    }
}
