public import Auth
import AuthAdapters
import AuthHTTP
import AuthStorage
public import CabinetCore
import CabinetHTTP
import CabinetMessaging
public import CabinetStorage
import Foundation
import Logging

/// Login and security. Uses the line registry; exports the authentication service (PUK provisioning and push
/// answers for the commands).
public struct AuthAssembly: ModuleAssembly {
    public struct Exports: Sendable {
        public let service: any AuthService
    }

    public static var module: any CabinetModule.Type { AuthModule.self }
    public static var migrations: [Migration] { AuthSchema.migrations }

    let subscribers: SubscribersAssembly.Exports

    public init(subscribers: SubscribersAssembly.Exports) {
        self.subscribers = subscribers
    }

    public func assemble(_ kernel: CabinetKernel) async throws -> Assembled<Exports> {
        let configuration = kernel.configuration
        var secret = configuration.secret ?? ""
        if secret.isEmpty {
            // Development default: generated once and kept in the database. Production sets CABINET_SECRET.
            secret = try await kernel.storedSecret("auth.secret")
        }
        let providers = try configuration.identityProvidersFile.map(IdentityProvidersFile.load) ?? []
        let outbox = kernel.outbox
        let store = SQLAuthStore(database: kernel.database, messagesQueued: { outbox.nudge() })
        // The login code's WebOTP line names the site's host; one longer than 19 characters would make every code a
        // two-part SMS, so the line is left out then (the code still works, typed by hand).
        var webOTPHost = URL(string: configuration.effectivePublicURL)?.host()
        if let host = webOTPHost, host.count > 19 {
            kernel.logger.warning(
                "the login code SMS carries no WebOTP line: the public host is longer than 19 characters",
                metadata: ["cabinet.host": "\(host)"])
            webOTPHost = nil
        }
        let service = await DefaultAuthService(
            store: store, lines: subscribers.service, regions: kernel.regions,
            secrets: AuthSecrets(secret: Data(secret.utf8)),
            hasher: kernel.dependencies.passwordHasher ?? BcryptPasswordHasher(cost: configuration.bcryptCost),
            commonPasswords: try CommonPasswords.bundled(), push: kernel.dependencies.push ?? ManualPushGateway(),
            providers: providers,
            providerClient: providers.isEmpty ? nil : HTTPIdentityProviderClient(client: kernel.httpClient.shared),
            clock: kernel.clock, logger: kernel.logger,
            webOTPHost: webOTPHost)
        let clock = kernel.clock
        let logger = kernel.logger
        let housekeeping = PeriodicJob(
            name: "auth.purge", every: .seconds(3600), lease: kernel.jobLeases, logger: logger
        ) {
            let removed = try await store.purgeExpired(now: clock.now)
            if removed > 0 { logger.debug("purged expired auth rows", metadata: ["cabinet.rows": "\(removed)"]) }
        }
        let http: [any HTTPModule] =
            kernel.isEnabled(AuthModule.self)
            ? [
                AuthHTTPModule(
                    service: service, https: configuration.https, publicBaseURL: configuration.effectivePublicURL)
            ] : []
        return Assembled(exports: Exports(service: service), parts: ModuleParts(jobs: [housekeeping], http: http))
    }
}
