/// A text shown to people, in Russian and English.
public struct LocalizedText: Hashable, Sendable, Codable, ConfigDecodable {
    public var ru: String
    public var en: String

    public init(ru: String, en: String) {
        self.ru = ru
        self.en = en
    }

    public func text(in language: Language) -> String {
        switch language {
        case .ru: ru
        case .en: en
        }
    }

    /// `{ru: …, en: …}`, both required and non-empty.
    public static func decode(from value: ConfigValue) -> LocalizedText? {
        value.object { object in
            let ru = object.require("ru", String.self)
            let en = object.require("en", String.self)
            for (key, text) in [("ru", ru), ("en", en)] where text?.isEmpty == true {
                object.child(key)?.problem("must not be empty")
            }
            guard let ru, let en, !ru.isEmpty, !en.isEmpty else { return nil }
            return LocalizedText(ru: ru, en: en)
        }
    }
}
