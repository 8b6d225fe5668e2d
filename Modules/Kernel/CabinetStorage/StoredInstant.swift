public import Foundation

/// Instants are stored as whole milliseconds since 1970 (UTC) in BIGINT columns: exact, comparable and the
/// same on SQLite and PostgreSQL. Business dates are stored as `YYYY-MM-DD` text in the region's time zone.
extension Date {
    public var storageMilliseconds: Int64 {
        Int64((timeIntervalSince1970 * 1000).rounded(.down))
    }

    public init(storageMilliseconds: Int64) {
        self.init(timeIntervalSince1970: Double(storageMilliseconds) / 1000)
    }
}
