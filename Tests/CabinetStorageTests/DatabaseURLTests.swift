import CabinetStorage
import Testing

@Suite struct DatabaseURLTests {
    @Test func parsesTheForms() throws {
        #expect(
            try DatabaseURL(parsing: "sqlite:///var/lib/cabinet/c.sqlite") == .sqlite(path: "/var/lib/cabinet/c.sqlite")
        )
        #expect(try DatabaseURL(parsing: "sqlite://data/cabinet.sqlite") == .sqlite(path: "data/cabinet.sqlite"))
        #expect(try DatabaseURL(parsing: "sqlite::memory:") == .sqliteInMemory)
        guard
            case .postgres(let location) = try DatabaseURL(
                parsing: "postgres://app:s3cret@db.local:6432/cabinet?sslmode=require")
        else {
            Issue.record("not postgres")
            return
        }
        #expect(location.host == "db.local")
        #expect(location.port == 6432)
        #expect(location.username == "app")
        #expect(location.password == "s3cret")
        #expect(location.database == "cabinet")
        #expect(location.tls == .require)
    }

    @Test(arguments: [
        "mysql://x/y", "postgres://host", "postgres://h/db?sslmode=maybe", "postgres://h/db?foo=1", "sqlite://",
        "sqlite:///tmp/",
    ])
    func refusesWhatItCannotUse(text: String) {
        #expect(throws: StorageError.self) { try DatabaseURL(parsing: text) }
    }

    @Test func neverPrintsThePassword() throws {
        let url = try DatabaseURL(parsing: "postgres://app:s3cret@db.local/cabinet")
        #expect(!url.description.contains("s3cret"))
        do {
            _ = try DatabaseURL(parsing: "postgres://app:s3cret@db.local/cabinet?x=1")
        } catch {
            #expect(!error.description.contains("s3cret"))
        }
    }
}
