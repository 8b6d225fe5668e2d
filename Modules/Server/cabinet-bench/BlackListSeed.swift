import ArgumentParser
import CabinetCore
import CabinetServer
import CabinetStorage
import Foundation
import Logging
import SQLKit

/// `cabinet-bench blacklist-seed`: every line seeded by `seed` gets its black list switched on with `--per-line`
/// numbers (`+7 495 NNN NN NN`, derived from the line), in big multi-row statements.
struct BlackListSeed: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "blacklist-seed", abstract: "Switch on the black list of every seeded line with numbers in it.")

    @Option(help: "Lines seeded by `seed`.") var lines: Int = 10_000
    @Option(help: "Numbers on each line's black list.") var perLine: Int = 3
    @Option(help: "Database URL.") var database: String

    /// The `k`-th black-listed number of line `index` (0-based); the bench's Lua script derives the same.
    static func number(line index: Int, k: Int) -> String {
        "+7495" + String(format: "%07d", (index * 7 + k * 1_000_003) % 10_000_000)
    }

    func run() async throws {
        var logger = Logger(label: "cabinet-bench")
        logger.logLevel = .warning
        let db = try await CabinetDatabase.open(try DatabaseURL(parsing: database), logger: logger)
        do {
            let now = Date().storageMilliseconds
            let chunk = 2_000
            var first = 0
            while first < lines {
                let range = first..<min(lines, first + chunk)
                let perLine = self.perLine
                try await db.write { sql in
                    var services = SQLQueryString(
                        "INSERT INTO services_blacklist (subscriber_id, active, changed_at) VALUES")
                    var entries = SQLQueryString(
                        "INSERT INTO services_blacklist_entry (subscriber_id, number, label, added_at) VALUES")
                    var firstEntry = true
                    for (position, index) in range.enumerated() {
                        services.appendLiteral(position == 0 ? " (" : ", (")
                        services.appendInterpolation(binds: [Int64(index + 1), 1, now] as [any Encodable & Sendable])
                        services.appendLiteral(")")
                        for k in 0..<perLine {
                            entries.appendLiteral(firstEntry ? " (" : ", (")
                            firstEntry = false
                            entries.appendInterpolation(
                                binds: [Int64(index + 1), Self.number(line: index, k: k), "bench", now]
                                    as [any Encodable & Sendable])
                            entries.appendLiteral(")")
                        }
                    }
                    try await sql.raw(services).run()
                    if perLine > 0 { try await sql.raw(entries).run() }
                }
                first = range.upperBound
            }
            await db.close()
            print("black lists of \(lines) lines, \(lines * perLine) numbers")
        } catch {
            await db.close()
            throw error
        }
    }
}
