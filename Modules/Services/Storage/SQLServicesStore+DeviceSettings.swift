public import CabinetCore
import CabinetMessaging
import CabinetStorage
public import Foundation
import SQLKit
public import Services

extension SQLServicesStore {
    public func deviceSettingsSent(to line: SubscriberID, since: Date) async throws -> Int {
        try await database.read { db in try await Self.countSent(line, since: since, on: db) }
    }

    public func sendDeviceSettings(_ order: DeviceSettingsOrder) async throws -> ServiceRequest {
        let request = try await database.write { db in
            // Two requests at once count one after the other.
            try await SQLLineLock.lock(order.line, space: Self.settingsLockSpace, on: db)
            let sent = try await Self.countSent(order.line, since: order.dayStart, on: db)
            guard sent < order.maxPerDay else {
                throw CabinetError(
                    ServicesError.settingsTooMany, arguments: ["max": String(order.maxPerDay)],
                    retryAfterSeconds: max(1, Int(order.nextDay.timeIntervalSince(order.at).rounded(.up))))
            }
            let request = try await SQLRequestRegistry.open(
                kind: DeviceSettingsOrder.requestKind, subscriber: order.line, status: .done, detail: nil,
                at: order.at, on: db)
            try await Outbox.enqueue(
                OutgoingSMS(
                    to: order.msisdn, text: order.text, purpose: DeviceSettingsOrder.requestKind,
                    dedupeKey: "settings-sms:\(request.id)"),
                on: db, now: order.at)
            return request
        }
        messagesQueued()
        return request
    }

    /// The advisory-lock key space of settings requests; the second key is the line id folded into 32 bits (two lines
    /// that share it only wait for each other).
    static let settingsLockSpace: Int32 = 7_301

    static func countSent(_ line: SubscriberID, since: Date, on db: any SQLDatabase) async throws -> Int {
        try await db.raw(
            """
            SELECT COUNT(*) AS n FROM cabinet_request
            WHERE subscriber_id = \(bind: line.rawValue) AND kind = \(bind: DeviceSettingsOrder.requestKind)
                AND created_at >= \(bind: since.storageMilliseconds)
            """
        ).first()?.decode(column: "n", as: Int.self) ?? 0
    }
}
