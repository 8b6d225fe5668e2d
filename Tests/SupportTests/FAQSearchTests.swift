import CabinetCore
import CabinetTesting
import Foundation
import Subscribers
import Support
import SupportStorage
import SupportTesting
import Testing

/// The FAQ's full-text search on both backends: Russian word forms, English, region articles, highlighted matches.
@Suite struct FAQSearchTests {
    @Test(arguments: TestDatabase.available)
    func wordFormsFindTheArticle(_ backend: TestDatabase) async throws {
        try await SupportTestBed.with(backend) { bed in
            let msk = try #require(RegionID(rawValue: "msk"))
            let almaty = try #require(RegionID(rawValue: "almaty"))
            // «пополнить» finds the article that says «пополнить» and «пополнение».
            for query in ["пополнить", "пополнение баланса", "Пополнения", "КАРТОЙ"] {
                let hits = try await bed.service.searchFAQ(query, region: msk, language: .ru, limit: 5)
                #expect(hits.map(\.id) == ["topup"], "\(query)")
            }
            let hit = try #require(
                try await bed.service.searchFAQ("пополнить", region: msk, language: .ru, limit: 5).first)
            #expect(hit.titleHighlighted.contains("[[пополнить]]"))
            #expect(hit.snippet.contains("[[Пополнение]]") || hit.snippet.contains("[[пополнение]]"))
            #expect(
                try await bed.service.searchFAQ("роуминге", region: msk, language: .ru, limit: 5).map(\.id) == [
                    "roaming"
                ])
            #expect(
                try await bed.service.searchFAQ("topping up card", region: msk, language: .en, limit: 5).map(\.id) == [
                    "topup"
                ])
            #expect(
                try await bed.service.searchFAQ("trips", region: msk, language: .en, limit: 5).map(\.id) == ["roaming"])
            // Every word must match; nothing for nonsense, punctuation or an empty query.
            #expect(try await bed.service.searchFAQ("пополнить роуминг", region: msk, language: .ru, limit: 5).isEmpty)
            #expect(try await bed.service.searchFAQ("\"*) OR (", region: msk, language: .ru, limit: 5).isEmpty)
            #expect(try await bed.service.searchFAQ("", region: msk, language: .ru, limit: 5).isEmpty)
            // A region's own article is found only there.
            #expect(try await bed.service.searchFAQ("тенге", region: msk, language: .ru, limit: 5).isEmpty)
            #expect(
                try await bed.service.searchFAQ("тенге", region: almaty, language: .ru, limit: 5).map(\.id) == ["tenge"]
            )
            #expect(try await bed.service.searchFAQ("пополнение", region: almaty, language: .ru, limit: 5).count == 2)
        }
    }

    /// Nodes starting together each load the FAQ: one after the other, and the articles are there once.
    @Test(arguments: TestDatabase.available)
    func nodesReplacingTheFAQTogetherLeaveItWhole(_ backend: TestDatabase) async throws {
        try await SupportTestBed.with(backend) { bed in
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<4 { group.addTask { try await bed.store.replaceFAQ(SupportTestBed.faq) } }
                try await group.waitForAll()
            }
            let msk = try #require(RegionID(rawValue: "msk"))
            let hits = try await bed.service.searchFAQ("пополнить", region: msk, language: .ru, limit: 5)
            #expect(hits.map(\.id) == ["topup"])
        }
    }

    @Test func stemsAreLettersOnly() {
        #expect(FAQQuery.stems("Как пополнить баланс?") == ["как", "пополн", "баланс"])
        #expect(FAQQuery.stems("\"*) OR (x") == ["or"])
        #expect(FAQQuery.stems("ёлка").first?.hasPrefix("елк") == true)
    }
}
