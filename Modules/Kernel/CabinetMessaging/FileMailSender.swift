public import CabinetCore
public import Foundation

/// The development mail sink: each message becomes an `.eml` file in a folder (open it in any mail program).
public struct FileMailSender: MailSender {
    /// The development sink: the `.eml` files hold the codes anyway, and people read them in `cabinet outbox` too.
    public var keepsSensitiveText: Bool { true }

    public let directory: URL
    private let clock: any WallClock

    public init(directory: URL, clock: any WallClock) {
        self.directory = directory
        self.clock = clock
    }

    public func send(_ mail: MailMessage, from sender: String) async throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let now = clock.now
        let id = UUID().uuidString.lowercased()
        let text = MIMEMessage(from: sender, message: mail, date: now, messageID: "\(id)@cabinet.local").render()
        let stamp = Int64(now.timeIntervalSince1970 * 1000)
        let file = directory.appendingPathComponent("\(stamp)-\(id.prefix(8)).eml")
        try Data(text.utf8).write(to: file, options: .atomic)
    }
}
