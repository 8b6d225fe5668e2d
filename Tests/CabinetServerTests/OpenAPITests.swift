import CabinetCore
import CabinetHTTP
import CabinetServer
import CabinetTesting
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
import Yams

/// `openapi.yaml` describes exactly the routes the server has: every API and operator route is documented, and the
/// document names no route that does not exist.
@Suite struct OpenAPITests {
    /// `GET /api/v1/me/payments/{id}` for each API route of the router (`:id` written `{id}`).
    static func routes(_ router: Router<CabinetRequestContext>) -> Set<String> {
        Set(
            router.routes.compactMap { route -> String? in
                let path = route.path.description.split(separator: "/").map { part in
                    part.hasPrefix(":") ? "{\(part.dropFirst())}" : String(part)
                }.joined(separator: "/")
                let full = path.hasPrefix("/") ? path : "/" + path
                let documented =
                    full.hasPrefix("/api/") || full.hasPrefix("/operator/") || full.hasPrefix("/tmf-api/")
                    || ["/health", "/version", "/metrics", "/openapi.yaml"].contains(full)
                return documented ? "\(route.method.rawValue) \(full)" : nil
            })
    }

    static func documented() throws -> Set<String> {
        let text = try String(contentsOf: try #require(CabinetOpenAPI.document), encoding: .utf8)
        let root = try #require(try Yams.load(yaml: text) as? [String: Any])
        #expect(root["openapi"] as? String == "3.1.0")
        let paths = try #require(root["paths"] as? [String: Any])
        var result: Set<String> = []
        for (path, item) in paths {
            for method in (item as? [String: Any])?.keys ?? [:].keys
            where ["get", "post", "put", "patch", "delete"].contains(method) {
                result.insert("\(method.uppercased()) \(path)")
            }
        }
        return result
    }

    @Test func everyRouteIsDocumentedAndNothingElse() async throws {
        try await withRuntime(.sqlite) { runtime in
            let routes = Self.routes(try runtime.makeRouter())
            let documented = try Self.documented()
            #expect(routes.subtracting(documented).sorted() == [], "routes missing from openapi.yaml")
            #expect(documented.subtracting(routes).sorted() == [], "documented routes the server does not have")
            #expect(routes.count > 50)
            try await Application(router: try runtime.makeRouter()).test(.router) { client in
                try await client.execute(uri: "/openapi.yaml", method: .get) { response in
                    #expect(response.status == .ok)
                    #expect(String(buffer: response.body).contains("openapi: 3.1.0"))
                }
            }
        }
    }
}
