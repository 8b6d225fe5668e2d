public import CabinetCore

/// The visit journal a subscriber reads, and the messages sent because of what it records (new-device alerts,
/// password changes), written together so neither goes without the other.
public protocol JournalStore: Sendable {
    /// Appends an entry to the journal and queues `message` with it.
    func record(_ entry: JournalEntry, message: OutgoingText?) async throws

    /// A line's entries newest first, at most `limit`, older than the entry with id `cursor` when given.
    func journal(of subscriber: SubscriberID, before cursor: Int64?, limit: Int) async throws -> [JournalEntry]
}
