import Billing
public import CabinetCore
import Foundation
import Logging

extension DefaultServicesService {
    public func deviceSettings(for line: LineAccess) async throws -> DeviceSettingsView {
        let settings = try self.settings(line.region).deviceSettings
        let day = try today(of: line)
        return DeviceSettingsView(
            settings: settings, sentToday: try await store.deviceSettingsSent(to: line.subscriberID, since: day.start))
    }

    public func sendDeviceSettings(for line: LineAccess, language: Language) async throws -> ServiceRequest {
        let settings = try self.settings(line.region).deviceSettings
        let now = clock.now
        let day = try today(of: line, at: now)
        let text = texts.text(
            "services.sms.deviceSettings", in: language,
            arguments: ["apn": settings.apn, "mmsc": settings.mmsc, "proxy": settings.mmsProxy])
        let request = try await store.sendDeviceSettings(
            DeviceSettingsOrder(
                line: line.subscriberID, msisdn: line.msisdn, text: text, maxPerDay: settings.maxPerDay,
                dayStart: day.start, nextDay: day.end, at: now))
        logger.info(
            "settings SMS queued",
            metadata: ["cabinet.subscriber": "\(line.subscriberID.rawValue)", "cabinet.request": "\(request.number)"])
        return request
    }

    /// The line's local day in its region's time zone.
    func today(of line: LineAccess, at instant: Date? = nil) throws -> BillingPeriod {
        guard let calendar = regions.region(line.region).flatMap(BillingCalendar.init(region:)) else {
            throw CabinetError.internal("region \(line.region.rawValue) has no billing calendar")
        }
        return calendar.period(containing: instant ?? clock.now, feePeriod: .day)
    }
}
