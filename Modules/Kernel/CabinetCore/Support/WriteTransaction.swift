/// A write transaction in progress, handed by the module that opened it to another module's store so that both
/// modules' writes commit together (a tariff change and its fee, a top-up's state and its ledger credit).
///
/// Core protocols name it without knowing the database: each store's SQL implementation reaches the connection
/// through CabinetStorage's `SQLWriteTransaction`, and an in-memory store passes its own kind.
public protocol WriteTransaction: Sendable {}
