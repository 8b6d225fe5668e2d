import Foundation

/// Turns what a person types into the stems the FAQ index is searched with: words of letters and digits, lowercase,
/// ё as е, Russian words by the Snowball stemmer, English words without their commonest endings. Each stem is then
/// matched as a word prefix, so «пополнить» (stem «пополн») finds «пополнение» and "payments" finds "payment".
public enum FAQQuery {
    /// At most this many words are searched (a pasted paragraph does not become a huge query).
    static let maxWords = 8

    public static func stems(_ query: String) -> [String] {
        var words: [String] = []
        var current = ""
        for character in query.lowercased().replacingOccurrences(of: "ё", with: "е") {
            if character.isLetter || character.isNumber {
                current.append(character)
            } else if !current.isEmpty {
                words.append(current)
                current = ""
            }
        }
        if !current.isEmpty { words.append(current) }
        var seen = Set<String>()
        return words.compactMap { word -> String? in
            guard word.count >= 2, word.count <= 40 else { return nil }
            let stem = isCyrillic(word) ? RussianStemmer.stem(word) : englishStem(word)
            guard stem.count >= 2, seen.insert(stem).inserted else { return nil }
            return stem
        }.prefix(maxWords).map { $0 }
    }

    static func isCyrillic(_ word: String) -> Bool {
        word.unicodeScalars.contains { (0x0400...0x04FF).contains($0.value) }
    }

    /// Enough of English endings for prefix matching: "topping" → "top", "charges" → "charg", "trips" → "trip".
    static func englishStem(_ word: String) -> String {
        guard word.count > 4, word.allSatisfy(\.isASCII) else { return word }
        for ending in ["ing", "ies", "es", "ed", "s", "e"]
        where word.hasSuffix(ending) && word.count - ending.count >= 3 {
            var stem = Array(word.dropLast(ending.count))
            // "topp" → "top": a consonant doubled before -ing/-ed.
            if ending == "ing" || ending == "ed", let last = stem.last, stem.count >= 3, stem[stem.count - 2] == last,
                !"aeiouls".contains(last)
            {
                stem.removeLast()
            }
            return String(stem)
        }
        return word
    }
}
