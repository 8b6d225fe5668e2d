import Billing
import BillingTesting
import CabinetCore
import CabinetTesting
import Corporate
import CorporateStorage
import CorporateTesting
import Foundation
import Services
import ServicesTesting
import Subscribers
import Tariffs
import Testing

/// Bulk operations: the dry run's plan per line, the run with one request per line and its report, a server that
/// stops mid-run, the SMS pace, and the wrong callers.
@Suite struct BulkTests {
    func group(_ bed: CorporateTestBed, owner: AdminAccess, count: Int, from first: Int, name: String = "Отдел")
        async throws -> (LineGroup, [Line])
    {
        let group = try await bed.service.createGroup(owner, name: name)
        var lines: [Line] = []
        for index in 0..<count {
            let line = try await bed.line("+7900555\(String(format: "%04d", first + index))", company: owner.company.id)
            try await bed.service.move(owner, msisdn: line.msisdn, to: group.id)
            lines.append(line)
        }
        return (group, lines)
    }

    /// Spans of the line's tariff history that a change made (the provisioning's first span has no request).
    func changes(_ bed: CorporateTestBed, _ line: Line) async throws -> Int {
        try await bed.billing.lineTariffs.history(of: line.id).filter { $0.requestID != nil }.count
    }

    func daily() throws -> TariffID { try #require(TariffID(rawValue: "daily")) }

    @Test(arguments: TestDatabase.available)
    func aDryRunThenARunWithOneRequestPerLineAndItsReport(_ backend: TestDatabase) async throws {
        try await CorporateTestBed.with(backend) { bed in
            let (_, owner) = try await bed.company(owner: try await bed.line("+79005550000"))
            let (group, lines) = try await group(bed, owner: owner, count: 5, from: 1)
            _ = try await bed.billing.lines.changeStatus(of: lines[4].msisdn, to: .blocked, from: [.active])

            let bulk = try await bed.service.planBulk(
                owner, action: .changeTariff(try daily(), .immediately), selection: .group(group.id))
            #expect(bulk.status == .planned)
            #expect(bulk.total == 5)
            #expect(bulk.refusedInPlan == 1)
            let plan = try await bed.service.bulkItems(owner, id: bulk.id, after: nil, limit: 100)
            #expect(plan.map(\.planRefusal) == [nil, nil, nil, nil, "corporate.bulk.line.blocked"])
            // Nothing changed by the dry run.
            for line in lines { #expect(try await changes(bed, line) == 0) }

            _ = try await bed.service.startBulk(owner, id: bulk.id)
            let again = await #expect(throws: CabinetError.self) { try await bed.service.startBulk(owner, id: bulk.id) }
            #expect(again?.code == CorporateError.bulkStarted)
            #expect(try await bed.service.runBulkJob(lines: 100) == 5)
            let done = try await bed.service.bulk(owner, id: bulk.id)
            #expect(done.status == .done)
            #expect((done.done, done.refused, done.failed) == (4, 1, 0))
            let report = try await bed.service.bulkItems(owner, id: bulk.id, after: nil, limit: 100)
            #expect(report.map(\.outcome) == [.done, .done, .done, .done, .refused])
            #expect(report.last?.reason == "corporate.bulk.line.blocked")
            for (line, item) in zip(lines.prefix(4), report) {
                #expect(try await changes(bed, line) == 1)
                let requestID = try #require(item.requestID)
                let request = try #require(try await bed.billing.requests.request(requestID))
                #expect(request.subscriberID == line.id)
            }
            #expect(try await changes(bed, lines[4]) == 0)
            // The operation's own request is done; a second run does nothing.
            #expect(try await bed.billing.requests.request(done.requestID)?.status == .done)
            #expect(try await bed.service.runBulkJob(lines: 100) == 0)
        }
    }

    @Test(arguments: TestDatabase.available)
    func aServerStoppedMidRunLeavesNoLineChangedTwice(_ backend: TestDatabase) async throws {
        try await CorporateTestBed.with(backend) { bed in
            let (_, owner) = try await bed.company(owner: try await bed.line("+79005560000"))
            let (group, lines) = try await group(bed, owner: owner, count: 24, from: 100)
            let bulk = try await bed.service.planBulk(
                owner, action: .changeTariff(try daily(), .immediately), selection: .group(group.id))
            _ = try await bed.service.startBulk(owner, id: bulk.id)
            // A server claims ten lines, changes six of them and stops before recording anything.
            let claimed = try await bed.store.claim(bulk.id, limit: 10, at: bed.clock.now)
            #expect(claimed.count == 10)
            for item in claimed.prefix(6) {
                let line = try #require(lines.first { $0.id == item.line })
                _ = try await bed.billing.service.change(
                    line: bed.billing.access(line), to: try daily(), timing: .immediately)
            }
            // Another server picks the operation up: the rest first; the claimed lines only once they are stale.
            bed.clock.advance(by: .seconds(30))
            #expect(try await bed.service.runBulkJob(lines: 1000) == 14)
            #expect(try await bed.service.bulk(owner, id: bulk.id).status == .running)
            bed.clock.advance(by: .seconds(180))
            #expect(try await bed.service.runBulkJob(lines: 1000) == 4)
            let done = try await bed.service.bulk(owner, id: bulk.id)
            #expect(done.status == .done)
            #expect(done.done == 24)
            for line in lines { #expect(try await changes(bed, line) == 1, "\(line.msisdn)") }
            let report = try await bed.service.bulkItems(owner, id: bulk.id, after: nil, limit: 100)
            #expect(report.allSatisfy { $0.requestID != nil })
        }
    }

    @Test(arguments: TestDatabase.available)
    func anOptionThatConflictsIsRefusedLineByLine(_ backend: TestDatabase) async throws {
        try await CorporateTestBed.with(backend) { bed in
            let (_, owner) = try await bed.company(owner: try await bed.line("+79005570000"))
            let (group, lines) = try await group(bed, owner: owner, count: 3, from: 200)
            let ban = try bed.services.option("roaming-ban")
            _ = try await bed.services.service.connect(ban, for: bed.billing.access(lines[1]), replacing: [])
            let roaming = try bed.services.option("international-roaming")
            let bulk = try await bed.service.planBulk(
                owner, action: .connectOption(roaming), selection: .group(group.id))
            let plan = try await bed.service.bulkItems(owner, id: bulk.id, after: nil, limit: 10)
            #expect(plan.map(\.planRefusal) == [nil, "corporate.bulk.conflict", nil])
            #expect(plan[1].planNote == "roaming-ban")
            _ = try await bed.service.startBulk(owner, id: bulk.id)
            _ = try await bed.service.runBulkJob(lines: 100)
            let report = try await bed.service.bulkItems(owner, id: bulk.id, after: nil, limit: 10)
            #expect(report.map(\.outcome) == [.done, .refused, .done])
            // The refused line keeps its ban; the others have the option.
            let kept = try await bed.services.service.catalogue(for: bed.billing.access(lines[1]))
            if case .connected = kept.first(where: { $0.option.id == ban })?.state {} else { Issue.record("ban lost") }
        }
    }

    @Test(arguments: TestDatabase.available)
    func messagesGoAtTheRegionsPaceOncePerLine(_ backend: TestDatabase) async throws {
        try await CorporateTestBed.with(backend) { bed in
            let (_, owner) = try await bed.company(owner: try await bed.line("+79005580000"))
            let (group, lines) = try await group(bed, owner: owner, count: 5, from: 300)
            let bulk = try await bed.service.planBulk(
                owner, action: .sms("Собрание в 10:00"), selection: .group(group.id))
            _ = try await bed.service.startBulk(owner, id: bulk.id)
            _ = try await bed.service.runBulkJob(lines: 100)
            #expect(try await bed.service.bulk(owner, id: bulk.id).done == 3)
            bed.clock.advance(by: .seconds(61))
            _ = try await bed.service.runBulkJob(lines: 100)
            #expect(try await bed.service.bulk(owner, id: bulk.id).status == .done)
            for line in lines {
                #expect(try await bed.billing.queuedMessages(to: line.msisdn.e164).map(\.body) == ["Собрание в 10:00"])
            }
        }
    }

    @Test(arguments: TestDatabase.available)
    func theWrongCallersCannotPlanStartOrRead(_ backend: TestDatabase) async throws {
        try await CorporateTestBed.with(backend) { bed in
            let (company, owner) = try await bed.company(owner: try await bed.line("+79005590000"))
            let (sales, _) = try await group(bed, owner: owner, count: 2, from: 400, name: "Продажи")
            let (other, others) = try await group(bed, owner: owner, count: 1, from: 410, name: "Склад")
            let viewerLine = try await bed.line("+79005590001")
            _ = try await bed.service.addAdmin(
                owner, AdminDraft(msisdn: viewerLine.msisdn, name: "Зритель", scopes: [.readOnly]))
            let viewer = try await bed.service.access(for: bed.session(viewerLine))
            let headLine = try await bed.line("+79005590002")
            _ = try await bed.service.addAdmin(
                owner, AdminDraft(msisdn: headLine.msisdn, name: "Глава", scopes: [.lines], groups: [sales.id]))
            let head = try await bed.service.access(for: bed.session(headLine))

            let readOnly = await #expect(throws: CabinetError.self) {
                _ = try await bed.service.planBulk(viewer, action: .removeQuota, selection: .group(sales.id))
            }
            #expect(readOnly?.code == CorporateError.scopeMissing)
            let otherGroup = await #expect(throws: CabinetError.self) {
                _ = try await bed.service.planBulk(head, action: .sms("x"), selection: .group(other.id))
            }
            #expect(otherGroup?.code == CorporateError.groupNotFound)
            let otherLine = await #expect(throws: CabinetError.self) {
                _ = try await bed.service.planBulk(head, action: .sms("x"), selection: .lines([others[0].msisdn]))
            }
            #expect(otherLine?.code == CorporateError.lineNotFound)
            // Another company's admin finds nothing of this one's operations.
            let bulk = try await bed.service.planBulk(owner, action: .sms("Привет"), selection: .group(sales.id))
            let (_, stranger) = try await bed.company(inn: "7736207543", owner: try await bed.line("+79005590003"))
            #expect(stranger.company.id != company.id)
            let foreign = await #expect(throws: CabinetError.self) {
                _ = try await bed.service.startBulk(stranger, id: bulk.id)
            }
            #expect(foreign?.code == CorporateError.bulkNotFound)
            let nope = try #require(TariffID(rawValue: "nope"))
            let unknown = await #expect(throws: CabinetError.self) {
                _ = try await bed.service.planBulk(
                    owner, action: .changeTariff(nope, .immediately), selection: .group(sales.id))
            }
            #expect(unknown?.fieldErrors.map(\.field) == ["tariff"])
        }
    }
}
