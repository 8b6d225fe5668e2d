import BillingTesting
import CabinetCore
import CabinetTesting
import Corporate
import CorporateStorage
import CorporateTesting
import Foundation
import ServicesTesting
import Subscribers
import Testing

/// Who may do what in a company, tried with the wrong caller: an employee, a delegate or another line of the admin,
/// a blocked admin line, each role on each action, an admin limited to one group.
@Suite struct CorporateAccessTests {
    @Test(arguments: TestDatabase.available)
    func onlyTheDesignatedNumbersOwnActiveSessionIsTheAdmin(_ backend: TestDatabase) async throws {
        try await CorporateTestBed.with(backend) { bed in
            let owner = try await bed.line("+79002220001")
            let (company, _) = try await bed.company(owner: owner)
            let employee = try await bed.line("+79002220002", company: company.id)
            // An employee's own login sees no company.
            for session in [
                bed.session(employee),
                // A session of another line that switched to the admin's number (linked or delegated) is not the
                // admin: only the number logged in with counts.
                SessionInfo(
                    id: "x", subscriberID: employee.id, msisdn: owner.msisdn, steppedUpAt: nil,
                    passwordChangeRequired: false, csrfToken: "c"),
            ] {
                let error = await #expect(throws: CabinetError.self) { try await bed.service.access(for: session) }
                #expect(error?.code == CorporateError.notAdmin)
            }
            // A blocked admin line is no admin until it is unblocked.
            _ = try await bed.billing.lines.changeStatus(of: owner.msisdn, to: .blocked, from: [.active])
            let blocked = await #expect(throws: CabinetError.self) {
                try await bed.service.access(for: bed.session(owner))
            }
            #expect(blocked?.code == CorporateError.notAdmin)
            _ = try await bed.billing.lines.changeStatus(of: owner.msisdn, to: .active, from: [.blocked])
            #expect(try await bed.service.access(for: bed.session(owner)).company.id == company.id)
        }
    }

    @Test(arguments: TestDatabase.available)
    func eachRoleIsAllowedItsActionsAndRefusedTheOthers(_ backend: TestDatabase) async throws {
        try await CorporateTestBed.with(backend) { bed in
            let ownerLine = try await bed.line("+79002230001")
            let (company, owner) = try await bed.company(owner: ownerLine)
            let employee = try await bed.line("+79002230009", company: company.id, name: "Сидоров")
            var roles: [AdminScope: AdminAccess] = [.owner: owner]
            for (index, scope) in [AdminScope.finance, .lines, .readOnly].enumerated() {
                let line = try await bed.line("+7900223000\(index + 2)")
                _ = try await bed.service.addAdmin(
                    owner, AdminDraft(msisdn: line.msisdn, name: scope.rawValue, scopes: [scope]))
                roles[scope] = try await bed.service.access(for: bed.session(line))
            }
            let limits = QuotaLimits(money: Money(minorUnits: 100_00, currency: .rub), policy: .block)
            for (scope, access) in roles {
                // Everyone looks.
                #expect(try await bed.service.lines(access, search: nil, group: nil, after: nil, limit: 50).count == 2)
                // Only owners and line managers change lines.
                let mayManage = scope == .owner || scope == .lines
                await expect(mayManage) {
                    _ = try await bed.service.requestQuota(access, msisdn: employee.msisdn, limits: limits)
                }
                await expect(mayManage) {
                    _ = try await bed.service.createGroup(access, name: "Отдел \(scope.rawValue)")
                }
                // Only owners manage admins.
                await expect(scope == .owner) { _ = try await bed.service.admins(access) }
                await expect(scope == .owner) {
                    _ = try await bed.service.addAdmin(
                        access, AdminDraft(msisdn: employee.msisdn, name: "Ещё", scopes: [.readOnly]))
                    try await bed.service.removeAdmin(
                        access, id: try #require(try await bed.store.admin(msisdn: employee.msisdn)).id)
                }
            }
            // The last owner stays.
            let last = await #expect(throws: CabinetError.self) {
                try await bed.service.removeAdmin(owner, id: owner.admin.id)
            }
            #expect(last?.code == CorporateError.lastOwner)
            // Every change is journaled with its admin and a request number.
            let journal = try await bed.service.journal(owner, before: nil, limit: 50)
            #expect(journal.contains { $0.entry.action == "quota.set" && $0.entry.adminName == "lines" })
            #expect(journal.allSatisfy { $0.request != nil })
        }

        func expect(_ allowed: Bool, _ action: () async throws -> Void) async {
            if allowed {
                await #expect(throws: Never.self) { try await action() }
            } else {
                let error = await #expect(throws: CabinetError.self) { try await action() }
                #expect(error?.code == CorporateError.scopeMissing)
            }
        }
    }

    @Test(arguments: TestDatabase.available)
    func anAdminOfOneGroupSeesAndChangesOnlyThatGroupsLines(_ backend: TestDatabase) async throws {
        try await CorporateTestBed.with(backend) { bed in
            let ownerLine = try await bed.line("+79002240001")
            let (company, owner) = try await bed.company(owner: ownerLine)
            let sales = try await bed.service.createGroup(owner, name: "Продажи")
            let support = try await bed.service.createGroup(owner, name: "Поддержка")
            let seller = try await bed.line("+79002240002", company: company.id, name: "Продавцов")
            let helper = try await bed.line("+79002240003", company: company.id, name: "Помощников")
            try await bed.service.move(owner, msisdn: seller.msisdn, to: sales.id)
            try await bed.service.move(owner, msisdn: helper.msisdn, to: support.id)
            let headLine = try await bed.line("+79002240004")
            _ = try await bed.service.addAdmin(
                owner, AdminDraft(msisdn: headLine.msisdn, name: "Глава продаж", scopes: [.lines], groups: [sales.id]))
            let head = try await bed.service.access(for: bed.session(headLine))

            #expect(
                try await bed.service.lines(head, search: nil, group: nil, after: nil, limit: 50).map(\.line.msisdn)
                    == [seller.msisdn])
            #expect(try await bed.service.groups(head).map(\.id) == [sales.id])
            for attempt in [
                { _ = try await bed.service.line(head, msisdn: helper.msisdn) },
                {
                    _ = try await bed.service.requestQuota(
                        head, msisdn: helper.msisdn, limits: QuotaLimits(minutes: 100, policy: .block))
                },
                // A line of no company at all answers the same.
                { _ = try await bed.service.line(head, msisdn: headLine.msisdn) },
            ] as [() async throws -> Void] {
                let error = await #expect(throws: CabinetError.self) { try await attempt() }
                #expect(error?.code == CorporateError.lineNotFound)
            }
            let otherGroup = await #expect(throws: CabinetError.self) {
                _ = try await bed.service.lines(head, search: nil, group: support.id, after: nil, limit: 50)
            }
            #expect(otherGroup?.code == CorporateError.groupNotFound)
            let steal = await #expect(throws: CabinetError.self) {
                try await bed.service.move(head, msisdn: seller.msisdn, to: support.id)
            }
            #expect(steal?.code == CorporateError.groupNotFound)
            // The owner sees both, searches by name and number, and filters by group.
            #expect(try await bed.service.lines(owner, search: nil, group: nil, after: nil, limit: 50).count == 3)
            #expect(
                try await bed.service.lines(owner, search: "помощ", group: nil, after: nil, limit: 50).map(\.line.id)
                    == [helper.id])
            #expect(
                try await bed.service.lines(owner, search: "240002", group: nil, after: nil, limit: 50).map(\.line.id)
                    == [seller.id])
            #expect(
                try await bed.service.lines(owner, search: nil, group: support.id, after: nil, limit: 50).map(\.line.id)
                    == [helper.id])
            // An owner manages the whole company: no owner limited to groups.
            let limitedLine = try await bed.line("+79002240005")
            let limitedOwner = await #expect(throws: CabinetError.self) {
                _ = try await bed.service.addAdmin(
                    owner, AdminDraft(msisdn: limitedLine.msisdn, name: "X", scopes: [.owner], groups: [sales.id]))
            }
            #expect(limitedOwner?.fieldErrors.map(\.code) == [CorporateError.ownerLimited])
            let notEmpty = await #expect(throws: CabinetError.self) {
                try await bed.service.deleteGroup(owner, id: sales.id)
            }
            #expect(notEmpty?.code == CorporateError.groupNotEmpty)
        }
    }
}
