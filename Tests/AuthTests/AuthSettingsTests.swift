import Auth
import CabinetCore
import CabinetMessaging
import CabinetTesting
import Foundation
import Subscribers
import Testing

@Suite struct AuthSettingsTests {
    static func yaml(
        length: Int = 6, attempts: Int = 5, failures: Int = 20, lifetime: String = "10m",
        idle: String = "30m", perNumber: Int = 30
    ) -> String {
        """
        otp: {length: \(length), lifetime: \(lifetime), maxAttempts: \(attempts), resendInterval: 60s, maxPerHour: 5,
              maxPerDay: 10, maxFailuresBeforeLock: \(failures), lockDuration: 1h, maxPerAddressPerHour: 30,
              maxFailuresPerNumber: \(perNumber)}
        password: {minLength: 8, maxChangesPerDay: 2, delayFromFailure: 5, lockAfterFailures: 100, maxFailuresPerAddressPerHour: 30}
        session: {idleTimeout: \(idle), absoluteTimeout: 12h}
        pukMaxFailures: 10
        pukLockDuration: 24h
        linkedNumbersLimit: 5
        pushConfirmationLifetime: 2m
        newDeviceAlert: true
        """
    }

    @Test func readsThePolicy() throws {
        let (settings, problems) = SettingsProbe.read(AuthSettings.self, yaml: Self.yaml())
        #expect(problems.isEmpty)
        let auth = try #require(settings)
        #expect(auth.otp.length == 6)
        #expect(auth.otp.lifetime == .seconds(600))
        #expect(auth.session.idleTimeout == .seconds(1800))
        #expect(auth.pushConfirmationLifetime == .seconds(120))
    }

    @Test func fourDigitsOnlyWithTightLimits() {
        #expect(
            SettingsProbe.read(AuthSettings.self, yaml: Self.yaml(length: 4, attempts: 3, failures: 10)).problems
                .isEmpty)
        #expect(
            SettingsProbe.read(AuthSettings.self, yaml: Self.yaml(length: 4, attempts: 5, failures: 10)).problems == [
                "section.otp.maxAttempts: a 4-digit code allows at most 3 tries per code, found 5"
            ])
        #expect(
            SettingsProbe.read(AuthSettings.self, yaml: Self.yaml(length: 4, attempts: 3, failures: 11)).problems == [
                "section.otp.maxFailuresBeforeLock: a 4-digit code allows at most 10 failures before the lock, found 11"
            ])
        #expect(
            SettingsProbe.read(AuthSettings.self, yaml: Self.yaml(length: 4, attempts: 3, failures: 10, perNumber: 31))
                .problems == [
                    "section.otp.maxFailuresPerNumber: a 4-digit code allows at most 30 failures per number, found 31"
                ])
        #expect(
            SettingsProbe.read(AuthSettings.self, yaml: Self.yaml(failures: 20, perNumber: 19)).problems == [
                "section.otp.maxFailuresPerNumber: must not be below maxFailuresBeforeLock (20)"
            ])
        #expect(
            SettingsProbe.read(AuthSettings.self, yaml: Self.yaml(length: 3)).problems == [
                "section.otp.length: must be between 4 and 8, found 3"
            ])
    }

    @Test func codesLiveAtMostTenMinutesAndIdleIsWithinAbsolute() {
        #expect(
            SettingsProbe.read(AuthSettings.self, yaml: Self.yaml(lifetime: "11m")).problems == [
                "section.otp.lifetime: must be at most 10m: a one-time code lives no longer than 10 minutes"
            ])
        #expect(
            SettingsProbe.read(AuthSettings.self, yaml: Self.yaml(idle: "13h")).problems == [
                "section.session.idleTimeout: must not be longer than absoluteTimeout"
            ])
        #expect(
            SettingsProbe.read(AuthSettings.self, yaml: Self.yaml(idle: "soon")).problems == [
                "section.session.idleTimeout: expected a duration such as 90s, 10m, 12h or 3d, found \"soon\""
            ])
    }
}
