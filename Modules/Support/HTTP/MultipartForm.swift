import CabinetCore
import Foundation
import Hummingbird
import MultipartKit
import NIOCore
import Support

/// A browser's `multipart/form-data` post (a form with file inputs), parsed by MultipartKit: the text fields, and
/// the files with the names their senders gave them (the type is decided later, from the bytes).
struct MultipartForm {
    /// A support form has a handful of fields and at most ten files.
    static let maxParts = 40

    var fields: [String: String] = [:]
    var files: [NewAttachment] = []

    /// Reads at most `limit` bytes; a bigger body is `request.tooLarge`, anything but multipart is
    /// `request.unsupportedMediaType`, a broken body is `request.malformedBody`.
    static func read(_ request: Request, limit: Int) async throws -> MultipartForm {
        let contentType = request.headers[.contentType] ?? ""
        guard contentType.lowercased().hasPrefix("multipart/form-data"),
            let boundary = boundary(in: contentType), !boundary.isEmpty, boundary.count <= 200
        else { throw CabinetError(KernelError.unsupportedMediaType) }
        var request = request
        let buffer: ByteBuffer
        do {
            buffer = try await request.collectBody(upTo: limit)
        } catch {
            throw CabinetError(KernelError.tooLarge)
        }
        return try parse(buffer, boundary: boundary)
    }

    static func parse(_ buffer: ByteBuffer, boundary: String) throws -> MultipartForm {
        var form = MultipartForm()
        var headers: [(String, String)] = []
        var body = ByteBuffer()
        var parts = 0
        let parser = MultipartParser(boundary: boundary)
        parser.onHeader = { name, value in headers.append((name.lowercased(), value)) }
        parser.onBody = { chunk in body.writeBuffer(&chunk) }
        parser.onPartComplete = {
            parts += 1
            guard parts <= Self.maxParts else { return }
            let disposition = headers.first { $0.0 == "content-disposition" }?.1 ?? ""
            let name = parameter("name", in: disposition)
            let fileName = parameter("filename", in: disposition)
            if let name {
                if let fileName {
                    // An empty file input still sends a part with no name and no bytes.
                    if !fileName.isEmpty || body.readableBytes > 0 {
                        form.files.append(NewAttachment(fileName: fileName, bytes: Array(body.readableBytesView)))
                    }
                } else {
                    form.fields[name] = String(decoding: body.readableBytesView, as: UTF8.self)
                }
            }
            headers = []
            body = ByteBuffer()
        }
        do {
            try parser.execute(buffer)
        } catch {
            throw CabinetError(KernelError.malformedBody)
        }
        guard parts > 0 else { throw CabinetError(KernelError.malformedBody) }
        guard parts <= Self.maxParts else { throw CabinetError(KernelError.tooLarge) }
        return form
    }

    /// `boundary=…` of a content type, quoted or not.
    static func boundary(in contentType: String) -> String? {
        parameter("boundary", in: contentType)
    }

    /// A `key=value` or `key="value"` parameter of a header value.
    static func parameter(_ key: String, in header: String) -> String? {
        for piece in header.split(separator: ";") {
            let pair = piece.trimmingCharacters(in: .whitespaces)
            guard let equals = pair.firstIndex(of: "=") else { continue }
            guard pair[..<equals].trimmingCharacters(in: .whitespaces).lowercased() == key else { continue }
            var value = String(pair[pair.index(after: equals)...]).trimmingCharacters(in: .whitespaces)
            if value.hasPrefix("\""), value.hasSuffix("\""), value.count >= 2 {
                value = String(value.dropFirst().dropLast())
            }
            return value
        }
        return nil
    }
}
