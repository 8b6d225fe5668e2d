import Foundation

/// The Snowball Russian stemmer (<https://snowballstem.org/algorithms/russian/stemmer.html>), used by the FAQ
/// search so that «пополнить», «пополнение» and «пополнения» meet at the stem «пополн».
///
/// It is a faithful port of `russian.sbl`: endings are only ever removed inside RV (the part of the word after its
/// first vowel), the derivational `-ост(ь)` only inside R2, and for each group of endings the *longest* one that
/// matches is the one tried — if its condition then fails (a `-вши` not preceded by `а`/`я`), no shorter ending of
/// the same group is tried instead, exactly as Snowball's `among` behaves.
public enum RussianStemmer {
    /// The stem of one word, lowercased, with `ё` read as `е`.
    ///
    /// A word with no Cyrillic letter in it (a tariff's Latin name, a number) comes back lowercased and otherwise
    /// unchanged; in a mixed word only the Cyrillic ending can be removed, since every ending is Cyrillic.
    public static func stem(_ word: String) -> String {
        // NFC first: a decomposed «ё» or «й» (е/и plus a combining mark) would otherwise hide the letter.
        let lowered = word.precomposedStringWithCanonicalMapping.lowercased()
        guard lowered.unicodeScalars.contains(where: isCyrillic) else { return lowered }
        var stemmer = Stemmer(lowered.unicodeScalars.map { $0 == "ё" ? "е" : $0 })
        stemmer.run()
        var result = String.UnicodeScalarView()
        result.append(contentsOf: stemmer.word)
        return String(result)
    }

    private static func isCyrillic(_ scalar: Unicode.Scalar) -> Bool {
        (0x0400...0x04FF).contains(scalar.value)
    }
}

/// One word being stemmed. Every step removes an ending at the end of the word, so the regions marked at the start
/// stay valid throughout.
private struct Stemmer {
    typealias Endings = [[Unicode.Scalar]]

    private(set) var word: [Unicode.Scalar]
    /// Start of RV: just after the first vowel. No ending may reach before it.
    private let rv: Int
    /// Start of R2 (the standard Snowball R2), for the derivational ending only.
    private let r2: Int

    init(_ word: [Unicode.Scalar]) {
        self.word = word
        let vowels: Set<Unicode.Scalar> = ["а", "е", "и", "о", "у", "ы", "э", "ю", "я"]
        func pastVowel(from start: Int) -> Int? {
            word[start...].firstIndex(where: vowels.contains).map { $0 + 1 }
        }
        func pastNonVowel(from start: Int) -> Int? {
            word[start...].firstIndex { !vowels.contains($0) }.map { $0 + 1 }
        }
        // RV: after the first vowel. R1: after the first non-vowel that follows a vowel; R2: the same within R1.
        // A region that does not exist is empty (starts at the end of the word).
        let end = word.count
        let rv = pastVowel(from: 0) ?? end
        let r1 = rv < end ? pastNonVowel(from: rv) ?? end : end
        let r2Vowel = r1 < end ? pastVowel(from: r1) ?? end : end
        let r2 = r2Vowel < end ? pastNonVowel(from: r2Vowel) ?? end : end
        self.rv = rv
        self.r2 = r2
    }

    mutating func run() {
        // Step 1: a perfective gerund, or else an optional reflexive and then an adjectival, verb or noun ending.
        if !removePerfectiveGerund() {
            removeReflexive()
            _ = removeAdjectival() || removeVerb() || removeNoun()
        }
        // Step 2: a final -и (left over when a noun's -ию was read as the verb ending -ю).
        if hasSuffix(["и"]) { word.removeLast() }
        // Step 3: the derivational -ост(ь), in R2 only.
        if let ending = longestEnding(Self.derivational), word.count - ending.count >= r2 {
            word.removeLast(ending.count)
        }
        // Step 4: the superlative -ейш(е) then нн → н, or else нн → н, or else a final ь.
        tidyUp()
    }

    // MARK: Endings (russian.sbl)

    /// Group 1 endings are removed only after а or я (which stay); group 2 endings are removed outright.
    private static let perfectiveGerund1 = endings("в", "вши", "вшись")
    private static let perfectiveGerund2 = endings("ив", "ивши", "ившись", "ыв", "ывши", "ывшись")

    private static let adjective = endings(
        "ее", "ие", "ые", "ое", "ими", "ыми", "ей", "ий", "ый", "ой", "ем", "им", "ым", "ом", "его", "ого", "ему",
        "ому", "их", "ых", "ую", "юю", "ая", "яя", "ою", "ею")

    private static let participle1 = endings("ем", "нн", "вш", "ющ", "щ")
    private static let participle2 = endings("ивш", "ывш", "ующ")

    private static let reflexive = endings("ся", "сь")

    private static let verb1 = endings(
        "ла", "на", "ете", "йте", "ли", "й", "л", "ем", "н", "ло", "но", "ет", "ют", "ны", "ть", "ешь", "нно")
    private static let verb2 = endings(
        "ила", "ыла", "ена", "ейте", "уйте", "ите", "или", "ыли", "ей", "уй", "ил", "ыл", "им", "ым", "ен", "ило",
        "ыло", "ено", "ят", "ует", "уют", "ит", "ыт", "ены", "ить", "ыть", "ишь", "ую", "ю")

    private static let noun = endings(
        "а", "ев", "ов", "ие", "ье", "е", "иями", "ями", "ами", "еи", "ии", "и", "ией", "ей", "ой", "ий", "й", "иям",
        "ям", "ием", "ем", "ам", "ом", "о", "у", "ах", "иях", "ях", "ы", "ь", "ию", "ью", "ю", "ия", "ья", "я")

    private static let derivational = endings("ост", "ость")

    private static let superlative = endings("ейш", "ейше")

    private static func endings(_ list: String...) -> Endings {
        list.map { Array($0.unicodeScalars) }
    }

    // MARK: Steps

    private mutating func removePerfectiveGerund() -> Bool {
        removeLongest(conditional: Self.perfectiveGerund1, unconditional: Self.perfectiveGerund2)
    }

    private mutating func removeReflexive() {
        if let ending = longestEnding(Self.reflexive) { word.removeLast(ending.count) }
    }

    /// An adjective ending, then (optionally) a participle suffix before it.
    private mutating func removeAdjectival() -> Bool {
        guard let ending = longestEnding(Self.adjective) else { return false }
        word.removeLast(ending.count)
        _ = removeLongest(conditional: Self.participle1, unconditional: Self.participle2)
        return true
    }

    private mutating func removeVerb() -> Bool {
        removeLongest(conditional: Self.verb1, unconditional: Self.verb2)
    }

    private mutating func removeNoun() -> Bool {
        guard let ending = longestEnding(Self.noun) else { return false }
        word.removeLast(ending.count)
        return true
    }

    private mutating func tidyUp() {
        let all = Self.superlative + [["н"], ["ь"]]
        guard let ending = longestEnding(all) else { return }
        switch ending {
        case ["ь"]:
            word.removeLast()
        case ["н"]:
            if hasSuffix(["н", "н"]) { word.removeLast() }
        default:
            word.removeLast(ending.count)
            if hasSuffix(["н", "н"]) { word.removeLast() }
        }
    }

    // MARK: Matching

    /// Removes the longest ending of either group; one of the conditional group only when it follows а or я in RV.
    /// Returns whether an ending was removed.
    private mutating func removeLongest(conditional: Endings, unconditional: Endings) -> Bool {
        guard let ending = longestEnding(conditional + unconditional) else { return false }
        if conditional.contains(ending) {
            let before = word.count - ending.count - 1
            guard before >= rv, word[before] == "а" || word[before] == "я" else { return false }
        }
        word.removeLast(ending.count)
        return true
    }

    /// The longest of `endings` that the word ends with inside RV.
    private func longestEnding(_ endings: Endings) -> [Unicode.Scalar]? {
        endings.filter(hasSuffix).max { $0.count < $1.count }
    }

    private func hasSuffix(_ ending: [Unicode.Scalar]) -> Bool {
        word.count - ending.count >= rv && word.suffix(ending.count).elementsEqual(ending)
    }
}
