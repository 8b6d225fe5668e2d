public import CabinetCore
import CabinetStorage
import Foundation
import SQLKit
public import Support

/// The FAQ's full-text search: SQLite FTS5 (bm25, `highlight`, `snippet`) or PostgreSQL's text search with the
/// article's language's configuration (`ts_rank`, `ts_headline`). Every stem is matched as a word prefix on both.
extension SQLSupportStore {
    public func replaceFAQ(_ articles: [FAQArticle]) async throws {
        let backend = database.backend
        try await database.write { db in
            if backend == .postgres {
                // Nodes starting together each replace the articles: one after the other, or the second's inserts
                // meet the first's rows its delete could not see. Held until the transaction ends.
                try await db.raw("LOCK TABLE support_faq IN EXCLUSIVE MODE").run()
            }
            try await db.raw("DELETE FROM support_faq").run()
            for article in articles {
                let region = article.region?.rawValue ?? ""
                switch backend {
                case .sqlite:
                    try await db.raw(
                        """
                        INSERT INTO support_faq (article_id, region, language, title, body)
                        VALUES (\(bind: article.id), \(bind: region), \(bind: article.language.rawValue),
                            \(bind: article.title), \(bind: article.body))
                        """
                    ).run()
                case .postgres:
                    let configuration = Self.configuration(article.language)
                    try await db.raw(
                        """
                        INSERT INTO support_faq (article_id, region, language, title, body, document)
                        VALUES (\(bind: article.id), \(bind: region), \(bind: article.language.rawValue),
                            \(bind: article.title), \(bind: article.body),
                            setweight(to_tsvector(\(bind: configuration)::regconfig, \(bind: article.title)), 'A')
                            || setweight(to_tsvector(\(bind: configuration)::regconfig, \(bind: article.body)), 'B'))
                        """
                    ).run()
                }
            }
        }
    }

    static func configuration(_ language: Language) -> String {
        switch language {
        case .ru: "russian"
        case .en: "english"
        }
    }

    public func searchFAQ(region: RegionID, language: Language, stems: [String], limit: Int) async throws -> [FAQHit] {
        // Stems are letters and digits only (FAQQuery), so quoting them is enough to keep them plain words.
        let stems = stems.filter { !$0.isEmpty && $0.allSatisfy { $0.isLetter || $0.isNumber } }
        guard !stems.isEmpty else { return [] }
        let backend = database.backend
        let rows = try await database.read { db in
            switch backend {
            case .sqlite:
                let match = stems.map { "\"\($0)\"*" }.joined(separator: " AND ")
                return try await db.raw(
                    """
                    SELECT article_id, title, highlight(support_faq, 3, '[[', ']]') AS title_marked,
                        snippet(support_faq, 4, '[[', ']]', '…', 24) AS snippet,
                        bm25(support_faq, 0.0, 0.0, 0.0, 5.0, 1.0) AS score
                    FROM support_faq
                    WHERE support_faq MATCH \(bind: match) AND language = \(bind: language.rawValue)
                      AND (region = \(bind: region.rawValue) OR region = '')
                    ORDER BY score LIMIT \(literal: limit)
                    """
                ).all()
            case .postgres:
                let query = stems.map { "\($0):*" }.joined(separator: " & ")
                let configuration = Self.configuration(language)
                return try await db.raw(
                    """
                    SELECT article_id, title,
                        ts_headline(\(bind: configuration)::regconfig, title, q,
                            'StartSel=[[, StopSel=]], HighlightAll=true') AS title_marked,
                        ts_headline(\(bind: configuration)::regconfig, body, q,
                            'StartSel=[[, StopSel=]], MaxWords=30, MinWords=12, FragmentDelimiter=…') AS snippet,
                        -CAST(ts_rank(document, q) AS DOUBLE PRECISION) AS score
                    FROM support_faq, to_tsquery(\(bind: configuration)::regconfig, \(bind: query)) AS q
                    WHERE document @@ q AND language = \(bind: language.rawValue)
                      AND (region = \(bind: region.rawValue) OR region = '')
                    ORDER BY score, article_id LIMIT \(literal: limit)
                    """
                ).all()
            }
        }
        return try rows.map { row in
            FAQHit(
                id: try row.decode(column: "article_id", as: String.self),
                title: try row.decode(column: "title", as: String.self),
                titleHighlighted: try row.decode(column: "title_marked", as: String.self),
                snippet: try row.decode(column: "snippet", as: String.self),
                rank: -(try row.decode(column: "score", as: Double.self)))
        }
    }

    public func faqArticle(id: String, region: RegionID, language: Language) async throws -> FAQArticle? {
        try await database.read { db in
            try await db.raw(
                """
                SELECT article_id, region, title, body FROM support_faq
                WHERE article_id = \(bind: id) AND language = \(bind: language.rawValue)
                  AND (region = \(bind: region.rawValue) OR region = '')
                ORDER BY region DESC LIMIT 1
                """
            ).first()
        }.map { row in
            FAQArticle(
                id: try row.decode(column: "article_id", as: String.self),
                region: RegionID(rawValue: try row.decode(column: "region", as: String.self)), language: language,
                title: try row.decode(column: "title", as: String.self),
                body: try row.decode(column: "body", as: String.self))
        }
    }
}
