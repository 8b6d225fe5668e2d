import CabinetServer
import CabinetStorage
import Testing

@Suite struct ConfigurationTests {
    @Test func defaultsAreTheEmbeddedCabinet() throws {
        let configuration = try CabinetConfiguration.load(environment: [:])
        #expect(configuration.host == "127.0.0.1")
        #expect(configuration.port == 8080)
        #expect(configuration.database == .sqlite(path: "data/cabinet.sqlite"))
        #expect(configuration.operatorKey == nil)
        #expect(!configuration.demo)
    }

    @Test func flagsWinOverTheEnvironment() throws {
        let configuration = try CabinetConfiguration.load(
            environment: [
                "CABINET_PORT": "9000", "CABINET_DATABASE_URL": "postgres://u@db/cabinet", "CABINET_DEMO": "true",
                "CABINET_TEST_POSTGRES_URL": "ignored", "PATH": "/bin",
            ],
            overrides: .init(port: 9100, database: "sqlite:///tmp/x.sqlite"))
        #expect(configuration.port == 9100)
        #expect(configuration.database == .sqlite(path: "/tmp/x.sqlite"))
        #expect(configuration.demo)
    }

    @Test func everyMistakeIsReportedTogether() {
        do {
            _ = try CabinetConfiguration.load(environment: [
                "CABINET_PORT": "eighty", "CABINET_DATABSE_URL": "sqlite:///x", "CABINET_DEMO": "maybe",
                "CABINET_OPERATOR_KEY": "short", "CABINET_LOG_LEVEL": "loud", "CABINET_DATABASE_URL": "mysql://x",
            ])
            Issue.record("accepted")
        } catch {
            #expect(
                error.problems == [
                    "unknown setting CABINET_DATABSE_URL",
                    "CABINET_PORT: \"eighty\" is not a port (0–65535)",
                    "CABINET_DATABASE_URL: invalid database URL mysql://x: use sqlite:///path/to/file.sqlite or postgres://user:password@host:5432/db",
                    "CABINET_DEMO: \"maybe\" is not true or false",
                    "CABINET_OPERATOR_KEY: the operator key must have at least 16 characters",
                    "CABINET_LOG_LEVEL: unknown log level \"loud\"",
                ])
        }
    }
}
