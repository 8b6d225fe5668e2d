/// Which numbers belong to a region: national prefixes of its numbering plan (`9` for Russian mobile
/// numbers, `700`, `701`, `747`, `777` … for Kazakhstan).
public struct MSISDNRules: Hashable, Sendable {
    public var prefixes: [String]

    public init(prefixes: [String]) {
        self.prefixes = prefixes
    }

    /// `true` when the number starts with one of the region's prefixes.
    public func allows(_ msisdn: MSISDN) -> Bool {
        prefixes.contains { msisdn.nationalNumber.hasPrefix($0) }
    }

    /// The numbering plan all prefixes belong to, `nil` when they are mixed or invalid.
    var plan: MSISDN.NumberingPlan? {
        let plans = Set(prefixes.compactMap { Self.sample(for: $0)?.plan })
        return plans.count == 1 ? plans.first : nil
    }

    /// A mobile number starting with the prefix, if such a number can exist.
    static func sample(for prefix: String) -> MSISDN? {
        guard !prefix.isEmpty, prefix.count <= 5, prefix.allSatisfy(\.isASCIIDigit) else { return nil }
        return MSISDN(e164: "+7" + prefix + String(repeating: "0", count: 10 - prefix.count))
    }

    static func decode(from object: ConfigObject) -> MSISDNRules? {
        guard let list = object.requireList("prefixes", { $0.decode(String.self) }) else { return nil }
        guard !list.isEmpty else {
            object.child("prefixes")?.problem("must name at least one prefix")
            return nil
        }
        var valid = true
        for (index, prefix) in list.enumerated() where sample(for: prefix) == nil {
            object.reader.report(
                "\"\(prefix)\" is not the start of a +7 mobile number (Russia: 9…, Kazakhstan: 70…, 747, 75…, 76…, 77…)",
                at: object.value.node.node(at: "prefixes[\(index)]")?.location ?? object.value.node.location,
                path: "\(object.path).prefixes[\(index)]")
            valid = false
        }
        return valid ? MSISDNRules(prefixes: list) : nil
    }
}
