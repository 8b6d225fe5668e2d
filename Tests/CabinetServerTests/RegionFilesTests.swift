import Billing
import CabinetCore
import CabinetServer
import CabinetTesting
import Foundation
import Payments
import Tariffs
import Testing

@Suite struct RegionFilesTests {
    @Test func everyShippedRegionLoads() throws {
        let report = CabinetModules.regionLoader.load(directory: RepositoryPaths.regions)
        #expect(report.problems.map(\.description) == [])
        #expect(report.regions.map(\.id.rawValue) == ["almaty", "msk", "nnov", "nsk", "perm", "spb"])
        for region in report.regions {
            let tariffs = try #require(region.settings(for: TariffsModule.self))
            #expect(tariffs.catalog.count >= 4, "\(region.id)")
            #expect(tariffs.catalog.contains { $0.status == .archived }, "\(region.id)")
            #expect(tariffs.catalog.allSatisfy { $0.fee.amount.currency == region.currency })
            #expect(region.settings(for: PaymentsModule.self)?.promisedPayment.tiers.isEmpty == false)
        }
    }

    @Test(arguments: [
        ("msk", "RUB", "Europe/Moscow"), ("spb", "RUB", "Europe/Moscow"), ("nnov", "RUB", "Europe/Moscow"),
        ("perm", "RUB", "Asia/Yekaterinburg"), ("nsk", "RUB", "Asia/Novosibirsk"), ("almaty", "KZT", "Asia/Almaty"),
    ])
    func regionsHaveTheirCurrencyAndZone(id: String, currency: String, zone: String) throws {
        let catalog = try CabinetModules.regionLoader.loadCatalog(directory: RepositoryPaths.regions)
        let region = try #require(catalog.region(RegionID(rawValue: id)!))
        #expect(region.currency.code == currency)
        #expect(region.timeZone.identifier == zone)
    }

    @Test func regionsDifferWhereTheIssueSaysTheyDo() throws {
        let catalog = try CabinetModules.regionLoader.loadCatalog(directory: RepositoryPaths.regions)
        let statementPrices = Set(
            catalog.regions.compactMap { $0.settings(for: BillingModuleAlias.self)?.statements.fullByEmail })
        #expect(statementPrices.count >= 5)
        let topUpMinimums = Set(catalog.regions.compactMap { $0.settings(for: PaymentsModule.self)?.topUp.minimum })
        #expect(topUpMinimums.count >= 3)
    }

    /// Each folder under BrokenRegions holds one region file with a mistake and `expected.txt`, the exact report.
    static var brokenCases: [String] {
        guard let folder = Bundle.module.url(forResource: "BrokenRegions", withExtension: nil),
            let names = try? FileManager.default.contentsOfDirectory(atPath: folder.path)
        else { return [] }
        return names.filter { !$0.hasPrefix("_") && !$0.hasPrefix(".") }.sorted()
    }

    @Test func thereAreBrokenCases() {
        #expect(Self.brokenCases.count >= 15)
    }

    @Test(arguments: brokenCases)
    func aBrokenFileProducesItsExactMessages(_ name: String) throws {
        let folder = try #require(Bundle.module.url(forResource: "BrokenRegions", withExtension: nil))
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent(
            "broken-\(name)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        try FileManager.default.copyItem(
            at: folder.appendingPathComponent("_base/_defaults.yaml"),
            to: scratch.appendingPathComponent("_defaults.yaml"))
        let caseFolder = folder.appendingPathComponent(name)
        for file in try FileManager.default.contentsOfDirectory(atPath: caseFolder.path) where file.hasSuffix(".yaml") {
            try FileManager.default.copyItem(
                at: caseFolder.appendingPathComponent(file), to: scratch.appendingPathComponent(file))
        }
        let expected = try String(contentsOf: caseFolder.appendingPathComponent("expected.txt"), encoding: .utf8)
            .split(separator: "\n").map(String.init)
        #expect(!expected.isEmpty)
        let (report, ok) = CabinetCommands.checkRegions(directory: scratch)
        #expect(!ok)
        #expect(Array(report.split(separator: "\n").map(String.init).dropLast()) == expected)
        #expect(throws: ConfigError.self) { try CabinetModules.regionLoader.loadCatalog(directory: scratch) }
    }

    /// `regions check` says what a start will say about `payments.gateway`: an id that is not an acquirer of
    /// `CABINET_GATEWAYS` is an error; the sandbox is a warning unless the check is for a demo start.
    @Test func theCheckSaysWhatAStartSaysAboutGateways() throws {
        let folder = try #require(Bundle.module.url(forResource: "BrokenRegions", withExtension: nil))
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("gateways-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        try FileManager.default.copyItem(
            at: folder.appendingPathComponent("_base/_defaults.yaml"),
            to: scratch.appendingPathComponent("_defaults.yaml"))
        func region(gateway: String) throws {
            try """
            name: {ru: "Тверь", en: "Tver"}
            msisdn: {prefixes: ["900"]}
            payments: {gateway: \(gateway)}
            """.write(to: scratch.appendingPathComponent("tver.yaml"), atomically: true, encoding: .utf8)
        }
        try region(gateway: "yookassa-tver")
        let unknown = CabinetCommands.checkRegions(directory: scratch)
        #expect(!unknown.ok)
        #expect(
            unknown.report.contains(
                "tver.yaml: error: payments.gateway: \"yookassa-tver\" is not an id in CABINET_GATEWAYS nor sandbox"))
        let gateways = FileManager.default.temporaryDirectory.appendingPathComponent(
            "gateways-\(UUID().uuidString).yml")
        defer { try? FileManager.default.removeItem(at: gateways) }
        try """
        gateways:
          - {id: yookassa-tver, baseURL: "https://api.yookassa.ru", shopId: "1", secretKey: "k", webhookSecret: "w"}
        """.write(to: gateways, atomically: true, encoding: .utf8)
        let known = CabinetCommands.checkRegions(directory: scratch, gatewaysFile: gateways)
        #expect(known.ok, "\(known.report)")
        #expect(!known.report.contains("warning"))

        try region(gateway: "sandbox")
        let production = CabinetCommands.checkRegions(directory: scratch)
        #expect(production.ok)
        #expect(
            production.report.contains(
                "tver.yaml: warning: payments.gateway: payments are on and go through the sandbox"))
        let demo = CabinetCommands.checkRegions(directory: scratch, sandboxOn: true)
        #expect(demo.ok)
        #expect(!demo.report.contains("warning"))
    }

    @Test func theCheckReportsTheShippedRegionsAsValid() {
        let (report, ok) = CabinetCommands.checkRegions(directory: RepositoryPaths.regions)
        #expect(ok)
        #expect(report.hasSuffix("6 region(s) valid in \(RepositoryPaths.regions.path)"))
    }
}

typealias BillingModuleAlias = BillingModule
