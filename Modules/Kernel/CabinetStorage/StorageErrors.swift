import PostgresNIO
import SQLiteNIO

/// Classifies driver errors the same way on both backends.
public enum StorageErrors {
    /// A unique constraint (or primary key) was violated: the row already exists.
    public static func isUniqueViolation(_ error: any Error) -> Bool {
        if let error = error as? SQLiteFailure {
            return error.code == SQLiteFailure.constraintUnique || error.code == SQLiteFailure.constraintPrimaryKey
        }
        if let error = error as? SQLiteError {
            return error.reason == .constraintUniqueFailed || error.reason == .constraintPrimaryKeyFailed
                || (error.reason == .constraint && error.message.contains("UNIQUE"))
        }
        if let error = error as? PSQLError {
            return error.serverInfo?[.sqlState] == "23505"
        }
        return false
    }

    /// A CHECK or NOT NULL constraint refused the row.
    public static func isCheckViolation(_ error: any Error) -> Bool {
        if let error = error as? SQLiteFailure {
            return error.code == SQLiteFailure.constraintCheck || error.code == SQLiteFailure.constraintNotNull
        }
        if let error = error as? SQLiteError {
            return error.reason == .constraintCheckFailed || error.reason == .constraintNotNullFailed
        }
        if let error = error as? PSQLError, let state = error.serverInfo?[.sqlState] {
            return state == "23514" || state == "23502"
        }
        return false
    }

    /// Busy, locked, serialization failure or deadlock: the transaction may succeed if run again.
    public static func isRetryable(_ error: any Error) -> Bool {
        if let error = error as? SQLiteFailure {
            // SQLITE_BUSY and SQLITE_LOCKED with every extended code.
            return error.primaryCode == 5 || error.primaryCode == 6
        }
        if let error = error as? SQLiteError {
            switch error.reason {
            case .busy, .busyTimeout, .busyInSnapshot, .busyInRecovery, .locked: return true
            default: return false
            }
        }
        if let error = error as? PSQLError, let state = error.serverInfo?[.sqlState] {
            return state == "40001" || state == "40P01"
        }
        return false
    }
}
