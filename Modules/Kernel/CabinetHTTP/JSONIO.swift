import CabinetCore
import Foundation
import HTTPTypes
public import Hummingbird

/// Reading JSON requests and writing JSON responses the same way in every module.
extension Request {
    /// Decodes a JSON body (at most `limit` bytes). A wrong content type, an oversized or malformed body becomes
    /// a ``CabinetError`` naming the field, never a 500.
    public func decodeJSON<T: Decodable>(as type: T.Type, context: CabinetRequestContext, limit: Int = 1 << 20)
        async throws -> T
    {
        let contentType = headers[.contentType]?.lowercased() ?? ""
        guard contentType.hasPrefix("application/json") || contentType.hasPrefix("application/merge-patch+json") else {
            throw CabinetError(KernelError.unsupportedMediaType)
        }
        var request = self
        let buffer: ByteBuffer
        do {
            buffer = try await request.collectBody(upTo: limit)
        } catch {
            throw CabinetError(KernelError.tooLarge)
        }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        do {
            return try decoder.decode(T.self, from: Data(buffer.readableBytesView))
        } catch let error as DecodingError {
            throw CabinetError(
                KernelError.malformedBody,
                arguments: ["reason": ErrorMiddleware.describe(error)])
        }
    }
}

extension Response {
    /// A JSON response with `no-store` caching.
    public static func json(_ value: some Encodable, status: HTTPResponse.Status = .ok) throws -> Response {
        let data = try JSONEncoder.cabinet.encode(value)
        var headers = HTTPFields()
        headers[.contentType] = "application/json; charset=utf-8"
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }
}
