public import CabinetCore

/// A connectable option of a region's catalogue («Я на связи», «Гудок», roaming bans, …).
public struct ServiceOption: Sendable, Hashable, Identifiable {
    public enum Kind: String, Sendable, Hashable, ConfigEnum, Codable {
        /// Tells the subscriber who called while the phone was off («Я на связи»).
        case missedCalls
        /// Replaces the ring-back tone («Гудок»).
        case ringback
        /// Bars a kind of service (roaming, international calls).
        case barring
        /// Adds traffic or minutes.
        case boost
        case other
    }

    /// What an option of kind `barring` bars in the network's call check.
    public enum Barring: String, Sendable, Hashable, ConfigEnum, Codable {
        /// Every call and SMS while the line is in roaming.
        case roaming
        /// Outgoing calls and SMS to numbers outside the `+7` zone.
        case international
        /// Outgoing SMS to short numbers (content providers).
        case premiumSms
    }

    public var id: OptionID
    public var name: LocalizedText
    public var description: LocalizedText
    public var kind: Kind
    public var connectionFee: Money
    /// `nil` when the option has no recurring fee.
    public var fee: RecurringFee?
    public var incompatibleWith: [OptionID]
    /// For `barring` options (required there, refused elsewhere): what the option bars.
    public var bars: Barring?

    static func decode(from value: ConfigValue) -> ServiceOption? {
        value.object { o in
            let id = o.require("id", OptionID.self)
            let name = o.require("name", LocalizedText.self)
            let description = o.require("description", LocalizedText.self)
            let kind = o.require("kind", Kind.self)
            let connectionFee = o.requirePrice("connectionFee")
            let fee = o.optional("fee", RecurringFee.self)
            let incompatible = o.optionalList("incompatibleWith") { $0.decode(OptionID.self) } ?? []
            let bars = o.optional("bars", Barring.self)
            guard let id, let name, let description, let kind, let connectionFee else { return nil }
            if o.has("fee"), fee == nil { return nil }
            if kind == .barring, bars == nil {
                if !o.has("bars") {
                    o.problem("a barring option says what it bars: bars: roaming, international or premiumSms")
                }
                return nil
            }
            if kind != .barring, o.has("bars") {
                o.child("bars")?.problem("only an option of kind barring bars anything")
                return nil
            }
            return ServiceOption(
                id: id, name: name, description: description, kind: kind, connectionFee: connectionFee,
                fee: fee, incompatibleWith: incompatible, bars: bars)
        }
    }
}
