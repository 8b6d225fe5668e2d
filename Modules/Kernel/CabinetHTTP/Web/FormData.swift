import CabinetCore
import Foundation
import HTTPTypes
public import Hummingbird

extension Request {
    /// Reads an `application/x-www-form-urlencoded` body (an HTML form) into field → value (the last one wins).
    public func formFields(limit: Int = 64 * 1024) async throws -> [String: String] {
        let contentType = headers[.contentType]?.lowercased() ?? ""
        guard contentType.hasPrefix("application/x-www-form-urlencoded") else {
            throw CabinetError(KernelError.unsupportedMediaType)
        }
        var request = self
        let buffer: ByteBuffer
        do {
            buffer = try await request.collectBody(upTo: limit)
        } catch {
            throw CabinetError(KernelError.tooLarge)
        }
        return Self.parseForm(String(decoding: buffer.readableBytesView, as: UTF8.self))
    }

    static func parseForm(_ text: String) -> [String: String] {
        var fields: [String: String] = [:]
        for pair in text.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decode(_ part: Substring) -> String {
                String(part).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String(part)
            }
            guard let name = parts.first.map(decode), !name.isEmpty else { continue }
            fields[name] = parts.count > 1 ? decode(parts[1]) : ""
        }
        return fields
    }

    /// Checks a form's anti-forgery token against the session's (or, before login, the `csrf` cookie's), in
    /// constant time. Throws `auth.csrf` (403).
    public func checkForgeryToken(_ fields: [String: String], context: CabinetRequestContext, cookieName: String) throws
    {
        let expected = context.session?.csrfToken ?? cookies[cookieName]?.value
        guard let expected, let presented = fields["csrf"], !presented.isEmpty, ConstantTime.equals(presented, expected)
        else {
            throw CabinetError(KernelError.csrf)
        }
    }
}

extension Response {
    /// `303 See Other` to a local path, optionally setting cookies.
    public static func seeOther(to path: String, cookies: [String] = []) -> Response {
        var headers = HTTPFields()
        headers[.location] = path
        for cookie in cookies { headers.append(HTTPField(name: .setCookie, value: cookie)) }
        return Response(status: .seeOther, headers: headers)
    }
}
