import BillingTesting
import CabinetCore
import CabinetMessaging
import CabinetTesting
import Foundation
import Services
import ServicesTesting
import Subscribers
import Testing

/// The settings SMS on SQLite and PostgreSQL: the region's values in the asker's language through the outbox, a
/// request record each, the day's limit counted under the line's lock and starting over at the local midnight.
@Suite struct DeviceSettingsTests {
    @Test(arguments: TestDatabase.available)
    func theSettingsGoByTextAtMostTheRegionsNumberADay(_ backend: TestDatabase) async throws {
        try await ServicesTestBed.with(backend) { bed in
            let line = try await bed.line("+79001234567")
            let access = bed.access(line)
            let first = try await bed.service.sendDeviceSettings(for: access, language: .ru)
            #expect(first.kind == "services.settingsSms" && first.status == .done)
            _ = try await bed.service.sendDeviceSettings(for: access, language: .en)
            let refused = await #expect(throws: CabinetError.self) {
                try await bed.service.sendDeviceSettings(for: access, language: .ru)
            }
            #expect(refused?.code == ServicesError.settingsTooMany)
            #expect(refused?.retryAfterSeconds == 12 * 3_600, "Moscow noon: twelve hours to the next day")
            let texts = try await bed.billing.messages(to: "+79001234567").map(\.body)
            #expect(
                texts == [
                    "Интернет: APN internet.test. MMS: http://mms.test, прокси 10.0.0.1:8080",
                    "Internet: APN internet.test. MMS: http://mms.test, proxy 10.0.0.1:8080",
                ])
            #expect(try await bed.service.deviceSettings(for: access).leftToday == 0)

            // A minute after the Moscow midnight the day starts over.
            bed.billing.clock.advance(by: .seconds(12 * 3_600 + 60))
            #expect(try await bed.service.deviceSettings(for: access).leftToday == 2)
            _ = try await bed.service.sendDeviceSettings(for: access, language: .ru)
            let requests = try await bed.billing.requests.requests(of: line.id, before: nil, limit: 10)
            #expect(requests.filter { $0.kind == "services.settingsSms" }.count == 3)
        }
    }

    /// Ten requests at once against a limit of two send two: the count is taken under the line's lock.
    @Test(arguments: TestDatabase.available)
    func theLimitHoldsUnderConcurrency(_ backend: TestDatabase) async throws {
        try await ServicesTestBed.with(backend) { bed in
            let line = try await bed.line("+79001234567")
            let access = bed.access(line)
            let service = bed.service
            let sent = await withTaskGroup(of: Bool.self) { group in
                for _ in 0..<10 {
                    group.addTask { (try? await service.sendDeviceSettings(for: access, language: .ru)) != nil }
                }
                return await group.reduce(0) { $0 + ($1 ? 1 : 0) }
            }
            #expect(sent == 2)
            #expect(try await bed.billing.messages(to: "+79001234567").count == 2)
        }
    }
}
