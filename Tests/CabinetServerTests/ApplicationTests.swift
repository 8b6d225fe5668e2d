import CabinetCore
import CabinetMessaging
import CabinetServer
import CabinetStorage
import CabinetTesting
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import SQLKit
import Subscribers
import Testing

/// The whole server as `cabinet serve` builds it, on a temporary database of each backend.
@Suite struct ApplicationTests {
    @Test(arguments: TestDatabase.available)
    func healthAndMetricsAnswer(_ backend: TestDatabase) async throws {
        try await withRuntime(backend) { runtime in
            let app = try buildApplication(runtime: runtime)
            try await app.test(.router) { client in
                try await client.execute(uri: "/health", method: .get) { response throws in
                    #expect(response.status == .ok)
                    #expect(
                        String(buffer: response.body)
                            == #"{"database":"ok","regions":"\#(runtime.regions.version)","status":"ok"}"#)
                }
                try await client.execute(uri: "/", method: .get) { response throws in
                    #expect(response.status == .ok)
                    #expect(String(buffer: response.body).contains("Алматы"))
                }
                try await client.execute(uri: "/api/v1/nowhere", method: .get) { #expect($0.status == .notFound) }
                try await client.execute(uri: "/metrics", method: .get) { response in
                    #expect(response.status == .unauthorized, "metrics are behind the operator key")
                }
                let key: HTTPFields = [.authorization: "Bearer \(RuntimeHarness.operatorKey)"]
                try await client.execute(uri: "/metrics", method: .get, headers: key) { response throws in
                    let text = String(buffer: response.body)
                    #expect(text.contains(#"http_requests_total{method="GET",route="/health",status="200"} 1"#))
                    #expect(text.contains(#"http_requests_total{method="GET",route="/",status="200"} 1"#))
                    #expect(text.contains("http_request_duration_seconds_bucket"))
                    #expect(text.contains("cabinet_db_connections{backend=\"\(runtime.database.backend.rawValue)\"}"))
                }
            }
        }
    }

    @Test(arguments: TestDatabase.available)
    func theOperatorProvisionsThroughTheWholeServer(_ backend: TestDatabase) async throws {
        try await withRuntime(backend) { runtime in
            let app = try buildApplication(runtime: runtime)
            try await app.test(.router) { client in
                let headers: HTTPFields = [
                    .authorization: "Bearer \(RuntimeHarness.operatorKey)", .contentType: "application/json",
                ]
                try await client.execute(
                    uri: "/operator/v1/subscribers", method: .post, headers: headers,
                    body: ByteBuffer(string: #"{"msisdn": "+7 701 555 44 33", "region": "almaty"}"#)
                ) { response throws in
                    #expect(response.status == .created)
                }
                try await client.execute(
                    uri: "/operator/v1/subscribers", method: .post, headers: headers,
                    body: ByteBuffer(string: #"{"msisdn": "+7 701 555 44 34", "region": "msk"}"#)
                ) { response throws in
                    #expect(response.status == .badRequest)
                    #expect(String(buffer: response.body).contains("subscribers.msisdnOutsideRegion"))
                }
                let line = try await runtime.services.subscribers.service.line(msisdn: MSISDN(e164: "+77015554433")!)
                #expect(line?.region.rawValue == "almaty")
            }
        }
    }

    @Test(arguments: TestDatabase.available)
    func demoLinesAreProvisionedOnceInEveryRegion(_ backend: TestDatabase) async throws {
        try await withRuntime(backend) { runtime in
            let first = try await DemoProvisioner(runtime: runtime).provision()
            let second = try await DemoProvisioner(runtime: runtime).provision()
            // Three lines in each of six regions, and the demo company's four in Moscow.
            #expect(first.count == 22)
            #expect(first == second)
            #expect(first.first?.msisdn.formatted == "+7 900 000-00-01")
            #expect(first.first?.region.rawValue == "msk")
            #expect(Set(first.map(\.region.rawValue)).count == 6)
            let table = DemoProvisioner.table(first)
            #expect(table.contains("+7 701 000-00-01  almaty (Алматы)"))
        }
    }

    @Test(arguments: TestDatabase.available)
    func theCSVImportCommandIsIdempotent(_ backend: TestDatabase) async throws {
        try await withRuntime(backend) { runtime in
            let csv = "msisdn,region,full_name\n+79000000111,msk,Иванов\n+79000000112,msk,Петров\nbad,msk,x\n"
            let first = await CabinetCommands.importSubscribers(csv: csv, runtime: runtime) { _ in }
            let second = await CabinetCommands.importSubscribers(csv: csv, runtime: runtime) { _ in }
            #expect(first.created == 2)
            #expect(second.unchanged == 2)
            let text = CabinetCommands.describe(second, catalog: runtime.catalog, language: .en)
            #expect(
                text == """
                    line 4: msisdn: The number contains an invalid character "b".
                    created 0, updated 0, unchanged 2, failed 1 of 3
                    """)
        }
    }

    @Test func theServerStartsAndStopsOnALivePort() async throws {
        try await withRuntime(.sqlite) { runtime in
            let app = try buildApplication(runtime: runtime)
            try await app.test(.live) { client in
                try await client.execute(uri: "/health", method: .get) { #expect($0.status == .ok) }
                try await client.execute(uri: "/static/cabinet.css", method: .get) { response throws in
                    #expect(response.status == .ok)
                    #expect(response.headers[.cacheControl] == "public, max-age=31536000")
                }
            }
        }
    }

    @Test func startupRefusesBrokenRegions() async throws {
        var configuration = CabinetConfiguration()
        configuration.regionsDirectory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "no-such-\(UUID().uuidString)")
        configuration.database = .sqliteInMemory
        await #expect(throws: ConfigError.self) {
            _ = try await CabinetRuntime.start(configuration: configuration, dependencies: .init(logger: .test))
        }
    }

    /// Anyone can "pay" on the sandbox's page: outside demo mode, with no acquirer for a region that takes payments,
    /// the server refuses to start and says what to do; with the sandbox switched on it starts, and without it the
    /// sandbox's page is not served.
    @Test func theSandboxGatewayIsOnlyOnWhenAskedFor() async throws {
        var configuration = CabinetConfiguration()
        configuration.regionsDirectory = RepositoryPaths.regions
        configuration.database = .sqliteInMemory
        configuration.bcryptCost = 4
        // A command beside the server (outbox, ledger check) takes no payment: it starts and only warns.
        let tool = try await CabinetRuntime.start(configuration: configuration, dependencies: .init(logger: .test))
        #expect(tool.services.payments.sandbox == nil)
        await tool.close()
        configuration.databaseRole = .server
        do {
            _ = try await CabinetRuntime.start(configuration: configuration, dependencies: .init(logger: .test))
            Issue.record("a production start without any real gateway must be refused")
        } catch let error as ConfigError {
            let problem = try #require(error.problems.first)
            #expect(problem.path == "payments.gateway")
            #expect(problem.description.contains("CABINET_GATEWAYS") && problem.description.contains("CABINET_SANDBOX"))
        }
        configuration.demo = true
        let demo = try await CabinetRuntime.start(configuration: configuration, dependencies: .init(logger: .test))
        #expect(demo.services.payments.sandbox != nil)
        await demo.close()
        configuration.demo = false
        configuration.sandboxGateway = true
        let explicit = try await CabinetRuntime.start(configuration: configuration, dependencies: .init(logger: .test))
        #expect(explicit.services.payments.sandbox != nil)
        await explicit.close()
    }

    @Test func everyModuleTextExistsInBothLanguages() throws {
        #expect(try CabinetModules.messages().untranslatedKeys.isEmpty)
    }
}
