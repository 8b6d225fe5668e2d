public import CabinetCore

/// Reads a module's settings from a YAML snippet, as the region loader would, for settings tests.
public enum SettingsProbe {
    public static func read<S: ModuleSettings>(
        _ type: S.Type, yaml: String, currency: Currency = .rub, section: String = "section"
    )
        -> (settings: S?, problems: [String])
    {
        let (node, parseProblems) = ConfigNode.parse(yaml: yaml, file: "test.yaml")
        guard let node else { return (nil, parseProblems.map(\.description)) }
        let reader = ConfigReader(currency: currency)
        let value = ConfigValue(node: node, path: section, reader: reader)
        let settings = value.object { S(from: $0) }
        return (settings, (parseProblems + reader.problems).map { "\($0.path): \($0.message)" })
    }
}
