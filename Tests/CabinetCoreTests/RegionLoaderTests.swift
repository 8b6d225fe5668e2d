import CabinetCore
import Foundation
import Testing

/// A module with a small section, to test the loader without the real modules.
enum WidgetModule: CabinetModule {
    struct Settings: ModuleSettings {
        var price: Money
        var limit: Int
        var flavour: Flavour
        enum Flavour: String, ConfigEnum { case plain, fancy }

        init?(from section: ConfigObject) {
            let price = section.requirePrice("price")
            let limit = section.requireInt("limit", in: 1...10)
            let flavour = section.require("flavour", Flavour.self)
            guard let price, let limit, let flavour else { return nil }
            self.price = price
            self.limit = limit
            self.flavour = flavour
        }
    }

    static let id: ModuleID = "widget"
    static let requires: Set<ModuleID> = ["gadget"]
    static func messages() throws -> MessageCatalog { MessageCatalog() }
}

enum GadgetModule: CabinetModule {
    typealias Settings = NoSettings
    static let id: ModuleID = "gadget"
    static func messages() throws -> MessageCatalog { MessageCatalog() }
}

@Suite struct RegionLoaderTests {
    let loader = RegionLoader(modules: [WidgetModule.self, GadgetModule.self])

    static let defaults = """
        currency: RUB
        timeZone: Europe/Moscow
        modules: [gadget, widget]
        widget:
          price: "10.00 RUB"
          limit: 3
          flavour: plain
        """

    func load(_ files: [String: String]) throws -> RegionLoader.Report {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("regions-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        for (name, text) in files {
            try text.write(to: folder.appendingPathComponent(name), atomically: true, encoding: .utf8)
        }
        return loader.load(directory: folder)
    }

    @Test func aRegionOverridesTheDefaultsKeyByKey() throws {
        let report = try load([
            "_defaults.yaml": Self.defaults,
            "msk.yaml": """
            name: {ru: Москва, en: Moscow}
            msisdn: {prefixes: ["900"]}
            widget:
              limit: 7
            """,
        ])
        #expect(report.problems.isEmpty)
        let region = try #require(report.regions.first)
        let settings = try #require(region.settings(for: WidgetModule.self))
        #expect(settings.limit == 7)
        #expect(settings.price.amountString == "10.00")
        #expect(settings.flavour == .plain)
        #expect(region.timeZone.identifier == "Europe/Moscow")
        #expect(region.msisdnRules.allows(try MSISDN(parsing: "9001234567")))
        #expect(!region.msisdnRules.allows(try MSISDN(parsing: "9011234567")))
    }

    @Test func everyProblemIsReportedWithFileLineAndPath() throws {
        let report = try load([
            "_defaults.yaml": Self.defaults,
            "bad.yaml": """
            name: {ru: Плохой, en: Bad}
            timezone: Europe/Moscow
            msisdn: {prefixes: ["900"]}
            widget:
              limit: 70
              flavour: spicy
              price: "-1.00"
            """,
        ])
        #expect(report.regions.isEmpty)
        #expect(
            report.problems.map(\.description) == [
                "bad.yaml:2:1: error: timezone: unknown key 'timezone'; did you mean 'timeZone'?",
                "bad.yaml:7:10: error: widget.price: must not be negative, found -1.00",
                "bad.yaml:5:10: error: widget.limit: must be between 1 and 10, found 70",
                "bad.yaml:6:12: error: widget.flavour: expected one of plain, fancy, found \"spicy\"",
            ])
    }

    @Test func aKeyMissingEverywhereIsReportedOnTheRegionFile() throws {
        let report = try load([
            "_defaults.yaml": "currency: RUB\ntimeZone: UTC\nmodules: [gadget]\n",
            "x.yaml": "name: {ru: Икс, en: X}\n",
        ])
        #expect(
            report.problems.map(\.description) == [
                "x.yaml:1:1: error: msisdn: missing key 'msisdn'"
            ])
    }

    @Test func modulesMustExistAndBringWhatTheyNeed() throws {
        let report = try load([
            "_defaults.yaml": Self.defaults,
            "m.yaml": "name: {ru: М, en: M}\nmsisdn: {prefixes: ['9']}\nmodules: [widget, widget, nothing]\n",
        ])
        #expect(
            report.problems.map(\.description) == [
                "m.yaml:3:27: error: modules[2]: unknown module \"nothing\"; known: widget, gadget"
            ])
        let second = try load([
            "_defaults.yaml": Self.defaults,
            "m.yaml": "name: {ru: М, en: M}\nmsisdn: {prefixes: ['9']}\nmodules: [widget, widget]\n",
        ])
        #expect(
            second.problems.map(\.description) == [
                "m.yaml:3:19: error: modules[1]: module \"widget\" is listed twice",
                "m.yaml:3:10: error: modules: module \"widget\" needs \"gadget\" to be enabled too",
            ])
    }

    @Test func syntaxErrorsAndDuplicateKeysAreReported() throws {
        let report = try load([
            "_defaults.yaml": Self.defaults,
            "a.yaml": "name: {ru: \"А, en: A}\n",
            "b.yaml": "name: {ru: Б, en: B}\nname: {ru: Б, en: B}\nmsisdn: {prefixes: ['9']}\n",
        ])
        let text = report.problems.map(\.description)
        #expect(text.count == 2)
        #expect(text[0].hasPrefix("a.yaml:") && text[0].contains("YAML syntax"))
        #expect(text[1] == "b.yaml:1:1: error: duplicate key 'name'")
    }

    @Test func fileNamesAreRegionIDs() throws {
        let report = try load([
            "_defaults.yaml": Self.defaults,
            "Moscow.yaml": "name: {ru: М, en: M}\nmsisdn: {prefixes: ['9']}\n",
            "_other.yaml": "x: 1\n",
        ])
        #expect(
            report.problems.map(\.description) == [
                "Moscow.yaml: error: the file name is the region id: lowercase letters, digits and dashes, starting with a letter",
                "_other.yaml: error: unknown special file; only _defaults.yaml may start with _",
            ])
    }

    @Test func anEmptyFolderIsAProblem() throws {
        let report = try load([:])
        #expect(report.problems.count == 1)
        #expect(report.problems[0].message.hasPrefix("no region files"))
    }

    @Test func moneyInAnotherCurrencyIsRefused() throws {
        let report = try load([
            "_defaults.yaml": Self.defaults,
            "kz.yaml": "name: {ru: К, en: K}\ncurrency: KZT\nmsisdn: {prefixes: ['701']}\n",
        ])
        #expect(
            report.problems.map(\.description) == [
                "kz.yaml: error: widget.price: currency RUB does not match the region's currency KZT: _defaults.yaml "
                    + "sets \"10.00 RUB\" and kz.yaml inherits it; restate it in KZT in kz.yaml"
            ], "the region file that must restate the amount is named")
        let mismatch = try load([
            "_defaults.yaml": Self.defaults,
            "kz.yaml": "name: {ru: К, en: K}\nmsisdn: {prefixes: ['701']}\n",
        ])
        #expect(
            mismatch.problems.map(\.description) == [
                "kz.yaml: error: currency: currency RUB does not match the region's numbers (kazakhstan), which use KZT; set currency in kz.yaml"
            ])
    }
}

@Suite struct RegionLoaderEmbeddingTests {
    @Test func aProgramEmbeddingFewerModulesReadsTheFullFiles() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("regions-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try """
        name: {ru: Москва, en: Moscow}
        currency: RUB
        timeZone: Europe/Moscow
        msisdn: {prefixes: ["900"]}
        modules: [gadget, billing]
        billing: {anything: 1}
        """.write(to: folder.appendingPathComponent("msk.yaml"), atomically: true, encoding: .utf8)
        let strict = RegionLoader(modules: [GadgetModule.self]).load(directory: folder)
        #expect(
            strict.problems.map(\.message) == [
                "unknown module \"billing\"; known: gadget", "unknown key 'billing'",
            ])
        let embedding = RegionLoader(modules: [GadgetModule.self], otherModules: .ignore).load(directory: folder)
        #expect(embedding.problems.isEmpty)
        #expect(embedding.regions.first?.modules == ["gadget"])
    }
}
