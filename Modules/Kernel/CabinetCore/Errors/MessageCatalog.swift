public import Foundation

/// The language a person reads messages in. Russian first, English second.
public enum Language: String, Sendable, Hashable, CaseIterable, Codable {
    case ru, en

    /// Picks the best language from an `Accept-Language` header value; Russian when nothing matches.
    public static func negotiate(acceptLanguage: String?) -> Language {
        guard let header = acceptLanguage else { return .ru }
        var best: (Language, Double)?
        for part in header.split(separator: ",") {
            let pieces = part.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
            guard let tag = pieces.first?.lowercased() else { continue }
            var quality = 1.0
            for parameter in pieces.dropFirst() where parameter.hasPrefix("q=") {
                quality = Double(parameter.dropFirst(2)) ?? 0
            }
            let primary = tag.split(separator: "-").first.map(String.init) ?? tag
            guard let language = Language(rawValue: primary), quality > 0 else { continue }
            if let current = best, quality <= current.1 { continue }
            best = (language, quality)
        }
        return best?.0 ?? .ru
    }
}

/// Translated texts keyed by message key (usually an ``ErrorCode``), with `{name}` placeholders.
///
/// Every module ships its texts as `Resources/messages.json` (`{"ru": {key: text}, "en": {key: text}}`) and
/// exposes them through its ``CabinetModule``; the composition root merges them into one catalogue.
public struct MessageCatalog: Sendable {
    private var texts: [Language: [String: String]]

    public init(_ texts: [Language: [String: String]] = [:]) {
        self.texts = texts
    }

    /// Loads `messages.json` from a module's resource bundle.
    public static func load(from bundle: Bundle, resource: String = "messages") throws -> MessageCatalog {
        guard let url = bundle.url(forResource: resource, withExtension: "json") else {
            throw CabinetError.internal("\(resource).json missing from bundle \(bundle.bundlePath)")
        }
        return try load(contentsOf: url)
    }

    /// Loads a catalogue file.
    public static func load(contentsOf url: URL) throws -> MessageCatalog {
        let raw = try JSONDecoder().decode([String: [String: String]].self, from: Data(contentsOf: url))
        var texts: [Language: [String: String]] = [:]
        for (tag, entries) in raw {
            guard let language = Language(rawValue: tag) else {
                throw CabinetError.internal("\(url.lastPathComponent): unknown language \(tag)")
            }
            texts[language] = entries
        }
        return MessageCatalog(texts)
    }

    /// This catalogue with `other`'s entries added; on a clash `other` wins.
    public func merging(_ other: MessageCatalog) -> MessageCatalog {
        var merged = texts
        for (language, entries) in other.texts {
            merged[language, default: [:]].merge(entries) { _, new in new }
        }
        return MessageCatalog(merged)
    }

    /// Keys present in one language and missing in another (a test keeps this empty).
    public var untranslatedKeys: [Language: Set<String>] {
        let all = texts.values.reduce(into: Set<String>()) { $0.formUnion($1.keys) }
        var result: [Language: Set<String>] = [:]
        for language in Language.allCases {
            let missing = all.subtracting(texts[language]?.keys ?? [:].keys)
            if !missing.isEmpty { result[language] = missing }
        }
        return result
    }

    /// Every key in any language.
    public var keys: Set<String> {
        texts.values.reduce(into: Set<String>()) { $0.formUnion($1.keys) }
    }

    public func contains(_ key: String, in language: Language) -> Bool {
        texts[language]?[key] != nil
    }

    /// The text for `key` in `language` with `{name}` placeholders filled; the key itself when untranslated.
    public func text(_ key: String, in language: Language, arguments: [String: String] = [:]) -> String {
        guard var text = texts[language]?[key] ?? texts[.ru]?[key] else { return key }
        for (name, value) in arguments {
            text = text.replacingOccurrences(of: "{\(name)}", with: value)
        }
        return text
    }

    /// The person-readable message of an error.
    public func message(for error: CabinetError, in language: Language) -> String {
        text(error.code.rawValue, in: language, arguments: error.arguments)
    }

    /// The person-readable message of a field problem.
    public func message(for error: FieldError, in language: Language) -> String {
        text(error.code.rawValue, in: language, arguments: error.arguments)
    }
}
