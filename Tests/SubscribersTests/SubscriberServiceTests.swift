import CabinetCore
import CabinetTesting
import Foundation
import Subscribers
import SubscribersTesting
import Testing

@Suite struct SubscriberServiceTests {
    let clock = ManualClock(iso8601: "2026-11-22T09:00:00Z")

    func service(_ repository: InMemorySubscriberStore = .init()) -> DefaultSubscriberService {
        DefaultSubscriberService(store: repository, regions: .fixture, clock: clock, logger: .test)
    }

    func number(_ text: String) -> MSISDN { MSISDN(e164: text)! }

    @Test func provisionsALineWithTodayAsItsActivationDate() async throws {
        let line = try await service().provision(
            NewLine(msisdn: number("+79001234567"), region: RegionID(rawValue: "msk")!))
        #expect(line.status == .active)
        #expect(line.activatedOn.description == "2026-11-22")
        #expect(line.createdAt == clock.now)
    }

    /// A status moves only from the statuses the caller names: a line blocked in between is not suspended, nor
    /// brought back to active by the end of something decided on an older status.
    @Test func aStatusMovesOnlyFromTheStatusesNamed() async throws {
        let service = service()
        let line = try await service.provision(
            NewLine(msisdn: number("+79001234567"), region: RegionID(rawValue: "msk")!))
        #expect(try await service.changeStatus(of: line.msisdn, to: .suspended, from: [.active])?.status == .suspended)
        _ = try await service.update(msisdn: line.msisdn, with: LinePatch(status: .blocked))
        #expect(try await service.changeStatus(of: line.msisdn, to: .active, from: [.suspended]) == nil)
        #expect(try await service.line(msisdn: line.msisdn)?.status == .blocked)
        #expect(try await service.changeStatus(of: line.msisdn, to: .active, from: [.blocked])?.status == .active)
    }

    @Test func refusesANumberThatExists() async throws {
        let service = service()
        let new = NewLine(msisdn: number("+79001234567"), region: RegionID(rawValue: "msk")!)
        _ = try await service.provision(new)
        await #expect(throws: CabinetError(SubscribersError.alreadyExists, arguments: ["msisdn": "+7 900 123-45-67"])) {
            try await service.provision(new)
        }
    }

    @Test func collectsEveryFieldProblem() async throws {
        let new = NewLine(
            msisdn: number("+79021234567"), region: RegionID(rawValue: "msk")!,
            activatedOn: LocalDate("2026-12-01"),
            owner: OwnerProfile(fullName: String(repeating: "я", count: 201), email: "not-an-address"))
        do {
            _ = try await service().provision(new)
            Issue.record("accepted")
        } catch let error as CabinetError {
            #expect(error.code == "request.invalid")
            #expect(
                error.fieldErrors.map(\.code) == [
                    SubscribersError.outsideRegion, SubscribersError.futureDate, SubscribersError.tooLong,
                    SubscribersError.invalidEmail,
                ])
        }
    }

    @Test func refusesUnknownAndSwitchedOffRegions() async throws {
        await #expect(throws: CabinetError.self) {
            try await service().provision(NewLine(msisdn: number("+79001234567"), region: RegionID(rawValue: "tver")!))
        }
        do {
            _ = try await service().provision(
                NewLine(msisdn: number("+79021234567"), region: RegionID(rawValue: "off")!))
            Issue.record("accepted")
        } catch let error as CabinetError {
            #expect(error.fieldErrors.map(\.code) == [SubscribersError.regionDisabled])
        }
    }

    @Test func kazakhNumbersBelongToAlmaty() async throws {
        let line = try await service().provision(
            NewLine(msisdn: number("+77011234567"), region: RegionID(rawValue: "almaty")!))
        #expect(line.msisdn.plan == .kazakhstan)
        #expect(line.activatedOn.description == "2026-11-22")
    }

    @Test func patchesKeepSetOrClearFields() async throws {
        let service = service()
        let line = try await service.provision(
            NewLine(
                msisdn: number("+79001234567"), region: RegionID(rawValue: "msk")!,
                owner: OwnerProfile(fullName: "Иванов", email: "ivan@example.com")))
        clock.advance(by: .seconds(60))
        var patch = LinePatch(status: .blocked)
        patch.email = .clear
        patch.postalAddress = .set("Москва, ул. Тверская, 1")
        let updated = try await service.update(msisdn: line.msisdn, with: patch)
        #expect(updated.status == .blocked)
        #expect(updated.owner.fullName == "Иванов")
        #expect(updated.owner.email == nil)
        #expect(updated.owner.postalAddress == "Москва, ул. Тверская, 1")
        #expect(updated.updatedAt == clock.now)
        #expect(updated.owner.completenessPercent == 50)
    }

    @Test func aTerminatedLineStaysTerminated() async throws {
        let service = service()
        let line = try await service.provision(
            NewLine(
                msisdn: number("+79001234567"), region: RegionID(rawValue: "msk")!,
                status: .terminated))
        await #expect(throws: CabinetError.self) {
            try await service.update(msisdn: line.msisdn, with: LinePatch(status: .active))
        }
        await #expect(throws: CabinetError.self) { try await service.update(msisdn: line.msisdn, with: LinePatch()) }
        await #expect(throws: CabinetError.self) {
            try await service.update(msisdn: number("+79009999999"), with: LinePatch(status: .active))
        }
    }

    @Test func upsertReportsWhatItDid() async throws {
        let service = service()
        let new = NewLine(
            msisdn: number("+79001234567"), region: RegionID(rawValue: "msk")!, activatedOn: LocalDate("2025-01-10"))
        guard case .created = try await service.upsert(new) else {
            Issue.record("not created")
            return
        }
        guard case .unchanged = try await service.upsert(new) else {
            Issue.record("changed")
            return
        }
        var moved = new
        moved.owner.fullName = "Петров"
        guard case .updated(let line) = try await service.upsert(moved) else {
            Issue.record("not updated")
            return
        }
        #expect(line.owner.fullName == "Петров")
    }
}
