import CabinetCore
import CabinetTesting
import Subscribers
import SubscribersTesting
import Synchronization
import Testing

@Suite struct SubscriberImportTests {
    func importer(_ repository: InMemorySubscriberStore) -> SubscriberImport {
        SubscriberImport(
            service: DefaultSubscriberService(
                store: repository, regions: .fixture,
                clock: ManualClock(iso8601: "2026-11-22T09:00:00Z"), logger: .test))
    }

    static let csv = """
        msisdn;region;status;activated_on;full_name;email
        +7 900 000-00-01;msk;active;2024-03-01;Иванов Иван;ivan@example.com
        8 (900) 000-00-02;msk;;;"Петрова; Мария";
        +7 900 000-00-03;msk;sleeping;2024-03-01;;
        +7 495 000-00-04;msk;;;;
        +7 701 000-00-05;almaty;blocked;2025-13-01;;
        "+7 900 000-00-06;msk;;;;
        +7 902 000-00-07;msk;;;;
        +7 701 000-00-08;almaty;suspended;2025-06-01;Ахметов;
        +7 900 000-00-09;msk
        """

    @Test func badRowsAreReportedWithLineNumbersAndTheRestIsImported() async throws {
        let repository = InMemorySubscriberStore()
        let progress = Mutex<[SubscriberImport.Progress]>([])
        let report = await importer(repository).run(csv: Self.csv, progressEvery: 3) { p in
            progress.withLock { $0.append(p) }
        }
        #expect(report.created == 3)
        #expect(report.failures.map(\.line) == [4, 5, 6, 7, 8, 10])
        #expect(report.failures[0].error.fieldErrors.map(\.code) == [SubscribersError.invalidStatus])
        #expect(report.failures[1].error.fieldErrors.map(\.code) == ["msisdn.notMobile"])
        #expect(report.failures[2].error.fieldErrors.map(\.code) == [SubscribersError.invalidDate])
        #expect(report.failures[3].error.code == SubscribersError.csvUnterminatedQuote)
        #expect(report.failures[4].error.fieldErrors.map(\.code) == [SubscribersError.outsideRegion])
        #expect(report.failures[5].error.code == SubscribersError.csvFieldCount)
        #expect(report.failures[5].error.arguments == ["fields": "2", "columns": "6"])
        #expect(try await repository.count() == 3)
        let petrova = try await repository.line(msisdn: MSISDN(e164: "+79000000002")!)
        #expect(petrova?.owner.fullName == "Петрова; Мария")
        #expect(progress.withLock { $0 }.last == SubscriberImport.Progress(processed: 9, total: 9))
        #expect(progress.withLock { $0 }.count == 4)
    }

    @Test func asecondRunChangesNothing() async throws {
        let repository = InMemorySubscriberStore()
        _ = await importer(repository).run(csv: Self.csv)
        let second = await importer(repository).run(csv: Self.csv)
        #expect(second.created == 0)
        #expect(second.updated == 0)
        #expect(second.unchanged == 3)
        #expect(try await repository.count() == 3)
    }

    @Test func aWrongHeaderStopsTheImportWithAClearReason() async throws {
        let report = await importer(InMemorySubscriberStore()).run(csv: "phone,region,colour\n+79000000001,msk,red\n")
        #expect(report.failures.count == 1)
        #expect(report.failures[0].line == 1)
        #expect(report.failures[0].error.code == SubscribersError.csvHeader)
        #expect(
            report.failures[0].error.arguments["reason"] == "missing column(s) msisdn; unknown column(s) phone, colour")
    }

    @Test func anEmptyFileImportsNothing() async {
        let report = await importer(InMemorySubscriberStore()).run(csv: "")
        #expect(report.total == 0)
    }

    @Test func textsExistInBothLanguages() throws {
        let catalog = try SubscribersModule.messages()
        #expect(catalog.untranslatedKeys.isEmpty)
        for code in SubscribersError.all {
            #expect(catalog.contains(code.rawValue, in: .ru), "\(code)")
            #expect(catalog.contains(code.rawValue, in: .en), "\(code)")
        }
    }
}
