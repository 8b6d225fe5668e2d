public import CabinetCore
import Foundation

/// A usage event as it arrives (operator API or CSV), every field still text: parsing collects every problem of the
/// event so the operator sees them all at once.
public struct UsageInput: Sendable, Hashable, Decodable {
    public var eventId: String?
    public var msisdn: String?
    public var kind: String?
    /// RFC 3339, e.g. `2026-11-22T10:15:00+03:00`.
    public var occurredAt: String?
    /// Seconds of a call, bytes of data, 1 for an SMS (may be left out for an SMS).
    public var quantity: Int64?
    /// `onNet`, `offNet` or `intercity` for calls.
    public var callKind: String?
    public var otherParty: String?

    public init(
        eventId: String?, msisdn: String?, kind: String?, occurredAt: String?, quantity: Int64?, callKind: String?,
        otherParty: String?
    ) {
        self.eventId = eventId
        self.msisdn = msisdn
        self.kind = kind
        self.occurredAt = occurredAt
        self.quantity = quantity
        self.callKind = callKind
        self.otherParty = otherParty
    }

    /// The event, or a validation error listing every bad field.
    public func parse() throws(CabinetError) -> UsageEvent {
        var problems: [FieldError] = []
        let id = (eventId ?? "").trimmingCharacters(in: .whitespaces)
        if id.isEmpty { problems.append(FieldError(field: "eventId", code: "billing.event.fieldMissing")) }
        var number: MSISDN?
        do {
            number = try MSISDN(parsing: msisdn ?? "")
        } catch {
            problems += error.cabinetError(field: "msisdn").fieldErrors
        }
        let kind = self.kind.flatMap(UsageEvent.Kind.init(rawValue:))
        if kind == nil {
            problems.append(
                FieldError(field: "kind", code: "billing.event.kindInvalid", arguments: ["value": self.kind ?? ""]))
        }
        let at = occurredAt.flatMap(Self.parseInstant)
        if at == nil {
            problems.append(
                FieldError(
                    field: "occurredAt", code: "billing.event.timeInvalid", arguments: ["value": occurredAt ?? ""]))
        }
        var callKind: UsageEvent.CallKind?
        if let text = self.callKind, !text.isEmpty {
            callKind = UsageEvent.CallKind(rawValue: text)
            if callKind == nil {
                problems.append(
                    FieldError(field: "callKind", code: "billing.event.callKindInvalid", arguments: ["value": text]))
            }
        }
        let quantity = self.quantity ?? (kind == .sms ? 1 : nil)
        if quantity == nil { problems.append(FieldError(field: "quantity", code: "billing.event.fieldMissing")) }
        guard problems.isEmpty, let number, let kind, let at, let quantity else {
            throw CabinetError.validation(problems)
        }
        let event = UsageEvent(
            eventID: id, msisdn: number, kind: kind, occurredAt: at, quantity: quantity, callKind: callKind,
            otherParty: otherParty.flatMap { $0.isEmpty ? nil : $0 })
        if let problem = event.validate() { throw problem }
        return event
    }

    /// RFC 3339 with or without fractional seconds.
    static func parseInstant(_ text: String) -> Date? {
        let plain = ISO8601DateFormatter()
        if let date = plain.date(from: text) { return date }
        let fractional = ISO8601DateFormatter()
        fractional.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return fractional.date(from: text)
    }
}

/// Imports usage from a CSV file (`cabinet usage import`): each bad row is reported with its line number, the rest
/// are rated in batches. Re-running the same file charges nothing twice (event ids).
///
/// Columns (header required, `,` or `;`): `event_id, msisdn, kind, occurred_at, quantity, call_kind, other_party`.
public struct UsageImport: Sendable {
    public static let columns = ["event_id", "msisdn", "kind", "occurred_at", "quantity", "call_kind", "other_party"]

    public struct Failure: Sendable, Hashable {
        public var line: Int
        public var error: CabinetError
    }

    public struct Report: Sendable, Hashable {
        public var rows = 0
        public var rated = 0
        public var duplicates = 0
        public var failures: [Failure] = []
    }

    public struct Progress: Sendable, Hashable {
        public var processed: Int
        public var total: Int
        public var rated: Int
    }

    let service: any BillingService

    public init(service: any BillingService) {
        self.service = service
    }

    public func run(csv: String, progress: @Sendable (Progress) -> Void = { _ in }) async throws -> Report {
        var report = Report()
        var iterator = CSVLineReader(text: csv).makeIterator()
        guard let first = iterator.next() else { return report }
        // The last two columns (call kind, other party) may be left out.
        guard case .success(let headerRecord) = first,
            case let header = headerRecord.fields.map({ $0.trimmingCharacters(in: .whitespaces).lowercased() }),
            (5...Self.columns.count).contains(header.count), header == Array(Self.columns.prefix(header.count))
        else {
            report.failures.append(
                Failure(
                    line: 1,
                    error: CabinetError(
                        BillingError.csvHeader,
                        arguments: ["expected": Self.columns.joined(separator: ",")])))
            return report
        }
        let width = headerRecord.fields.count
        let total = max(0, csv.utf8.lazy.filter { $0 == UInt8(ascii: "\n") }.count - 1)
        var batch: [UsageEvent] = []
        var lines: [Int] = []
        func flush() async throws {
            guard !batch.isEmpty else { return }
            let result = try await service.ingest(batch)
            report.rated += result.rated
            report.duplicates += result.duplicates
            for (index, error) in result.rejected.sorted(by: { $0.key < $1.key }) {
                report.failures.append(Failure(line: lines[index], error: error))
            }
            batch.removeAll(keepingCapacity: true)
            lines.removeAll(keepingCapacity: true)
            progress(Progress(processed: report.rows, total: total, rated: report.rated))
        }
        while let element = iterator.next() {
            report.rows += 1
            switch element {
            case .failure(let problem):
                report.failures.append(
                    Failure(
                        line: problem.line,
                        error: CabinetError(
                            BillingError.csvRow, arguments: ["line": String(problem.line), "reason": "\(problem)"])))
            case .success(let record):
                guard record.fields.count == width else {
                    report.failures.append(
                        Failure(
                            line: record.line,
                            error: CabinetError(
                                BillingError.csvRow,
                                arguments: [
                                    "line": String(record.line),
                                    "reason": "\(record.fields.count) fields, expected \(width)",
                                ])))
                    continue
                }
                let f = record.fields.map { $0.trimmingCharacters(in: .whitespaces) }
                if !f[4].isEmpty, Int64(f[4]) == nil {
                    report.failures.append(
                        Failure(
                            line: record.line,
                            error: .validation([
                                FieldError(
                                    field: "quantity", code: "billing.event.quantityInvalid", arguments: ["value": f[4]]
                                )
                            ])))
                    continue
                }
                let input = UsageInput(
                    eventId: f[0], msisdn: f[1], kind: f[2], occurredAt: f[3], quantity: Int64(f[4]),
                    callKind: f.count > 5 ? f[5] : nil, otherParty: f.count > 6 ? f[6] : nil)
                do {
                    batch.append(try input.parse())
                    lines.append(record.line)
                } catch {
                    report.failures.append(Failure(line: record.line, error: error))
                }
            }
            if batch.count >= DefaultBillingService.batchSize { try await flush() }
        }
        try await flush()
        report.failures.sort { $0.line < $1.line }
        return report
    }
}
