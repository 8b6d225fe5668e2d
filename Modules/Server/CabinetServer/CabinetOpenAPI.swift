public import Foundation

/// The OpenAPI 3.1 description of the JSON API and the operator API, served at `/openapi.yaml`. A test compares its
/// paths with the router's, so a route cannot be added without it.
public enum CabinetOpenAPI {
    public static var document: URL? { Bundle.module.url(forResource: "openapi", withExtension: "yaml") }
}
