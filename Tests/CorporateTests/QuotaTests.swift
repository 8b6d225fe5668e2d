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
import Testing

/// «Управление квотой»: a request number, `pending → processing → done`, the network refusing at the exact kopeck
/// under the `block` policy, and the month's warnings sent once.
@Suite struct QuotaTests {
    func charge(_ bed: CorporateTestBed, _ line: Line, _ amount: String, id: String) async throws {
        _ = try await bed.billing.billingStore.post(
            LedgerPosting(
                externalID: id, kind: .fee, line: line.id, amount: try Money(parsing: "-" + amount, currency: .rub),
                counterparty: .revenue, explanation: "billing.explain.fee", allowsNegativeBalance: true,
                at: bed.clock.now))
    }

    func call(_ bed: CorporateTestBed, _ id: String, from line: Line, kind: CallAttempt.Kind = .voice) async throws
        -> CallDecision
    {
        let attempt = CallAttempt(
            id: id, from: try #require(PhoneNumber(network: line.msisdn.e164)),
            to: try #require(PhoneNumber(network: "+79169998877")), kind: kind, at: bed.clock.now, roaming: false)
        return try #require(try await bed.services.service.check([attempt]).first)
    }

    @Test(arguments: TestDatabase.available)
    func aQuotaGoesFromRequestToForceAndIsDeletedTheSameWay(_ backend: TestDatabase) async throws {
        try await CorporateTestBed.with(backend) { bed in
            let ownerLine = try await bed.line("+79003330001")
            let (company, owner) = try await bed.company(owner: ownerLine)
            let employee = try await bed.line("+79003330002", company: company.id)
            let limits = QuotaLimits(
                money: Money(minorUnits: 500_00, currency: .rub), minutes: 300, sms: 50, megabytes: 2048,
                policy: .block)
            let request = try await bed.service.requestQuota(owner, msisdn: employee.msisdn, limits: limits)
            #expect(request.status == .pending)
            #expect(request.number.hasPrefix("R-"))
            #expect(try await bed.store.quotas(of: [employee.id]).isEmpty)

            var report = try await bed.service.runQuotaJob()
            #expect(report.applied == 1)
            let quota = try #require(try await bed.store.quotas(of: [employee.id])[employee.id])
            #expect(quota.limits == limits)
            #expect(quota.requestID == request.id)
            // The request record went through each status, and the employee's own history shows it too.
            let events = try await bed.billing.requests.events(of: request.id).map(\.status)
            #expect(events == [.pending, .processing, .done])
            #expect(try await bed.billing.requests.request(request.id)?.subscriberID == employee.id)
            // A second run does nothing again.
            report = try await bed.service.runQuotaJob()
            #expect(report.applied == 0)

            // Bad limits are refused before any request.
            let invalid = await #expect(throws: CabinetError.self) {
                _ = try await bed.service.requestQuota(
                    owner, msisdn: employee.msisdn,
                    limits: QuotaLimits(money: Money(minorUnits: 100, currency: .kzt), minutes: 0, policy: .block))
            }
            #expect(Set(invalid?.fieldErrors.map(\.field) ?? []) == ["money", "minutes"])
            let empty = await #expect(throws: CabinetError.self) {
                _ = try await bed.service.requestQuota(
                    owner, msisdn: employee.msisdn, limits: QuotaLimits(policy: .block))
            }
            #expect(empty?.code == KernelError.requestInvalid || empty?.fieldErrors.isEmpty == false)

            let deletion = try await bed.service.requestQuotaDeletion(owner, msisdn: employee.msisdn)
            _ = try await bed.service.runQuotaJob()
            #expect(try await bed.store.quotas(of: [employee.id]).isEmpty)
            #expect(try await bed.billing.requests.request(deletion.id)?.status == .done)
            let none = await #expect(throws: CabinetError.self) {
                _ = try await bed.service.requestQuotaDeletion(owner, msisdn: employee.msisdn)
            }
            #expect(none?.code == CorporateError.quotaNotFound)
        }
    }

    @Test(arguments: TestDatabase.available)
    func aLineThatLeftTheCompanyGetsItsRequestRejected(_ backend: TestDatabase) async throws {
        try await CorporateTestBed.with(backend) { bed in
            let ownerLine = try await bed.line("+79003340001")
            let (company, owner) = try await bed.company(owner: ownerLine)
            let employee = try await bed.line("+79003340002", company: company.id)
            let request = try await bed.service.requestQuota(
                owner, msisdn: employee.msisdn, limits: QuotaLimits(sms: 10, policy: .block))
            var patch = LinePatch()
            patch.companyID = .clear
            _ = try await bed.billing.lines.update(msisdn: employee.msisdn, with: patch)
            let report = try await bed.service.runQuotaJob()
            #expect(report.rejected == 1)
            let stored = try #require(try await bed.billing.requests.request(request.id))
            #expect(stored.status == .rejected)
            #expect(stored.detail == "corporate.quota.lineLeft")
            #expect(try await bed.store.quotas(of: [employee.id]).isEmpty)
        }
    }

    @Test(arguments: TestDatabase.available)
    func theNetworkRefusesPaidServiceAtTheExactKopeckAndWarnsOnce(_ backend: TestDatabase) async throws {
        try await CorporateTestBed.with(backend) { bed in
            let ownerLine = try await bed.line("+79003350001")
            let (company, owner) = try await bed.company(owner: ownerLine)
            let employee = try await bed.line("+79003350002", company: company.id)
            let free = try await bed.line("+79003350003", company: company.id)
            _ = try await bed.service.requestQuota(
                owner, msisdn: employee.msisdn,
                limits: QuotaLimits(money: Money(minorUnits: 100_00, currency: .rub), policy: .block))
            _ = try await bed.service.requestQuota(
                owner, msisdn: free.msisdn,
                limits: QuotaLimits(money: Money(minorUnits: 100_00, currency: .rub), policy: .personal))
            _ = try await bed.service.runQuotaJob()

            try await charge(bed, employee, "79.99", id: "t:1")
            #expect(try await call(bed, "c1", from: employee).reason == nil)
            #expect(try await bed.service.runQuotaJob().notices == 0)
            try await charge(bed, employee, "0.01", id: "t:2")
            // 80.00 of 100.00: the employee and the owner are told, once.
            #expect(try await bed.service.runQuotaJob().notices == 2)
            #expect(try await bed.service.runQuotaJob().notices == 0)
            let warned = try await bed.billing.queuedMessages(to: employee.msisdn.e164)
            #expect(warned.count == 1)
            #expect(warned.first?.body.contains("80%") == true)
            #expect(try await bed.billing.queuedMessages(to: ownerLine.msisdn.e164).count == 1)

            try await charge(bed, employee, "19.99", id: "t:3")
            #expect(try await call(bed, "c2", from: employee).reason == nil)
            #expect(try await call(bed, "c3", from: employee, kind: .sms).reason == nil)
            try await charge(bed, employee, "0.01", id: "t:4")
            #expect(try await call(bed, "c4", from: employee).reason == .quotaExhausted)
            #expect(try await call(bed, "c5", from: employee, kind: .sms).reason == .quotaExhausted)
            #expect(try await bed.service.runQuotaJob().notices == 2)
            #expect(try await bed.service.runQuotaJob().notices == 0)
            #expect(try await bed.billing.queuedMessages(to: employee.msisdn.e164).count == 2)

            // The company chose "at the employee's expense" for the other line: nothing is refused.
            try await charge(bed, free, "150.00", id: "t:5")
            #expect(try await call(bed, "c6", from: free).reason == nil)

            // A new month starts the count again.
            bed.clock.advance(by: .seconds(40 * 86_400))
            #expect(try await call(bed, "c7", from: employee).reason == nil)
        }
    }

    @Test(arguments: TestDatabase.available)
    func packageLimitsRefuseOnlyTheirKind(_ backend: TestDatabase) async throws {
        try await CorporateTestBed.with(backend) { bed in
            let ownerLine = try await bed.line("+79003360001")
            let (company, owner) = try await bed.company(owner: ownerLine)
            let employee = try await bed.line("+79003360002", company: company.id)
            _ = try await bed.service.requestQuota(
                owner, msisdn: employee.msisdn, limits: QuotaLimits(sms: 2, policy: .block))
            _ = try await bed.service.runQuotaJob()
            bed.clock.advance(by: .seconds(120))
            let events = (1...2).map { index in
                UsageEvent(
                    eventID: "sms-\(index)", msisdn: employee.msisdn, kind: .sms,
                    occurredAt: bed.clock.now.addingTimeInterval(-60), quantity: 1)
            }
            #expect(try await bed.billing.service.ingest(events).rated == 2)
            #expect(try await call(bed, "s1", from: employee, kind: .sms).reason == .quotaExhausted)
            #expect(try await call(bed, "v1", from: employee, kind: .voice).reason == nil)
        }
    }
}
