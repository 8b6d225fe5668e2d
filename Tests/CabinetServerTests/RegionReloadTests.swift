import CabinetCore
import CabinetHTTP
import CabinetServer
import CabinetTesting
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

/// Region files reloaded into a running server: a valid change is in service from the next request, a broken
/// folder or a change that would strand lines changes nothing and says why, and a request in flight finishes on the
/// version it began with.
@Suite struct RegionReloadTests {
    static let key: HTTPFields = [.authorization: "Bearer \(RuntimeHarness.operatorKey)"]

    /// A copy of the shipped Regions/ the test may edit.
    static func scratchRegions() throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("regions-\(UUID().uuidString)")
        try FileManager.default.copyItem(at: RepositoryPaths.regions, to: folder)
        return folder
    }

    static func edit(_ folder: URL, _ file: String, replacing old: String, with new: String) throws {
        let url = folder.appendingPathComponent(file)
        let text = try String(contentsOf: url, encoding: .utf8)
        #expect(text.contains(old), "\(file) has \(old)")
        try text.replacingOccurrences(of: old, with: new).write(to: url, atomically: true, encoding: .utf8)
    }

    static func reload(_ client: some TestClientProtocol) async throws -> (HTTPResponse.Status, RegionReloadReport?) {
        try await client.execute(uri: "/operator/v1/regions/reload", method: .post, headers: key) { response in
            (
                response.status,
                try? JSONDecoder().decode(RegionReloadReport.self, from: Data(response.body.readableBytesView))
            )
        }
    }

    static func health(_ client: some TestClientProtocol) async throws -> String {
        try await client.execute(uri: "/health", method: .get) { String(buffer: $0.body) }
    }

    @Test(arguments: TestDatabase.available)
    func aValidChangeIsServedNextAndABrokenFolderChangesNothing(_ backend: TestDatabase) async throws {
        let folder = try Self.scratchRegions()
        defer { try? FileManager.default.removeItem(at: folder) }
        let logs = LogRecording()
        try await withRuntime(
            backend, configure: { $0.regionsDirectory = folder }, dependencies: .init(logger: logs.logger())
        ) { runtime in
            let app = try buildApplication(runtime: runtime)
            try await app.test(.router) { client in
                let first = runtime.regions.version
                #expect(first.count == 16)
                #expect(try await Self.health(client) == #"{"database":"ok","regions":"\#(first)","status":"ok"}"#)

                // Nothing changed on disk.
                let (sameStatus, same) = try await Self.reload(client)
                #expect(sameStatus == .ok)
                #expect(same?.result == .unchanged)
                #expect(same?.version == first)
                try await client.execute(uri: "/operator/v1/regions/reload", method: .post) { response in
                    #expect(response.status == .unauthorized, "the operator key is needed")
                }

                // A valid change: the next request sees it.
                try Self.edit(
                    folder, "msk.yaml", replacing: "Москва и Московская область", with: "Москва и область (новое)")
                let (status, reloaded) = try await Self.reload(client)
                #expect(status == .ok)
                #expect(reloaded?.result == .reloaded)
                #expect(reloaded?.previousVersion == first)
                let second = try #require(reloaded?.version)
                #expect(second != first)
                #expect(runtime.regions.version == second)
                #expect(try await Self.health(client).contains(second))
                try await client.execute(uri: "/", method: .get) { response in
                    #expect(String(buffer: response.body).contains("Москва и область (новое)"))
                }
                #expect(logs.messages.contains { $0.hasPrefix("region files reloaded") && $0.contains(second) })
                // Every log line of a request carries the version it ran on.
                #expect(logs.messages.contains { $0.contains("regions=\(second)") && $0.contains("GET") })

                // A broken file: nothing changes, and the answer says where.
                try Self.edit(folder, "spb.yaml", replacing: "timeZone: Europe/Moscow", with: "timeZone: Mars/Olympus")
                let (brokenStatus, broken) = try await Self.reload(client)
                #expect(brokenStatus == .unprocessableContent)
                #expect(broken?.result == .invalid)
                #expect(broken?.version == second)
                #expect(
                    broken?.problems.contains { $0.hasPrefix("spb.yaml:3:") && $0.contains("Mars/Olympus") } == true)
                #expect(runtime.regions.version == second)
                #expect(runtime.regions.region(RegionID(rawValue: "spb")!)?.timeZone.identifier == "Europe/Moscow")
                try await client.execute(uri: "/", method: .get) { response in
                    #expect(String(buffer: response.body).contains("Москва и область (новое)"))
                }
                #expect(logs.messages.contains { $0.hasPrefix("region files not reloaded") && $0.contains("Mars") })

                try await client.execute(uri: "/metrics", method: .get, headers: Self.key) { response in
                    let text = String(buffer: response.body)
                    for result in ["reloaded", "unchanged", "invalid"] {
                        #expect(text.contains(#"cabinet_regions_reload_total{result="\#(result)"} 1"#), "\(result)")
                    }
                }
            }
        }
    }

    @Test(arguments: TestDatabase.available)
    func removingARegionIsRefusedWhileLinesAreInIt(_ backend: TestDatabase) async throws {
        let folder = try Self.scratchRegions()
        defer { try? FileManager.default.removeItem(at: folder) }
        try await withRuntime(backend, configure: { $0.regionsDirectory = folder }) { runtime in
            let app = try buildApplication(runtime: runtime)
            let nsk = try #require(RegionID(rawValue: "nsk"))
            let perm = try #require(RegionID(rawValue: "perm"))
            try await app.test(.router) { client in
                // Almaty has FAQ articles of its own: its file may not go while they stay (a start would refuse).
                let almaty = folder.appendingPathComponent("almaty.yaml")
                try FileManager.default.moveItem(at: almaty, to: folder.appendingPathComponent("almaty.yaml.off"))
                let (faqStatus, faq) = try await Self.reload(client)
                #expect(faqStatus == .unprocessableContent)
                #expect(faq?.result == .invalid)
                #expect(faq?.problems.contains { $0.contains("almaty") } == true, "\(faq?.problems ?? [])")
                try FileManager.default.moveItem(at: folder.appendingPathComponent("almaty.yaml.off"), to: almaty)

                // No line in Perm yet: its file may go, and the region with it.
                try FileManager.default.moveItem(
                    at: folder.appendingPathComponent("perm.yaml"), to: folder.appendingPathComponent("perm.yaml.off"))
                let (goneStatus, gone) = try await Self.reload(client)
                #expect(goneStatus == .ok)
                #expect(gone?.result == .reloaded)
                #expect(runtime.regions.region(perm) == nil)
                #expect(gone?.regions.contains("perm") == false)

                // Lines in Novosibirsk hold its file in place.
                var headers = Self.key
                headers[.contentType] = "application/json"
                for number in ["+7 913 555 00 01", "+7 913 555 00 02"] {
                    try await client.execute(
                        uri: "/operator/v1/subscribers", method: .post, headers: headers,
                        body: ByteBuffer(string: #"{"msisdn": "\#(number)", "region": "nsk"}"#)
                    ) { #expect($0.status == .created) }
                }
                let before = runtime.regions.version
                // Their periods run in the region's zone: it may not move under them.
                try Self.edit(
                    folder, "nsk.yaml", replacing: "timeZone: Asia/Novosibirsk", with: "timeZone: Asia/Omsk")
                let (zoneStatus, zone) = try await Self.reload(client)
                #expect(zoneStatus == .unprocessableContent)
                #expect(zone?.refusals.map(\.path) == ["timeZone"])
                #expect(zone?.refusals.first?.affectedLines == 2)
                #expect(runtime.regions.region(nsk)?.timeZone.identifier == "Asia/Novosibirsk")
                try FileManager.default.removeItem(at: folder.appendingPathComponent("nsk.yaml"))
                let (status, refused) = try await Self.reload(client)
                #expect(status == .unprocessableContent)
                #expect(refused?.result == .refused)
                #expect(refused?.refusals.map(\.region) == ["nsk"])
                #expect(refused?.refusals.first?.affectedLines == 2)
                #expect(runtime.regions.version == before)
                #expect(runtime.regions.region(nsk) != nil)
            }
        }
    }

    /// An operator reloads one node of a deployment; the others follow from the announcement in the database.
    @Test func anotherNodeFollowsAReload() async throws {
        guard TestDatabase.available.contains(.postgres) else { return }
        let folder = try Self.scratchRegions()
        defer { try? FileManager.default.removeItem(at: folder) }
        try await withRuntimes(2, .postgres, configure: { $0.regionsDirectory = folder }) { nodes in
            let first = nodes[0].regions.version
            #expect(nodes[1].regions.version == first)
            // Nothing announced yet: following does nothing.
            await nodes[1].regionReloader.follow()
            #expect(nodes[1].regions.version == first)

            try Self.edit(folder, "msk.yaml", replacing: "Москва и Московская область", with: "Москва (узел)")
            let report = await nodes[0].regionReloader.reload(trigger: "test")
            #expect(report.result == .reloaded)
            #expect(nodes[1].regions.version == first, "the second node has its own catalogue until it follows")
            await nodes[1].regionReloader.follow()
            #expect(nodes[1].regions.version == report.version)
            #expect(nodes[1].regions.region(RegionID(rawValue: "msk")!)?.name.ru == "Москва (узел)")
        }
    }

    /// `cabinet regions reload` asks a running server through the operator API and says what happened.
    @Test func theCommandReloadsARunningServer() async throws {
        let folder = try Self.scratchRegions()
        defer { try? FileManager.default.removeItem(at: folder) }
        try await withRuntime(.sqlite, configure: { $0.regionsDirectory = folder }) { runtime in
            let app = try buildApplication(runtime: runtime)
            try await app.test(.live) { client in
                let server = "http://127.0.0.1:\(try #require(client.port))"
                let unchanged = try await CabinetCommands.reloadRegions(
                    server: server, operatorKey: RuntimeHarness.operatorKey)
                #expect(unchanged.ok)
                #expect(unchanged.text == "unchanged: version \(runtime.regions.version) is already in service")

                let wrongKey = try await CabinetCommands.reloadRegions(server: server, operatorKey: "wrong")
                #expect(!wrongKey.ok)
                #expect(wrongKey.text.contains("answered 401"))

                try Self.edit(folder, "spb.yaml", replacing: "timeZone: Europe/Moscow", with: "timeZone: Mars/Olympus")
                let broken = try await CabinetCommands.reloadRegions(
                    server: server, operatorKey: RuntimeHarness.operatorKey)
                #expect(!broken.ok)
                #expect(broken.text.contains("spb.yaml:3:"))
                #expect(broken.text.contains("invalid: nothing changed; version \(runtime.regions.version) stays"))

                try Self.edit(folder, "spb.yaml", replacing: "timeZone: Mars/Olympus", with: "timeZone: Europe/Samara")
                let reloaded = try await CabinetCommands.reloadRegions(
                    server: server, operatorKey: RuntimeHarness.operatorKey)
                #expect(reloaded.ok)
                #expect(reloaded.text.hasPrefix("reloaded: version "))
                #expect(runtime.regions.region(RegionID(rawValue: "spb")!)?.timeZone.identifier == "Europe/Samara")
            }
        }
    }

    /// The version a request began with stays its version while a reload happens, in its child tasks too; the
    /// next request sees the new one.
    @Test func aRequestInFlightFinishesOnTheVersionItBeganWith() async throws {
        let catalog = RegionCatalog(regions: [.fixture(name: "Старое")])
        let msk = try #require(RegionID(rawValue: "msk"))
        let (started, startedSignal) = AsyncStream<Void>.makeStream()
        let (proceed, proceedSignal) = AsyncStream<Void>.makeStream()
        let router = Router(context: CabinetRequestContext.self)
        router.add(middleware: RegionPinMiddleware(regions: catalog))
        router.get("/slow") { _, _ -> String in
            let before = catalog.region(msk)?.name.ru ?? "-"
            startedSignal.yield()
            for await _ in proceed { break }
            async let child = catalog.region(msk)?.name.ru ?? "-"
            return "\(before) \(catalog.region(msk)?.name.ru ?? "-") \(await child) \(catalog.version)"
        }
        router.get("/now") { _, _ -> String in catalog.region(msk)?.name.ru ?? "-" }
        let old = catalog.version
        let app = Application(router: router)
        try await app.test(.router) { client in
            async let slow = client.execute(uri: "/slow", method: .get) { String(buffer: $0.body) }
            for await _ in started { break }
            let next = RegionCatalog(regions: [.fixture(name: "Новое"), .fixture(id: "spb", prefixes: ["904"])])
            catalog.replace(with: next)
            #expect(catalog.version == next.version)
            proceedSignal.yield()
            let answer = try await slow
            #expect(answer == "Старое Старое Старое \(old)")
            let now = try await client.execute(uri: "/now", method: .get) { String(buffer: $0.body) }
            #expect(now == "Новое")
        }
    }
}
