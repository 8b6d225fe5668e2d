public import CabinetCore
public import SQLKit

/// A ``WriteTransaction`` on a ``CabinetDatabase``: the connection every joining store writes through.
public struct SQLWriteTransaction: WriteTransaction {
    public let db: any SQLDatabase

    public init(_ db: any SQLDatabase) {
        self.db = db
    }
}

extension WriteTransaction {
    /// The SQL connection of this transaction; an SQL store handed another kind of transaction is wired wrongly.
    public func sql() throws -> any SQLDatabase {
        guard let transaction = self as? SQLWriteTransaction else {
            throw CabinetError.internal("an SQL store was handed a \(type(of: self)), not an SQL transaction")
        }
        return transaction.db
    }
}
