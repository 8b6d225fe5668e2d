import Yams

/// A YAML value that remembers the file and position it came from, so a problem found after merging a
/// region file over `_defaults.yaml` still points at the right file and line.
public struct ConfigNode: Sendable {
    public enum Value: Sendable {
        /// A scalar's text; `quoted` tells `"1"` (always a string) from `1`.
        case scalar(String, quoted: Bool)
        case mapping([Entry])
        case sequence([ConfigNode])
        case null
    }

    public struct Entry: Sendable {
        public var key: String
        public var keyLocation: ConfigLocation
        public var value: ConfigNode
    }

    public var value: Value
    public var location: ConfigLocation

    public init(value: Value, location: ConfigLocation) {
        self.value = value
        self.location = location
    }

    /// An empty mapping standing in for an absent section.
    public static func emptyMapping(at location: ConfigLocation) -> ConfigNode {
        ConfigNode(value: .mapping([]), location: location)
    }

    /// The entry for `key` when this is a mapping.
    public subscript(key: String) -> ConfigNode? {
        guard case .mapping(let entries) = value else { return nil }
        return entries.first { $0.key == key }?.value
    }

    /// A short name of the node's kind for messages ("a mapping", "a list", …).
    var kindDescription: String {
        switch value {
        case .scalar(let text, _): "\"\(text)\""
        case .mapping: "a mapping"
        case .sequence: "a list"
        case .null: "nothing"
        }
    }

    /// `self` with `override` laid over it key by key: mappings merge recursively, anything else is replaced.
    public func merged(with override: ConfigNode) -> ConfigNode {
        guard case .mapping(let base) = value, case .mapping(let top) = override.value else { return override }
        var entries = base
        for entry in top {
            if let index = entries.firstIndex(where: { $0.key == entry.key }) {
                entries[index] = Entry(
                    key: entry.key, keyLocation: entry.keyLocation,
                    value: entries[index].value.merged(with: entry.value))
            } else {
                entries.append(entry)
            }
        }
        return ConfigNode(value: .mapping(entries), location: override.location)
    }

    /// Follows a key path such as `tariffs.catalog[2].options[0]`.
    public func node(at path: String) -> ConfigNode? {
        var current: ConfigNode? = self
        for component in ConfigPath.components(of: path) {
            switch component {
            case .key(let key): current = current?[key]
            case .index(let index):
                guard case .sequence(let items)? = current?.value, items.indices.contains(index) else { return nil }
                current = items[index]
            }
        }
        return current
    }
}

extension ConfigNode {
    /// Parses YAML text. Syntax errors, duplicate keys, non-scalar keys and aliases become problems.
    public static func parse(yaml: String, file: String) -> (ConfigNode?, [ConfigProblem]) {
        let node: Node?
        // The parser keeps the anchors alive (nodes hold them weakly): it must outlive the conversion below, which
        // reports them.
        let parser: Parser
        do {
            parser = try Parser(yaml: yaml)
            node = try parser.singleRoot()
        } catch let error as YamlError {
            return (
                nil, [ConfigProblem(location: location(of: error, file: file), path: "", message: message(of: error))]
            )
        } catch {
            return (nil, [ConfigProblem(location: ConfigLocation(file: file), path: "", message: "\(error)")])
        }
        guard let node else { return (.emptyMapping(at: ConfigLocation(file: file, line: 1, column: 1)), []) }
        var problems: [ConfigProblem] = []
        let converted = withExtendedLifetime(parser) { convert(node, file: file, path: "", problems: &problems) }
        return (converted, problems)
    }

    private static func convert(_ node: Node, file: String, path: String, problems: inout [ConfigProblem]) -> ConfigNode
    {
        let location = ConfigLocation(file: file, line: node.mark?.line, column: node.mark?.column)
        // The composer resolves `*alias` into a copy of the `&anchor`ed node, so an alias is seen by its anchor: a
        // region file reads top to bottom, every value where it applies.
        if let anchor = node.anchor {
            let message = "YAML anchors and aliases (&\(anchor.rawValue)) are not supported; write the value out"
            if !problems.contains(where: { $0.message == message }) {
                problems.append(ConfigProblem(location: location, path: path, message: message))
            }
        }
        switch node {
        case .scalar(let scalar):
            if scalar.style == .plain, ["", "~", "null", "Null", "NULL"].contains(scalar.string) {
                return ConfigNode(value: .null, location: location)
            }
            return ConfigNode(value: .scalar(scalar.string, quoted: scalar.style != .plain), location: location)
        case .sequence(let sequence):
            let items = sequence.enumerated().map { index, item in
                convert(item, file: file, path: "\(path)[\(index)]", problems: &problems)
            }
            return ConfigNode(value: .sequence(items), location: location)
        case .mapping(let mapping):
            var entries: [Entry] = []
            for (keyNode, valueNode) in mapping {
                let keyLocation = ConfigLocation(file: file, line: keyNode.mark?.line, column: keyNode.mark?.column)
                guard case .scalar(let keyScalar) = keyNode else {
                    problems.append(
                        ConfigProblem(location: keyLocation, path: path, message: "keys must be plain words"))
                    continue
                }
                let key = keyScalar.string
                let childPath = path.isEmpty ? key : "\(path).\(key)"
                if entries.contains(where: { $0.key == key }) {
                    problems.append(ConfigProblem(location: keyLocation, path: childPath, message: "duplicate key"))
                    continue
                }
                entries.append(
                    Entry(
                        key: key, keyLocation: keyLocation,
                        value: convert(valueNode, file: file, path: childPath, problems: &problems)))
            }
            return ConfigNode(value: .mapping(entries), location: location)
        case .alias:
            problems.append(
                ConfigProblem(
                    location: location, path: path, message: "YAML aliases are not supported; write the value out"))
            return ConfigNode(value: .null, location: location)
        }
    }

    private static func location(of error: YamlError, file: String) -> ConfigLocation {
        switch error {
        case .scanner(_, _, let mark, _), .parser(_, _, let mark, _), .composer(_, _, let mark, _):
            return ConfigLocation(file: file, line: mark.line, column: mark.column)
        case .duplicatedKeysInMapping(_, let context):
            return ConfigLocation(file: file, line: context.mark.line, column: context.mark.column)
        default:
            return ConfigLocation(file: file)
        }
    }

    private static func message(of error: YamlError) -> String {
        switch error {
        case .scanner(let context, let problem, _, _), .parser(let context, let problem, _, _),
            .composer(let context, let problem, _, _):
            let prefix = context.map { "\($0.text) " } ?? ""
            return "YAML syntax: \(prefix)\(problem)"
        case .duplicatedKeysInMapping(let duplicates, _):
            return "duplicate key " + duplicates.map { "'\($0)'" }.joined(separator: ", ")
        default:
            return "YAML: \(error)"
        }
    }
}

/// Parses dotted key paths with list indices.
enum ConfigPath {
    enum Component: Equatable { case key(String), index(Int) }

    static func components(of path: String) -> [Component] {
        var result: [Component] = []
        for part in path.split(separator: ".") {
            var rest = Substring(part)
            if let bracket = rest.firstIndex(of: "[") {
                let key = rest[..<bracket]
                if !key.isEmpty { result.append(.key(String(key))) }
                rest = rest[bracket...]
                while rest.first == "[", let close = rest.firstIndex(of: "]") {
                    if let index = Int(rest[rest.index(after: rest.startIndex)..<close]) {
                        result.append(.index(index))
                    }
                    rest = rest[rest.index(after: close)...]
                }
            } else {
                result.append(.key(String(rest)))
            }
        }
        return result
    }
}
