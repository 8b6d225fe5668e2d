public import CabinetCore
import Foundation

/// A region's roaming prices (`services.roaming`): countries by ISO code and name, each in a zone with its prices per
/// minute, SMS and megabyte and its roaming packages.
public struct RoamingCatalogue: Sendable, Hashable, ConfigDecodable {
    public struct Prices: Sendable, Hashable {
        public var incomingMinute: Money
        public var outgoingMinute: Money
        public var sms: Money
        public var megabyte: Money
    }

    /// A package bought for travel: `megabytes` for `days` at `price`.
    public struct Package: Sendable, Hashable {
        public var name: LocalizedText
        public var megabytes: Int
        public var days: Int
        public var price: Money
    }

    public struct Zone: Sendable, Hashable, Identifiable {
        public var id: String
        public var name: LocalizedText
        public var prices: Prices
        public var packages: [Package]
    }

    public struct Country: Sendable, Hashable {
        /// ISO 3166-1 alpha-2, upper case.
        public var code: String
        public var name: LocalizedText
        public var zone: String
    }

    public var zones: [Zone]
    public var countries: [Country]

    public init(zones: [Zone] = [], countries: [Country] = []) {
        self.zones = zones
        self.countries = countries
    }

    public func zone(_ id: String) -> Zone? { zones.first { $0.id == id } }

    /// Countries whose code is `query` (any case), or whose Russian or English name starts with it (any case, ё as
    /// е, spaces and hyphens alike), ordered by their name in `language`; every country for an empty query.
    public func countries(matching query: String, language: Language) -> [Country] {
        let wanted = Self.folded(query)
        let found =
            wanted.isEmpty
            ? countries
            : countries.filter { country in
                country.code.lowercased() == wanted || Self.folded(country.name.ru).hasPrefix(wanted)
                    || Self.folded(country.name.en).hasPrefix(wanted)
                    || Self.words(of: country.name.ru).contains { $0.hasPrefix(wanted) }
                    || Self.words(of: country.name.en).contains { $0.hasPrefix(wanted) }
            }
        return found.sorted { $0.name.text(in: language) < $1.name.text(in: language) }
    }

    static func folded(_ text: String) -> String {
        text.trimmingCharacters(in: .whitespaces).lowercased().replacingOccurrences(of: "ё", with: "е")
            .replacingOccurrences(of: "-", with: " ")
    }

    /// The words of a name after the first («Объединённые Арабские Эмираты» is found by «эмираты»).
    static func words(of name: String) -> [String] {
        folded(name).split(separator: " ").dropFirst().map(String.init)
    }

    public static func decode(from value: ConfigValue) -> RoamingCatalogue? {
        value.object { o in
            let zones = o.requireList("zones", Self.zone(from:))
            let countries = o.requireList("countries", Self.country(from:))
            guard let zones, let countries else { return nil }
            return RoamingCatalogue(zones: zones, countries: countries)
        }
    }

    static func zone(from value: ConfigValue) -> Zone? {
        value.object { z in
            let id = z.require("id", String.self)
            let name = z.require("name", LocalizedText.self)
            let prices = z.requireObject("prices") { p -> Prices? in
                let incoming = p.requirePrice("incomingMinute")
                let outgoing = p.requirePrice("outgoingMinute")
                let sms = p.requirePrice("sms")
                let megabyte = p.requirePrice("megabyte")
                guard let incoming, let outgoing, let sms, let megabyte else { return nil }
                return Prices(incomingMinute: incoming, outgoingMinute: outgoing, sms: sms, megabyte: megabyte)
            }
            // Absent is none; a list with a broken package is a problem, not an empty list.
            let packages = z.has("packages") ? z.optionalList("packages", Self.package(from:)) : []
            guard let id, let name, let prices, let packages else { return nil }
            return Zone(id: id, name: name, prices: prices, packages: packages)
        }
    }

    static func package(from value: ConfigValue) -> Package? {
        value.object { p in
            let name = p.require("name", LocalizedText.self)
            let megabytes = p.requireInt("megabytes", in: 1...1_048_576)
            let days = p.requireInt("days", in: 1...365)
            let price = p.requirePrice("price")
            guard let name, let megabytes, let days, let price else { return nil }
            return Package(name: name, megabytes: megabytes, days: days, price: price)
        }
    }

    static func country(from value: ConfigValue) -> Country? {
        value.object { c in
            let code = c.require("code", String.self)
            let name = c.require("name", LocalizedText.self)
            let zone = c.require("zone", String.self)
            guard let code, let name, let zone else { return nil }
            guard code.count == 2, code.allSatisfy({ $0.isASCII && $0.isUppercase }) else {
                c.child("code")?.problem("must be an ISO 3166-1 code of two capital letters, found \"\(code)\"")
                return nil
            }
            return Country(code: code, name: name, zone: zone)
        }
    }

    /// Zone ids and country codes are unique; every country names a known zone.
    func validate(in region: RegionValidationContext) -> [ConfigProblem] {
        var problems: [ConfigProblem] = []
        var seenZones: Set<String> = []
        for (index, zone) in zones.enumerated() where !seenZones.insert(zone.id).inserted {
            problems.append(
                region.problem(at: "services.roaming.zones[\(index)].id", "zone id \"\(zone.id)\" is used twice"))
        }
        var seenCountries: Set<String> = []
        for (index, country) in countries.enumerated() {
            if !seenCountries.insert(country.code).inserted {
                problems.append(
                    region.problem(
                        at: "services.roaming.countries[\(index)].code", "country \"\(country.code)\" is listed twice"))
            }
            if !seenZones.contains(country.zone) {
                problems.append(
                    region.problem(
                        at: "services.roaming.countries[\(index)].zone", "unknown zone \"\(country.zone)\""))
            }
        }
        return problems
    }
}
