public import CabinetCore
public import Foundation
public import Hummingbird

/// The HTTP face of a module: its routes on the API, the operator API and the web, its templates and navigation.
public protocol HTTPModule: Sendable {
    /// The module this HTTP target belongs to.
    var moduleID: ModuleID { get }
    /// Folders of `.mustache` templates its pages use.
    var templateDirectories: [URL] { get }
    /// Main-navigation links it contributes.
    var navigation: [WebRenderer.NavigationItem] { get }
    /// Where a logged-in person lands (`/dashboard`), with a rank: the highest-ranked home of the served modules wins.
    var sessionHome: (path: String, rank: Int)? { get }
    /// Adds middleware that must run before any module's routes (Auth authenticates every request).
    func addMiddleware(to router: Router<CabinetRequestContext>)
    /// Adds the module's routes.
    func addRoutes(to routes: ModuleRoutes)
}

extension HTTPModule {
    public var templateDirectories: [URL] { [] }
    public var navigation: [WebRenderer.NavigationItem] { [] }
    public var sessionHome: (path: String, rank: Int)? { nil }
    public func addMiddleware(to router: Router<CabinetRequestContext>) {}
}

/// Where a module adds its routes.
public struct ModuleRoutes {
    /// `/api/v1`: the subscriber API.
    public let api: RouterGroup<CabinetRequestContext>
    /// `/operator/v1` behind the operator key; `nil` when no key is configured (the operator API is off).
    public let operatorAPI: RouterGroup<CabinetRequestContext>?
    /// `/`: web pages.
    public let web: RouterGroup<CabinetRequestContext>
    public let renderer: WebRenderer
    /// `/tmf-api`: TM Forum Open APIs for the operator's systems, behind the operator key; `nil` without a key.
    public let tmfAPI: RouterGroup<CabinetRequestContext>?

    public init(
        api: RouterGroup<CabinetRequestContext>, operatorAPI: RouterGroup<CabinetRequestContext>?,
        web: RouterGroup<CabinetRequestContext>, renderer: WebRenderer,
        tmfAPI: RouterGroup<CabinetRequestContext>? = nil
    ) {
        self.api = api
        self.operatorAPI = operatorAPI
        self.web = web
        self.renderer = renderer
        self.tmfAPI = tmfAPI
    }
}

/// Resources of the kernel's HTTP target.
public enum KernelWeb {
    /// Layout, start page, error page.
    public static var templates: URL? { Bundle.module.url(forResource: "templates", withExtension: nil) }
    /// CSS and other static assets served under `/static`.
    public static var publicFolder: URL? { Bundle.module.url(forResource: "public", withExtension: nil) }
    /// Texts of the web shell.
    public static func messages() throws -> MessageCatalog { try MessageCatalog.load(from: Bundle.module) }
}

extension HTTPModule {
    /// Reads a path parameter that is a phone number (`/subscribers/+79001234567` or `%2B7…`).
    public func msisdnParameter(_ name: String, in context: CabinetRequestContext) throws -> MSISDN {
        let raw = context.parameters.get(name) ?? ""
        return try MSISDNField.parse(raw.removingPercentEncoding ?? raw, field: name)
    }
}
