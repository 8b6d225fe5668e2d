public import CabinetCore
import CabinetHTTP
public import CabinetStorage
import Logging
public import Subscribers
import SubscribersHTTP
import SubscribersStorage

/// The line registry. Exports its service, its read-only directory and the list of observers told about new lines.
public struct SubscribersAssembly: ModuleAssembly {
    public struct Exports: Sendable {
        public let service: any SubscriberService
        public let directory: any SubscriberDirectory
        /// Modules that set up every new line (Billing opens its account) add themselves here.
        public let lineObservers: Listeners<any LineLifecycleObserver>
    }

    public static var module: any CabinetModule.Type { SubscribersModule.self }
    public static var migrations: [Migration] { SubscribersSchema.migrations }

    public init() {}

    public func assemble(_ kernel: CabinetKernel) async throws -> Assembled<Exports> {
        let repository = SQLSubscriberStore(database: kernel.database)
        let observers = Listeners<any LineLifecycleObserver>()
        let service = DefaultSubscriberService(
            store: repository, regions: kernel.regions, clock: kernel.clock,
            logger: kernel.logger, observers: observers)
        return Assembled(
            exports: Exports(service: service, directory: repository, lineObservers: observers),
            parts: ModuleParts(
                http: kernel.isEnabled(SubscribersModule.self) ? [SubscribersHTTPModule(service: service)] : [],
                regionChecks: [RegionLinesCheck(store: repository)]))
    }
}
