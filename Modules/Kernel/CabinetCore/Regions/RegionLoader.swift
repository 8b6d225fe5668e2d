public import Foundation

/// Loads every region file of a folder: `_defaults.yaml` first, then each `<id>.yaml` laid over it key by key.
///
/// Every problem in every file is collected and reported together, with file, key path and line; the server
/// refuses to start on any, and `cabinet regions check` prints the same report.
public struct RegionLoader: Sendable {
    /// The modules whose sections a region file may carry.
    public let modules: [any CabinetModule.Type]
    /// What to do with modules the files name that this loader does not know.
    public let otherModules: OtherModules

    /// Modules a region file names that are not among ``modules``.
    public enum OtherModules: Sendable {
        /// A mistake: the server and `cabinet regions check` know every module and report it.
        case refuse
        /// Skipped with their sections: a program embedding a few modules reads the operator's full files.
        case ignore
    }

    public static let defaultsFileName = "_defaults.yaml"

    public init(modules: [any CabinetModule.Type], otherModules: OtherModules = .refuse) {
        self.modules = modules
        self.otherModules = otherModules
    }

    /// The result of loading a folder: the regions that loaded and every problem found.
    public struct Report: Sendable {
        public var regions: [Region]
        public var problems: [ConfigProblem]
        /// Every region file that was read, valid or not.
        public var files: [String]
        /// A digest of the folder's YAML files (names and bytes): the same folder gives the same id on every node.
        public var version: String = ""
    }

    /// Loads the folder, throwing ``ConfigError`` with every problem when anything is wrong.
    public func loadCatalog(directory: URL) throws(ConfigError) -> RegionCatalog {
        let report = load(directory: directory)
        guard report.problems.isEmpty else { throw ConfigError(problems: report.problems) }
        return RegionCatalog(regions: report.regions, version: report.version)
    }

    /// Loads the folder and reports; never throws.
    public func load(directory: URL) -> Report {
        var problems: [ConfigProblem] = []
        let folder = directory.lastPathComponent
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
        } catch {
            return Report(
                regions: [],
                problems: [
                    ConfigProblem(
                        location: ConfigLocation(file: directory.path), path: "",
                        message: "cannot read the regions folder: \(error.localizedDescription)")
                ],
                files: [])
        }

        var read: [String: Data] = [:]
        var defaults: ConfigNode?
        if names.contains(Self.defaultsFileName) {
            let (node, found) = parse(
                directory.appendingPathComponent(Self.defaultsFileName), name: Self.defaultsFileName, into: &read)
            problems += found
            defaults = node
            if let node, case .mapping = node.value {
            } else if let node {
                problems.append(
                    ConfigProblem(location: node.location, path: "", message: "the defaults must be a mapping of keys"))
                defaults = nil
            }
        }

        var regions: [Region] = []
        var files: [String] = []
        for name in names where name.hasSuffix(".yaml") || name.hasSuffix(".yml") {
            guard name != Self.defaultsFileName else { continue }
            let stem = String(name.prefix(upTo: name.lastIndex(of: ".") ?? name.endIndex))
            guard !stem.hasPrefix("_") else {
                problems.append(
                    ConfigProblem(
                        location: ConfigLocation(file: name), path: "",
                        message: "unknown special file; only \(Self.defaultsFileName) may start with _"))
                continue
            }
            files.append(name)
            guard let id = RegionID(rawValue: stem) else {
                problems.append(
                    ConfigProblem(
                        location: ConfigLocation(file: name), path: "",
                        message:
                            "the file name is the region id: lowercase letters, digits and dashes, starting with a letter"
                    ))
                continue
            }
            let (node, found) = parse(directory.appendingPathComponent(name), name: name, into: &read)
            problems += found
            guard let node else { continue }
            let tree = defaults.map { $0.merged(with: node) } ?? node
            let (region, regionProblems) = readRegion(id: id, tree: tree, file: name)
            problems += regionProblems
            if let region { regions.append(region) }
        }
        if files.isEmpty {
            problems.append(
                ConfigProblem(
                    location: ConfigLocation(file: folder), path: "",
                    message: "no region files (<id>.yaml) in \(directory.path)"))
        }
        // The version is a digest of the very bytes parsed above: a file rewritten meanwhile cannot give new content
        // an old version id, or old content a new one.
        var digest = RegionDigest()
        for (name, bytes) in read.sorted(by: { $0.key < $1.key }) {
            digest.add(name)
            digest.add(bytes)
        }
        return Report(regions: regions, problems: Self.unique(problems), files: files, version: digest.hex)
    }

    private func parse(_ url: URL, name: String, into read: inout [String: Data]) -> (ConfigNode?, [ConfigProblem]) {
        let text: String
        do {
            let bytes = try Data(contentsOf: url)
            read[name] = bytes
            guard let decoded = String(data: bytes, encoding: .utf8) else {
                throw CocoaError(.fileReadInapplicableStringEncoding)
            }
            text = decoded
        } catch {
            return (
                nil,
                [
                    ConfigProblem(
                        location: ConfigLocation(file: name), path: "", message: "cannot read the file as UTF-8 text")
                ]
            )
        }
        return ConfigNode.parse(yaml: text, file: name)
    }

    /// Reads one merged region tree: header, enabled modules, each module's section, then cross-section checks.
    func readRegion(id: RegionID, tree: ConfigNode, file: String) -> (Region?, [ConfigProblem]) {
        guard case .mapping = tree.value else {
            return (
                nil,
                [ConfigProblem(location: tree.location, path: "", message: "a region file must be a mapping of keys")]
            )
        }
        let known = descriptors()
        // The currency is needed to read every money value, so it is read first.
        let headerReader = ConfigReader(currency: nil, primaryFile: file)
        let root = headerReader.root(tree)
        var currency: Currency?
        var header: (name: LocalizedText, timeZone: TimeZone, rules: MSISDNRules, modules: [ModuleID])?
        _ = root.object { object in
            currency = object.require("currency", String.self).flatMap { code in
                guard let currency = Currency(code: code) else {
                    object.child("currency")?.problem(
                        "unknown currency \(code); known: \(Currency.all.map(\.code).joined(separator: ", "))")
                    return nil
                }
                return currency
            }
            let name = object.require("name", LocalizedText.self)
            let timeZone = object.require("timeZone", String.self).flatMap { identifier -> TimeZone? in
                guard let zone = TimeZone(identifier: identifier) else {
                    object.child("timeZone")?.problem(
                        "unknown time zone \"\(identifier)\"; use an IANA name such as Europe/Moscow")
                    return nil
                }
                return zone
            }
            let rules = object.requireObject("msisdn", MSISDNRules.decode(from:))
            let modules = object.requireList("modules") { value -> ModuleID?? in
                guard let text = value.decode(String.self) else { return nil }
                guard known.contains(where: { $0.id.rawValue == text }) else {
                    if self.otherModules == .ignore { return .some(nil) }
                    value.problem(
                        "unknown module \"\(text)\"; known: \(known.map(\.id.rawValue).joined(separator: ", "))")
                    return nil
                }
                return ModuleID(rawValue: text)
            }?.compactMap { $0 }
            if self.otherModules == .ignore, case .mapping(let entries) = tree.value {
                // Sections of modules this program does not embed are not its business.
                for entry in entries { _ = object.child(entry.key) }
            }
            // Module sections are read below with the region's currency; mark them as known here.
            for module in known { _ = object.child(module.id.rawValue) }
            if let rules, let currency, let plan = rules.plan {
                let expected: Currency = plan == .kazakhstan ? .kzt : .rub
                if expected != currency, let node = object.child("currency") {
                    let message =
                        "currency \(currency.code) does not match the region's numbers (\(plan.rawValue)), which use \(expected.code)"
                    if node.node.location.file == file {
                        node.problem(message)
                    } else {
                        // Inherited from the defaults: the region's own file has to say `currency: KZT`.
                        headerReader.report(
                            "\(message); set currency in \(file)", at: ConfigLocation(file: file), path: "currency")
                    }
                }
            }
            if let rules, let currency, rules.plan == nil {
                // Mixed prefixes: each one whose numbering plan uses another currency is wrong in this region.
                for (index, prefix) in rules.prefixes.enumerated() {
                    guard let plan = MSISDNRules.sample(for: prefix)?.plan else { continue }
                    let expected: Currency = plan == .kazakhstan ? .kzt : .rub
                    guard expected != currency else { continue }
                    let path = "msisdn.prefixes[\(index)]"
                    headerReader.report(
                        "\"\(prefix)\" is a prefix of \(plan.rawValue) numbers, which use \(expected.code); "
                            + "this region's currency is \(currency.code) (a region's numbers follow one plan)",
                        at: tree.node(at: path)?.location ?? tree.location, path: path)
                }
            }
            if let modules {
                var seen: Set<ModuleID> = []
                for (index, module) in modules.enumerated() where !seen.insert(module).inserted {
                    headerReader.report(
                        "module \"\(module)\" is listed twice",
                        at: tree.node(at: "modules[\(index)]")?.location ?? tree.location,
                        path: "modules[\(index)]")
                }
                for module in known where modules.contains(module.id) {
                    for required in module.requires.sorted() where !modules.contains(required) {
                        object.child("modules")?.problem(
                            "module \"\(module.id)\" needs \"\(required)\" to be enabled too")
                    }
                }
            }
            if let name, let timeZone, let rules, let modules { header = (name, timeZone, rules, modules) }
            return ()
        }
        var problems = headerReader.problems

        // Sections: each module reads its own, with the region's currency.
        let reader = ConfigReader(currency: currency, primaryFile: file)
        var settings: [ModuleID: any ModuleSettings] = [:]
        let enabled = Set(header?.modules ?? [])
        for module in modules {
            let key = module.id.rawValue
            // A module that is off needs no section; one that is written anyway is still checked for mistakes.
            guard enabled.contains(module.id) || tree[key] != nil else { continue }
            let node = tree[key] ?? .emptyMapping(at: tree.location)
            let value = ConfigValue(
                node: node.isNull ? .emptyMapping(at: node.location) : node, path: key, reader: reader)
            if let decoded = module.readSettings(value) { settings[module.id] = decoded }
        }
        problems += reader.problems

        guard let currency, let header else { return (nil, problems) }
        let context = RegionValidationContext(id: id, currency: currency, tree: tree, settings: settings)
        for (_, moduleSettings) in settings.sorted(by: { $0.key < $1.key }) {
            problems += moduleSettings.validate(in: context)
        }
        guard problems.isEmpty else { return (nil, problems) }
        let region = Region(
            id: id, name: header.name, currency: currency, timeZone: header.timeZone, msisdnRules: header.rules,
            modules: header.modules, settings: settings)
        return (region, problems)
    }

    /// Ids and requirements of the modules as plain values (closures over existential metatypes crash
    /// the Swift 6.3 compiler).
    private func descriptors() -> [(id: ModuleID, requires: Set<ModuleID>)] {
        var result: [(id: ModuleID, requires: Set<ModuleID>)] = []
        for module in modules {
            result.append((module.id, module.requires))
        }
        return result
    }

    /// Problems in `_defaults.yaml` show up once per region; keep the first of each.
    static func unique(_ problems: [ConfigProblem]) -> [ConfigProblem] {
        var seen: Set<ConfigProblem> = []
        return problems.filter { seen.insert($0).inserted }
    }
}

extension CabinetModule {
    /// Reads this module's section; an existential-friendly entry point for the loader.
    static func readSettings(_ value: ConfigValue) -> (any ModuleSettings)? {
        value.object { Settings(from: $0) }
    }
}

extension ConfigNode {
    var isNull: Bool {
        if case .null = value { return true }
        return false
    }
}
