import CabinetCore
import CabinetHTTP
import CabinetHTTPTesting
import CabinetTesting
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Tariffs
import TariffsHTTP
import TariffsTesting
import Testing

/// Tariff change as Billing would answer it, reduced to what the HTTP layer must show: a refusal for `old`, a
/// pending request for next-period changes.
struct FakeChanges: TariffChangeService {
    let regions: RegionCatalog
    let now: Date

    func preview(line: LineAccess, to tariff: TariffID, timing: TariffChangeTiming) async throws -> TariffChangePreview
    {
        guard let target = regions.tariff(tariff, in: line.region) else {
            throw CabinetError(TariffsError.unknown, arguments: ["tariff": tariff.rawValue])
        }
        let zero = Money.zero(.rub)
        return TariffChangePreview(
            current: regions.tariff(TariffID(rawValue: "monthly")!, in: line.region), target: target, timing: timing,
            effectiveAt: now,
            changeFee: zero, feeNow: Money(minorUnits: 1250, currency: .rub),
            chargeToday: Money(minorUnits: 1250, currency: .rub),
            packageOutcome: timing == .immediately
                ? .replacedNow(lost: [.init(unit: .seconds, left: 600, total: 6000)]) : .keptUntil(now),
            firstRegularFeeOn: LocalDate("2026-12-01")!, balance: Money(minorUnits: 10_000, currency: .rub),
            balanceAfter: Money(minorUnits: 8750, currency: .rub),
            refusal: target.status == .archived
                ? CabinetError(TariffsError.archived, arguments: ["tariff": target.name.ru]) : nil)
    }

    func change(line: LineAccess, to tariff: TariffID, timing: TariffChangeTiming) async throws -> (
        ServiceRequest, TariffChangePreview
    ) {
        let preview = try await preview(line: line, to: tariff, timing: timing)
        if let refusal = preview.refusal { throw refusal }
        return (
            ServiceRequest(
                id: 42, subscriberID: line.subscriberID, kind: "tariff.change",
                status: timing == .immediately ? .done : .pending,
                createdAt: now, updatedAt: now, detail: "monthly→\(tariff)"), preview
        )
    }
}

@Suite struct TariffsAPITests {
    let now = Date(timeIntervalSince1970: 1_795_000_000)

    func app() async throws -> some ApplicationProtocol {
        let regions = RegionCatalog(regions: [
            .fixture(modules: ["tariffs"], settings: ["tariffs": TariffsFixture.settings()!])
        ])
        let repository = InMemoryLineTariffStore()
        try await repository.assignInitial(
            TariffID(rawValue: "monthly")!, to: SubscriberID(1), region: RegionID(rawValue: "msk")!,
            at: now.addingTimeInterval(-86_400))
        let module = TariffsHTTPModule(
            service: DefaultTariffsService(
                regions: regions, lineTariffs: repository, changes: FakeChanges(regions: regions, now: now),
                clock: ManualClock(iso8601: "2026-11-18T09:00:00Z")),
            idempotency: IdempotentRequests(
                store: InMemoryIdempotencyStore(), clock: ManualClock(iso8601: "2026-11-18T09:00:00Z")))
        // Line 1 of Moscow, standing in for a logged-in subscriber.
        let session = TestSessionModule(now: { Date() }) { id in
            id == SubscriberID(1)
                ? .init(id: id, msisdn: MSISDN(e164: "+79001234567")!, region: RegionID(rawValue: "msk")!) : nil
        }
        return Application(
            router: try ModuleTestRouter.make(
                modules: [module, session], regions: regions,
                catalogues: [try TariffsModule.messages()]))
    }

    func json(_ response: TestResponse) throws -> [String: Any] {
        try #require(JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: Any])
    }

    let line: HTTPFields = [HTTPField.Name("X-Test-Line")!: "1", .contentType: "application/json"]

    @Test func theCatalogTheLinesTariffPreviewAndChange() async throws {
        try await app().test(.router) { client in
            try await client.execute(uri: "/api/v1/tariffs?region=msk", method: .get) { response throws in
                let items = try #require(try json(response)["items"] as? [[String: Any]])
                #expect(
                    items.map { $0["id"] as? String } == ["monthly", "premium", "daily", "payg"], "open tariffs only")
                #expect(items.first?["timings"] as? [String] == ["immediately", "nextPeriod"])
                #expect((items.first?["fee"] as? [String: Any])?["amount"] as? String == "600.00")
            }
            try await client.execute(uri: "/api/v1/tariffs?region=atlantis", method: .get) { response in
                #expect(response.status == .badRequest || response.status == .unprocessableContent)
            }
            try await client.execute(uri: "/api/v1/me/tariff", method: .get, headers: line) { response throws in
                let body = try json(response)
                #expect((body["current"] as? [String: Any])?["id"] as? String == "monthly")
                #expect((body["history"] as? [[String: Any]])?.count == 1)
            }
            try await client.execute(
                uri: "/api/v1/me/tariff/preview", method: .post, headers: line,
                body: ByteBuffer(string: #"{"tariff": "old", "timing": "immediately"}"#)
            ) { response throws in
                let body = try json(response)
                #expect(body["allowed"] as? Bool == false)
                #expect((body["refusal"] as? [String: Any])?["code"] as? String == "tariffs.archived")
            }
            try await client.execute(
                uri: "/api/v1/me/tariff/change", method: .post, headers: line,
                body: ByteBuffer(string: #"{"tariff": "premium", "timing": "nextPeriod"}"#)
            ) { response throws in
                #expect(response.status == .badRequest, "a change may charge: it needs an Idempotency-Key")
                #expect(try json(response)["code"] as? String == "request.idempotencyKeyRequired")
            }
            var keyed = line
            keyed[IdempotentRequests.header] = "change-1"
            for attempt in 1...2 {
                try await client.execute(
                    uri: "/api/v1/me/tariff/change", method: .post, headers: keyed,
                    body: ByteBuffer(string: #"{"tariff": "premium", "timing": "nextPeriod"}"#)
                ) { response throws in
                    #expect(response.status == .created)
                    #expect((try json(response)["request"] as? [String: Any])?["id"] as? String == "R-000042")
                    #expect((response.headers[IdempotentRequests.replayedHeader] == "true") == (attempt == 2))
                }
            }
            keyed[IdempotentRequests.header] = "change-2"
            try await client.execute(
                uri: "/api/v1/me/tariff/change", method: .post, headers: keyed,
                body: ByteBuffer(string: #"{"tariff": "old", "timing": "immediately"}"#)
            ) { response throws in
                #expect(response.status == .unprocessableContent)
                #expect(try json(response)["code"] as? String == "tariffs.archived")
            }
            keyed[IdempotentRequests.header] = "change-3"
            try await client.execute(
                uri: "/api/v1/me/tariff/change", method: .post, headers: keyed,
                body: ByteBuffer(string: #"{"tariff": "Not A Tariff", "timing": "sometime"}"#)
            ) { response throws in
                let errors = try #require(try json(response)["errors"] as? [[String: Any]])
                #expect(Set(errors.compactMap { $0["field"] as? String }) == ["tariff", "timing"])
            }
            try await client.execute(uri: "/api/v1/me/tariff", method: .get) { response in
                #expect(response.status == .unauthorized)
            }
            var page = line
            page[.accept] = "text/html"
            try await client.execute(uri: "/tariffs", method: .get, headers: page) { response in
                let html = String(buffer: response.body)
                #expect(html.contains("id=\"current-tariff\">Месячный"))
                #expect(!html.contains("Архивный"))
            }
            try await client.execute(uri: "/tariffs/daily", method: .get, headers: page) { response in
                #expect(String(buffer: response.body).contains("action=\"/tariffs/daily/preview\""))
            }
            var form = page
            form[.contentType] = "application/x-www-form-urlencoded"
            try await client.execute(
                uri: "/tariffs/daily/preview", method: .post, headers: form,
                body: ByteBuffer(string: "csrf=csrf-token&timing=immediately")
            ) { response in
                let html = String(buffer: response.body)
                #expect(html.contains("id=\"charge-today\"><strong>12,50"))
                #expect(html.contains("сгорит 10 мин"))
            }
            try await client.execute(
                uri: "/tariffs/daily/change", method: .post, headers: form,
                body: ByteBuffer(string: "csrf=wrong&timing=immediately")
            ) { response in
                #expect(response.status == .forbidden)
            }
            try await client.execute(
                uri: "/tariffs/daily/change", method: .post, headers: form,
                body: ByteBuffer(string: "csrf=csrf-token&timing=immediately")
            ) { response in
                #expect(response.status == .seeOther)
                #expect(response.headers[.location] == "/tariffs?done=changed&request=R-000042")
            }
        }
    }
}
