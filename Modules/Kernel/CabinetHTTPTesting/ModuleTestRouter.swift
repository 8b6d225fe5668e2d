public import CabinetCore
public import CabinetHTTP
public import Hummingbird
import Logging

/// The router a module's HTTP tests run against: the one the server builds (``makeCabinetRouter(modules:settings:)``,
/// with every kernel middleware, the web shell and the operator key), over the modules under test and their texts.
public enum ModuleTestRouter {
    /// The operator key of test routers.
    public static let operatorKey = "operator-key-0123456789"

    /// The production router for `modules`; tests may add probe routes to it before building the application.
    /// - Parameters:
    ///   - catalogues: the texts of the modules under test (the kernel's are added).
    ///   - requests: the request history to serve, if the test reads it.
    public static func make(
        modules: [any HTTPModule], regions: RegionCatalog, catalogues: [MessageCatalog], https: Bool = false,
        operatorKey: String? = ModuleTestRouter.operatorKey, requests: (any RequestRegistry)? = nil
    ) throws -> Router<CabinetRequestContext> {
        var catalog = try KernelMessages.catalog().merging(KernelWeb.messages())
        for module in catalogues { catalog = catalog.merging(module) }
        var settings = CabinetRouterSettings(
            regions: regions, catalog: catalog, logger: Logger(label: "cabinet.test"),
            operatorKey: operatorKey)
        settings.https = https
        settings.version = "test"
        settings.assetVersion = "test"
        settings.requests = requests
        return try makeCabinetRouter(modules: modules, settings: settings)
    }
}
