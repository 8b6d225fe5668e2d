import CabinetCore
import Foundation
import Testing

@Suite struct LocalDateTests {
    @Test func parsesOnlyRealDates() {
        #expect(LocalDate("2026-11-22")?.description == "2026-11-22")
        #expect(LocalDate("2024-02-29") != nil)
        #expect(LocalDate("2026-02-29") == nil)
        #expect(LocalDate("2026-13-01") == nil)
        #expect(LocalDate("22.11.2026") == nil)
        #expect(LocalDate("2026-1-5") == nil)
    }

    @Test func theSameInstantIsADifferentDateInAnotherZone() throws {
        let instant = try #require(ISO8601DateFormatter().date(from: "2026-11-21T20:30:00Z"))
        let moscow = try #require(TimeZone(identifier: "Europe/Moscow"))
        let novosibirsk = try #require(TimeZone(identifier: "Asia/Novosibirsk"))
        #expect(LocalDate(instant, in: moscow).description == "2026-11-21")
        #expect(LocalDate(instant, in: novosibirsk).description == "2026-11-22")
    }

    @Test func arithmeticCrossesMonthsAndYears() throws {
        let date = try #require(LocalDate("2026-12-30"))
        #expect(date.adding(days: 3).description == "2027-01-02")
        #expect(date.adding(days: -365).description == "2025-12-30")
        #expect(date.days(until: try #require(LocalDate("2027-03-01"))) == 61)
    }
}
