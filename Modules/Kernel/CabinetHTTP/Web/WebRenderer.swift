public import CabinetCore
public import Foundation
import HTTPTypes
public import Hummingbird
public import Mustache

/// Renders server-side HTML pages: a module's template inside the kernel's layout, with the request's language.
///
/// Templates reach texts as `{{t.home.title}}`: every catalogue key `web.home.title` is offered under `t`.
/// Values are HTML-escaped by Mustache's `{{…}}`.
public struct WebRenderer: Sendable {
    /// The five sections a logged-in person navigates by (a bottom bar on a phone, a top bar on wider screens); each
    /// module puts its pages into one, and the section's pages are tabs under the bar.
    public enum NavigationSection: String, Sendable, Hashable, CaseIterable {
        /// Главная: the dashboard and the request history.
        case home
        /// Баланс и платежи.
        case money
        /// Тариф и услуги.
        case plan
        /// Поддержка.
        case support
        /// Профиль: profile and security.
        case profile
    }

    /// A link in the main navigation contributed by a module.
    public struct NavigationItem: Sendable, Hashable {
        public var path: String
        /// Catalogue key of the label, e.g. `web.nav.tariffs`.
        public var titleKey: String
        /// Shown only with a session (`true`), only without one (`false`), or always (`nil`).
        public var whenLoggedIn: Bool?
        /// Order in the bar (smaller first).
        public var order: Int
        /// The section it belongs to with a session; without one, links are shown as they are.
        public var section: NavigationSection

        public init(
            path: String, titleKey: String, whenLoggedIn: Bool? = nil, order: Int = 50,
            section: NavigationSection = .home
        ) {
            self.path = path
            self.titleKey = titleKey
            self.whenLoggedIn = whenLoggedIn
            self.order = order
            self.section = section
        }
    }

    private let library: MustacheLibrary
    public let catalog: MessageCatalog
    private let webTexts: [Language: [String: String]]
    private let navigation: [NavigationItem]
    /// Appended to asset URLs so a new release is fetched despite long cache lifetimes.
    public let assetVersion: String

    public init(
        library: MustacheLibrary, catalog: MessageCatalog, navigation: [NavigationItem], assetVersion: String,
        webKeys: [String]
    ) {
        self.library = library
        self.catalog = catalog
        self.navigation = navigation
        self.assetVersion = assetVersion
        var texts: [Language: [String: String]] = [:]
        for language in Language.allCases {
            var entries: [String: String] = [:]
            for key in webKeys where key.hasPrefix("web.") {
                entries[String(key.dropFirst(4))] = catalog.text(key, in: language)
            }
            texts[language] = entries
        }
        self.webTexts = texts
    }

    /// Renders `template` (which extends `layout`) as a complete page.
    public func render(
        _ template: String, title: String, context: CabinetRequestContext, data: [String: Any] = [:],
        status: HTTPResponse.Status = .ok, path: String = "/"
    ) -> Response {
        var object = data
        let language = context.language
        object["lang"] = language.rawValue
        object["title"] = title
        object["t"] = Self.nest(webTexts[language] ?? [:])
        object["assetVersion"] = assetVersion
        object["requestId"] = object["requestId"] ?? context.requestID
        let loggedIn = context.session != nil
        let visible = navigation.filter { $0.whenLoggedIn == nil || $0.whenLoggedIn == loggedIn }.sorted {
            $0.order < $1.order
        }
        if loggedIn {
            // At most five sections; the current one's pages as tabs below them.
            let current = visible.first { $0.path == path }?.section
            let sections = NavigationSection.allCases.compactMap { section -> [String: Any]? in
                guard let first = visible.first(where: { $0.section == section }) else { return nil }
                return [
                    "path": first.path, "id": section.rawValue, "current": section == current,
                    "title": catalog.text("web.nav.section.\(section.rawValue)", in: language),
                ]
            }
            object["sections"] = sections
            object["hasSections"] = !sections.isEmpty
            let tabs = visible.filter { $0.section == current }
            if tabs.count > 1 {
                object["hasTabs"] = true
                object["tabs"] = tabs.map {
                    ["path": $0.path, "title": catalog.text($0.titleKey, in: language), "current": $0.path == path]
                        as [String: Any]
                }
            }
        } else {
            object["hasNav"] = !visible.isEmpty
            object["nav"] = visible.map {
                ["path": $0.path, "title": catalog.text($0.titleKey, in: language), "current": $0.path == path]
                    as [String: Any]
            }
        }
        if let session = context.session {
            object["session"] =
                [
                    "msisdn": session.msisdn.formatted, "csrf": session.csrfToken,
                    "acting": context.line.map { $0.msisdn.formatted } ?? session.msisdn.formatted,
                    "other": context.line.map { $0.msisdn != session.msisdn } ?? false,
                ] as [String: Any]
        }
        let other: Language = language == .ru ? .en : .ru
        object["switchLanguage"] =
            [
                "code": other.rawValue, "label": other == .ru ? "Русский" : "English",
                "back": path,
            ] as [String: Any]
        let html = library.render(object, withTemplate: template) ?? "<!doctype html><title>\(template)</title>"
        var headers = HTTPFields()
        headers[.contentType] = "text/html; charset=utf-8"
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: html)))
    }

    /// Turns `home.title` keys into nested dictionaries so Mustache's dotted names find them.
    static func nest(_ flat: [String: String]) -> [String: Any] {
        var root: [String: Any] = [:]
        for (key, value) in flat {
            insert(value, at: key.split(separator: ".").map(String.init), into: &root)
        }
        return root
    }

    private static func insert(_ value: String, at path: [String], into node: inout [String: Any]) {
        guard let head = path.first else { return }
        if path.count == 1 {
            node[head] = value
            return
        }
        var child = node[head] as? [String: Any] ?? [:]
        insert(value, at: Array(path.dropFirst()), into: &child)
        node[head] = child
    }
}

/// Loads Mustache templates from several folders (the kernel's and each module's) into one library.
public enum TemplateLoader {
    public static func library(from directories: [URL]) throws -> MustacheLibrary {
        var library = MustacheLibrary()
        var seen: Set<String> = []
        for directory in directories {
            let files = try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
            for file in files where file.hasSuffix(".mustache") {
                let name = String(file.dropLast(".mustache".count))
                guard seen.insert(name).inserted else {
                    throw CabinetError.internal("template \(name) is defined twice (\(directory.lastPathComponent))")
                }
                let text = try String(contentsOf: directory.appendingPathComponent(file), encoding: .utf8)
                try library.register(text, named: name)
            }
        }
        return library
    }
}
