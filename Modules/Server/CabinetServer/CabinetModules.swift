import Auth
import Billing
public import CabinetCore
import CabinetHTTP
import AuthStorage
import CabinetMessaging
public import CabinetStorage
import Payments
import Services
import Subscribers
import SubscribersStorage
import Support
import Tariffs
import TariffsStorage
import BillingStorage
import PaymentsStorage

/// The modules this build contains: what region files may configure, whose migrations run, whose texts load.
/// The only list of its kind; adding a module means adding it here and wiring it in ``CabinetRuntime``.
public enum CabinetModules {
    /// Module descriptors in dependency order.
    public static let all: [any CabinetModule.Type] = [
        SubscribersModule.self, AuthModule.self, TariffsModule.self, BillingModule.self, ServicesModule.self,
        PaymentsModule.self, SupportModule.self,
    ]

    /// The region loader every entry point uses (server, `cabinet regions check`, tests).
    public static var regionLoader: RegionLoader { RegionLoader(modules: all) }

    /// Every migration, kernel first, then modules in dependency order.
    public static var migrations: [Migration] {
        KernelSchema.migrations + SQLRequestRegistry.migrations + SQLIdempotencyStore.migrations + MessagingSchema.migrations
            + SubscribersSchema.migrations + AuthSchema.migrations + TariffsSchema.migrations + BillingSchema.migrations
            + PaymentsSchema.migrations
    }

    /// All translated texts: kernel, web shell, every module.
    public static func messages() throws -> MessageCatalog {
        var catalog = try KernelMessages.catalog().merging(KernelWeb.messages())
        for module in all {
            catalog = catalog.merging(try module.messages())
        }
        return catalog
    }
}
