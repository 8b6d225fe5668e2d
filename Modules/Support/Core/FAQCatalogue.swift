public import CabinetCore
public import Foundation

/// The FAQ articles beside the region files: `Regions/faq/_all.yaml` for every region and `Regions/faq/<region>.yaml`
/// for one, each a list of articles with an id and a title and body in Russian and English. Read at start and
/// checked like region files (every problem with file, line and key); the server refuses to start on any.
///
/// ```yaml
/// articles:
///   - id: topup-card
///     title: {ru: "Как пополнить баланс картой", en: "How to top up by card"}
///     body: {ru: "…", en: "…"}
/// ```
public enum FAQCatalogue {
    /// The folder inside the regions folder.
    public static let folderName = "faq"

    public static func load(from regionsDirectory: URL, regions: RegionCatalog) -> (
        articles: [FAQArticle], problems: [ConfigProblem]
    ) {
        let folder = regionsDirectory.appendingPathComponent(folderName, isDirectory: true)
        guard
            let names = try? FileManager.default.contentsOfDirectory(atPath: folder.path).filter({
                $0.hasSuffix(".yaml")
            }).sorted()
        else { return ([], []) }
        var articles: [FAQArticle] = []
        var problems: [ConfigProblem] = []
        var seen: [String: String] = [:]
        for name in names {
            let file = "\(folderName)/\(name)"
            let stem = String(name.dropLast(".yaml".count))
            let region: RegionID?
            if stem == "_all" {
                region = nil
            } else if let id = RegionID(rawValue: stem), regions.region(id) != nil {
                region = id
            } else {
                problems.append(
                    ConfigProblem(
                        location: ConfigLocation(file: file, line: nil, column: nil), path: "",
                        message: "no region \"\(stem)\": name the file after a region file, or _all.yaml"))
                continue
            }
            guard let text = try? String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8) else {
                problems.append(
                    ConfigProblem(
                        location: ConfigLocation(file: file, line: nil, column: nil), path: "",
                        message: "cannot be read as UTF-8 text"))
                continue
            }
            let (node, parseProblems) = ConfigNode.parse(yaml: text, file: file)
            problems += parseProblems
            guard let node else { continue }
            let reader = ConfigReader(currency: nil, primaryFile: file)
            let read = reader.root(node).object { root in
                root.requireList("articles") { value -> [FAQArticle]? in
                    value.object { a -> [FAQArticle]? in
                        let id = a.require("id", String.self)
                        let title = a.require("title", LocalizedText.self)
                        let body = a.require("body", LocalizedText.self)
                        guard let id, let title, let body else { return nil }
                        guard isValidID(id) else {
                            a.child("id")?.problem("an article id is 1–64 lowercase Latin letters, digits and dashes")
                            return nil
                        }
                        if let other = seen[id] {
                            a.child("id")?.problem("the article id \"\(id)\" is used in \(other) already")
                            return nil
                        }
                        seen[id] = file
                        for (language, text) in [("ru", title.ru), ("en", title.en), ("ru", body.ru), ("en", body.en)]
                        where text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
                            a.problem("the \(language) title and body must not be empty")
                        }
                        return Language.allCases.map { language in
                            FAQArticle(
                                id: id, region: region, language: language, title: title.text(in: language),
                                body: body.text(in: language))
                        }
                    }
                }
            }
            problems += reader.problems
            articles += (read ?? []).flatMap { $0 }
        }
        return (articles, problems)
    }

    static func isValidID(_ id: String) -> Bool {
        (1...64).contains(id.count)
            && id.allSatisfy { $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "-") }
    }
}
