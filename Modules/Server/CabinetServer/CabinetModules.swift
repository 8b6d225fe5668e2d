public import CabinetCore
import CabinetHTTP
import CabinetMessaging
public import CabinetStorage

/// The modules this build contains, in dependency order: the only list of its kind.
///
/// Adding a module: a `ModuleSpec` line in `Package.swift`, a `<Module>Assembly` in `Wiring/`, and its line in
/// ``assemblies`` and in ``assemble(_:)`` below (DESIGN.md, "Adding a module").
public enum CabinetModules {
    /// The assemblies of the modules that run in the server, in dependency order.
    static let assemblies: [any ModuleAssembly.Type] = [
        SubscribersAssembly.self, AuthAssembly.self, TariffsAssembly.self, BillingAssembly.self, ServicesAssembly.self,
        PaymentsAssembly.self, SupportAssembly.self, CorporateAssembly.self,
    ]

    /// Module descriptors in dependency order: what region files may configure, whose texts load.
    public static var all: [any CabinetModule.Type] {
        assemblies.map { $0.module }
    }

    /// The region loader every entry point uses (server, `cabinet regions check`, tests).
    public static var regionLoader: RegionLoader { RegionLoader(modules: all) }

    /// Every migration, kernel first, then modules in dependency order.
    public static var migrations: [Migration] {
        KernelSchema.migrations + SQLRequestRegistry.migrations + SQLIdempotencyStore.migrations
            + SQLRateLimiter.migrations + SQLJobLeases.migrations
            + MessagingSchema.migrations
            + assemblies.flatMap { $0.migrations }
    }

    /// All translated texts: kernel, web shell, every module.
    public static func messages() throws -> MessageCatalog {
        var catalog = try KernelMessages.catalog().merging(KernelWeb.messages())
        for module in all {
            catalog = catalog.merging(try module.messages())
        }
        return catalog
    }

    /// Assembles every module, each given the exports of the modules it uses.
    static func assemble(_ kernel: CabinetKernel) async throws -> (CabinetServices, [ModuleParts]) {
        let subscribers = try await SubscribersAssembly().assemble(kernel)
        let auth = try await AuthAssembly(subscribers: subscribers.exports).assemble(kernel)
        let tariffs = try await TariffsAssembly().assemble(kernel)
        let billing = try await BillingAssembly(
            subscribers: subscribers.exports, tariffs: tariffs.exports, emails: auth.exports.service
        ).assemble(kernel)
        let options = try await ServicesAssembly(
            subscribers: subscribers.exports, tariffs: tariffs.exports, billing: billing.exports,
            puk: auth.exports.service
        ).assemble(kernel)
        let payments = try await PaymentsAssembly(subscribers: subscribers.exports, billing: billing.exports).assemble(
            kernel)
        let support = try await SupportAssembly(
            subscribers: subscribers.exports, auth: auth.exports, billing: billing.exports
        ).assemble(kernel)
        let corporate = try await CorporateAssembly(
            subscribers: subscribers.exports, auth: auth.exports, tariffs: tariffs.exports, billing: billing.exports,
            services: options.exports, payments: payments.exports
        ).assemble(kernel)
        let services = CabinetServices(
            subscribers: subscribers.exports, auth: auth.exports, tariffs: tariffs.exports,
            billing: billing.exports, services: options.exports, payments: payments.exports, support: support.exports,
            corporate: corporate.exports)
        return (
            services,
            [
                subscribers.parts, auth.parts, tariffs.parts, billing.parts, options.parts, payments.parts,
                support.parts, corporate.parts,
            ]
        )
    }
}

/// The exports of every module, for the commands, the demo data and the whole-app tests.
public struct CabinetServices: Sendable {
    public let subscribers: SubscribersAssembly.Exports
    public let auth: AuthAssembly.Exports
    public let tariffs: TariffsAssembly.Exports
    public let billing: BillingAssembly.Exports
    public let services: ServicesAssembly.Exports
    public let payments: PaymentsAssembly.Exports
    public let support: SupportAssembly.Exports
    public let corporate: CorporateAssembly.Exports
}
