/// Reads typed values out of a ``ConfigNode`` tree and collects every problem instead of stopping at the first.
///
/// `Codable` stops at the first error in a file; an operator fixing region files wants all of them at once, with
/// file and line. So module settings read their section through ``ConfigObject`` (required and optional keys,
/// lists, nested objects) and the reader reports missing keys, wrong types, out-of-range values and unknown keys.
public final class ConfigReader {
    public private(set) var problems: [ConfigProblem] = []
    /// The region's currency: money values in its file are amounts in this currency.
    public let currency: Currency?
    /// The file being read; a key missing from a mapping inherited from another file is reported here.
    public let primaryFile: String?

    public init(currency: Currency?, primaryFile: String? = nil) {
        self.currency = currency
        self.primaryFile = primaryFile
    }

    public func report(_ message: String, at location: ConfigLocation, path: String) {
        problems.append(ConfigProblem(location: location, path: path, message: message))
    }

    /// Starts reading a tree at its root.
    public func root(_ node: ConfigNode) -> ConfigValue {
        ConfigValue(node: node, path: "", reader: self)
    }
}

/// A value at a key path, ready to be decoded.
public struct ConfigValue {
    public let node: ConfigNode
    public let path: String
    public let reader: ConfigReader

    public init(node: ConfigNode, path: String, reader: ConfigReader) {
        self.node = node
        self.path = path
        self.reader = reader
    }

    /// Records a problem about this value.
    public func problem(_ message: String) {
        reader.report(message, at: node.location, path: path)
    }

    /// The scalar text, or `nil` (and a problem) for a mapping, list or nothing.
    public func scalar(expected: String) -> String? {
        guard case .scalar(let text, _) = node.value else {
            problem("expected \(expected), found \(node.kindDescription)")
            return nil
        }
        return text
    }

    public func decode<T: ConfigDecodable>(_ type: T.Type = T.self) -> T? {
        T.decode(from: self)
    }

    /// Reads a mapping with `build`, then reports keys `build` did not ask for.
    public func object<T>(_ build: (ConfigObject) -> T?) -> T? {
        guard case .mapping = node.value else {
            problem("expected a mapping of keys, found \(node.kindDescription)")
            return nil
        }
        let object = ConfigObject(self)
        let result = build(object)
        object.finish()
        return result
    }

    /// Reads a list; `nil` when it is not a list or any element is invalid (each problem is reported).
    public func list<T>(_ element: (ConfigValue) -> T?) -> [T]? {
        guard case .sequence(let items) = node.value else {
            problem("expected a list, found \(node.kindDescription)")
            return nil
        }
        var result: [T] = []
        var failed = false
        for (index, item) in items.enumerated() {
            if let value = element(ConfigValue(node: item, path: "\(path)[\(index)]", reader: reader)) {
                result.append(value)
            } else {
                failed = true
            }
        }
        return failed ? nil : result
    }

    public func list<T: ConfigDecodable>(of type: T.Type) -> [T]? {
        list { $0.decode(T.self) }
    }
}

/// A mapping being read. Every key asked for is remembered, so ``finish()`` can report the others as unknown.
public final class ConfigObject {
    public let value: ConfigValue
    private var asked: [String] = []

    init(_ value: ConfigValue) {
        self.value = value
    }

    public var path: String { value.path }
    public var reader: ConfigReader { value.reader }

    private func childPath(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    /// Records a problem about the mapping itself.
    public func problem(_ message: String) { value.problem(message) }

    /// The value at `key`, or `nil` when absent (an explicit `null` counts as absent).
    public func child(_ key: String) -> ConfigValue? {
        if !asked.contains(key) { asked.append(key) }
        guard let node = value.node[key] else { return nil }
        if case .null = node.value { return nil }
        return ConfigValue(node: node, path: childPath(key), reader: value.reader)
    }

    public func has(_ key: String) -> Bool { child(key) != nil }

    private func missing(_ key: String) {
        let location = value.node.location
        if let primary = value.reader.primaryFile, primary != location.file {
            // The mapping came from the defaults; the key has to be added to the region's own file.
            value.reader.report(
                "missing key '\(key)' (\(location.file) does not set it either)",
                at: ConfigLocation(file: primary), path: childPath(key))
        } else {
            value.reader.report("missing key '\(key)'", at: location, path: childPath(key))
        }
    }

    public func require<T: ConfigDecodable>(_ key: String, _ type: T.Type = T.self) -> T? {
        guard let child = child(key) else {
            missing(key)
            return nil
        }
        return child.decode(T.self)
    }

    public func optional<T: ConfigDecodable>(_ key: String, _ type: T.Type = T.self) -> T? {
        child(key)?.decode(T.self)
    }

    public func requireObject<T>(_ key: String, _ build: (ConfigObject) -> T?) -> T? {
        guard let child = child(key) else {
            missing(key)
            return nil
        }
        return child.object(build)
    }

    /// Reads an optional nested mapping; an absent one is read as empty so its own defaults and
    /// required keys still apply.
    public func object<T>(_ key: String, _ build: (ConfigObject) -> T?) -> T? {
        if let child = child(key) { return child.object(build) }
        let empty = ConfigValue(
            node: .emptyMapping(at: value.node.location), path: childPath(key), reader: value.reader)
        return empty.object(build)
    }

    public func requireList<T>(_ key: String, _ element: (ConfigValue) -> T?) -> [T]? {
        guard let child = child(key) else {
            missing(key)
            return nil
        }
        return child.list(element)
    }

    public func optionalList<T>(_ key: String, _ element: (ConfigValue) -> T?) -> [T]? {
        child(key)?.list(element)
    }

    /// Reports keys nobody asked for, with a suggestion when one is a likely typo.
    public func finish() {
        guard case .mapping(let entries) = value.node.value else { return }
        for entry in entries where !asked.contains(entry.key) {
            var message = "unknown key '\(entry.key)'"
            if let suggestion = asked.min(by: { editDistance($0, entry.key) < editDistance($1, entry.key) }),
                editDistance(suggestion, entry.key) <= 2
            {
                message += "; did you mean '\(suggestion)'?"
            }
            value.reader.report(message, at: entry.keyLocation, path: childPath(entry.key))
        }
    }
}

/// Levenshtein distance, small inputs only (config keys).
func editDistance(_ a: String, _ b: String) -> Int {
    let x = Array(a.lowercased())
    let y = Array(b.lowercased())
    if x.isEmpty { return y.count }
    if y.isEmpty { return x.count }
    var previous = Array(0...y.count)
    for i in 1...x.count {
        var current = [i] + Array(repeating: 0, count: y.count)
        for j in 1...y.count {
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (x[i - 1] == y[j - 1] ? 0 : 1))
        }
        previous = current
    }
    return previous[y.count]
}
