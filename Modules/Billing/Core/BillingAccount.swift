public import CabinetCore
public import Foundation
public import Tariffs

/// A line's money account and its current period: the hot state the dashboard reads in one row.
public struct BillingAccount: Sendable, Hashable {
    public var id: Int64
    public var subscriberID: SubscriberID
    public var msisdn: MSISDN
    public var region: RegionID
    public var balance: Money
    /// The balance is below zero: paid outgoing service is restricted until a top-up lifts it.
    public var restricted: Bool
    /// The tariff of the current period.
    public var tariffID: TariffID
    public var period: BillingPeriod

    public init(
        id: Int64, subscriberID: SubscriberID, msisdn: MSISDN, region: RegionID, balance: Money, restricted: Bool,
        tariffID: TariffID, period: BillingPeriod
    ) {
        self.id = id
        self.subscriberID = subscriberID
        self.msisdn = msisdn
        self.region = region
        self.balance = balance
        self.restricted = restricted
        self.tariffID = tariffID
        self.period = period
    }
}

/// What opening an account needs to know about the line.
public struct NewAccount: Sendable, Hashable {
    public var subscriberID: SubscriberID
    public var msisdn: MSISDN
    public var region: RegionID
    public var tariff: TariffID
    /// When the line starts to be billed (its first period starts here).
    public var from: Date

    public init(subscriberID: SubscriberID, msisdn: MSISDN, region: RegionID, tariff: TariffID, from: Date) {
        self.subscriberID = subscriberID
        self.msisdn = msisdn
        self.region = region
        self.tariff = tariff
        self.from = from
    }
}

/// The dashboard's data as stored: the account, its live buckets, a planned tariff change.
public struct AccountSnapshot: Sendable, Hashable {
    public var account: BillingAccount
    /// Buckets valid now with units left or used, soonest expiry first.
    public var buckets: [Bucket]
    /// A tariff waiting for the next period, if one was ordered.
    public var plannedTariff: TariffID?

    public init(account: BillingAccount, buckets: [Bucket], plannedTariff: TariffID?) {
        self.account = account
        self.buckets = buckets
        self.plannedTariff = plannedTariff
    }
}
