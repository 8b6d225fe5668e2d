import AsyncHTTPClient
import CabinetCore
import Foundation
import NIOCore
import NIOHTTP1

extension CabinetCommands {
    /// `cabinet regions reload`: asks the server at `server` to reload its region files through the operator API
    /// and renders its answer for a terminal; `ok` is whether the new files are in service (or were already).
    public static func reloadRegions(server: String, operatorKey: String) async throws -> (text: String, ok: Bool) {
        let trimmed = server.hasSuffix("/") ? String(server.dropLast()) : server
        var request = HTTPClientRequest(url: trimmed + "/operator/v1/regions/reload")
        request.method = .POST
        request.headers.add(name: "Authorization", value: "Bearer \(operatorKey)")
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        defer { _ = client.shutdown() }
        let response: HTTPClientResponse
        let body: ByteBuffer
        do {
            response = try await client.execute(request, timeout: .seconds(30))
            body = try await response.body.collect(upTo: 1 << 20)
        } catch {
            return ("cannot reach \(trimmed): \(error)", false)
        }
        guard let report = try? JSONDecoder().decode(RegionReloadReport.self, from: Data(body.readableBytesView)) else {
            let text = String(buffer: body)
            return ("\(trimmed) answered \(response.status.code): \(text.prefix(500))", false)
        }
        var lines: [String] = []
        switch report.result {
        case .reloaded:
            lines.append("reloaded: version \(report.previousVersion) → \(report.version)")
            lines.append("regions: \(report.regions.joined(separator: ", "))")
        case .unchanged:
            lines.append("unchanged: version \(report.version) is already in service")
        case .invalid, .refused:
            lines += report.problems
            lines += report.refusals.map(\.description)
            lines.append(
                "\(report.result.rawValue): nothing changed; version \(report.version) stays in service"
                    + (report.candidateVersion.map { " (the folder is \($0))" } ?? ""))
        }
        return (lines.joined(separator: "\n"), report.isSuccess)
    }
}
