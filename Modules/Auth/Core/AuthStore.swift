public import Foundation

/// Everything Auth keeps, as one store: codes and limits, sessions, credentials, access and the journal.
///
/// Each method is one atomic step (one transaction in the SQL store), so two concurrent requests can never both use
/// one code, exceed a limit, or link past the allowed count. `DefaultAuthService` takes one store of this type;
/// `SQLAuthStore` and the test module's `InMemoryAuthStore` implement it.
public protocol AuthStore: CodeStore, SessionStore, CredentialStore, AccessStore, JournalStore {
    /// Deletes what has expired across the parts: sessions past their end, codes a day after they expired, rate
    /// and password-change events older than two days, expired social states, push requests a day after they
    /// expired. Returns the number of records removed.
    func purgeExpired(now: Date) async throws -> Int
}
