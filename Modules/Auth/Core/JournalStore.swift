public import CabinetCore
public import Foundation

/// The visit journal a subscriber reads, and the messages sent because of what it records (new-device alerts,
/// password changes), written together so neither goes without the other.
public protocol JournalStore: Sendable {
    /// Appends an entry to the journal and queues `message` with it.
    func record(_ entry: JournalEntry, message: OutgoingText?) async throws

    /// A line's entries newest first, at most `limit`, older than the entry with id `cursor` when given.
    func journal(of subscriber: SubscriberID, before cursor: Int64?, limit: Int) async throws -> [JournalEntry]
}

/// The subscriber's journal as other modules add to it: support agents' looks at a line are recorded where the
/// subscriber reads their logins, so they see that support viewed their account and when.
public protocol AccountViewJournal: Sendable {
    func recordSupportView(of line: SubscriberID, msisdn: MSISDN, agent: String, ticket: String, at: Date)
        async throws
}
