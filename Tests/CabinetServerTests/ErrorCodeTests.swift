import CabinetCore
import CabinetServer
import CabinetTesting
import Foundation
import Testing

/// Every error code a module declares (`ErrorCode("…", .kind)` in its catalogue) has a Russian and an English text in
/// the merged catalogue the server loads, and no code is declared twice with different kinds.
@Suite struct ErrorCodeTests {
    /// `ErrorCode("billing.noAccount", .notFound)` declarations in the library sources, with the file that has each.
    static func declarations() throws -> [(code: String, kind: String, file: String)] {
        let modules = RepositoryPaths.root.appendingPathComponent("Modules")
        let pattern = try NSRegularExpression(pattern: #"ErrorCode\("([A-Za-z0-9_.]+)",\s*\.([A-Za-z]+)\)"#)
        var found: [(String, String, String)] = []
        let files = FileManager.default.enumerator(at: modules, includingPropertiesForKeys: nil)
        while let url = files?.nextObject() as? URL {
            guard url.pathExtension == "swift", !url.path.contains("/Testing/") else { continue }
            let text = try String(contentsOf: url, encoding: .utf8)
            let range = NSRange(text.startIndex..., in: text)
            for match in pattern.matches(in: text, range: range) {
                guard let code = Range(match.range(at: 1), in: text), let kind = Range(match.range(at: 2), in: text)
                else { continue }
                found.append((String(text[code]), String(text[kind]), url.lastPathComponent))
            }
        }
        return found
    }

    @Test func everyDeclaredCodeHasRussianAndEnglishTexts() throws {
        let catalog = try CabinetModules.messages()
        let declared = try Self.declarations()
        #expect(declared.count > 150, "the sources were found and read")
        for (code, _, file) in declared {
            #expect(catalog.contains(code, in: .ru), "\(code) (\(file)) has no Russian text")
            #expect(catalog.contains(code, in: .en), "\(code) (\(file)) has no English text")
        }
    }

    @Test func aCodeIsDeclaredWithOneKind() throws {
        let kinds = Dictionary(grouping: try Self.declarations(), by: \.code).mapValues { Set($0.map(\.kind)) }
        for (code, set) in kinds.sorted(by: { $0.key < $1.key }) {
            #expect(set.count == 1, "\(code) is declared as \(set.sorted().joined(separator: " and "))")
        }
    }

    @Test func theKindDecidesTheStatus() {
        #expect(CabinetError(KernelError.notFound).kind == .notFound)
        #expect(CabinetError(KernelError.rateLimited, retryAfterSeconds: 3).kind == .tooManyRequests)
        #expect(CabinetError.validation([FieldError(field: "x", code: "field.invalid")]).kind == .invalidInput)
    }
}
