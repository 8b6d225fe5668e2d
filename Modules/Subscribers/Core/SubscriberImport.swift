public import CabinetCore

/// Imports lines from CSV: one line per record, idempotent (a second run changes nothing), each bad record
/// reported with its line number while the good ones are still imported.
///
/// The header names the columns: `msisdn` and `region` are required; `status`, `activated_on`, `full_name`,
/// `email`, `contact_number`, `postal_address` and `company` are optional. `,` or `;` separate fields.
public struct SubscriberImport: Sendable {
    public static let requiredColumns = ["msisdn", "region"]
    public static let optionalColumns = [
        "status", "activated_on", "full_name", "email", "contact_number", "postal_address", "company",
    ]

    /// Counts so far, for progress output.
    public struct Progress: Sendable, Hashable {
        public var processed: Int
        public var total: Int

        public init(processed: Int, total: Int) {
            self.processed = processed
            self.total = total
        }
    }

    /// One record that was not imported.
    public struct Failure: Sendable, Hashable {
        public var line: Int
        public var error: CabinetError
    }

    public struct Report: Sendable, Hashable {
        public var created = 0
        public var updated = 0
        public var unchanged = 0
        public var failures: [Failure] = []

        public init(created: Int = 0, updated: Int = 0, unchanged: Int = 0, failures: [Failure] = []) {
            self.created = created
            self.updated = updated
            self.unchanged = unchanged
            self.failures = failures
        }

        public var total: Int { created + updated + unchanged + failures.count }
    }

    private let service: any SubscriberService

    public init(service: any SubscriberService) {
        self.service = service
    }

    /// Imports `csv`; calls `progress` every `progressEvery` records and at the end.
    public func run(csv: String, progressEvery: Int = 500, progress: @Sendable (Progress) -> Void = { _ in }) async
        -> Report
    {
        var report = Report()
        let records = Array(CSVLineReader(text: csv))
        guard let first = records.first else { return report }
        let header: [String]
        switch first {
        case .failure(let problem):
            report.failures.append(Failure(line: problem.line, error: Self.rowError(problem)))
            return report
        case .success(let record):
            header = record.fields.map { $0.trimmingCharacters(in: " \t").lowercased() }
        }
        let known = Self.requiredColumns + Self.optionalColumns
        let unknown = header.filter { !known.contains($0) }
        let missing = Self.requiredColumns.filter { !header.contains($0) }
        guard unknown.isEmpty, missing.isEmpty, Set(header).count == header.count else {
            var reason: [String] = []
            if !missing.isEmpty { reason.append("missing column(s) \(missing.joined(separator: ", "))") }
            if !unknown.isEmpty { reason.append("unknown column(s) \(unknown.joined(separator: ", "))") }
            if Set(header).count != header.count { reason.append("a column is named twice") }
            report.failures.append(
                Failure(
                    line: 1,
                    error: CabinetError(
                        SubscribersError.csvHeader,
                        arguments: [
                            "reason": reason.joined(separator: "; "),
                            "expected": known.joined(separator: ","),
                        ])))
            return report
        }
        let total = records.count - 1
        for (index, element) in records.dropFirst().enumerated() {
            switch element {
            case .failure(let problem):
                report.failures.append(Failure(line: problem.line, error: Self.rowError(problem)))
            case .success(let record):
                do {
                    let new = try Self.parse(record, header: header)
                    switch try await service.upsert(new) {
                    case .created: report.created += 1
                    case .updated: report.updated += 1
                    case .unchanged: report.unchanged += 1
                    }
                } catch let error as CabinetError {
                    report.failures.append(Failure(line: record.line, error: error))
                } catch {
                    report.failures.append(Failure(line: record.line, error: .internal("\(error)")))
                }
            }
            if (index + 1) % progressEvery == 0 { progress(Progress(processed: index + 1, total: total)) }
        }
        progress(Progress(processed: total, total: total))
        return report
    }

    static func rowError(_ problem: CSVLineReader.Problem) -> CabinetError {
        switch problem {
        case .unterminatedQuote: CabinetError(SubscribersError.csvUnterminatedQuote)
        case .textAfterClosingQuote: CabinetError(SubscribersError.csvTextAfterQuote)
        }
    }

    /// Turns one record into a ``NewLine``, collecting every field problem of the record.
    static func parse(_ record: CSVLineReader.Record, header: [String]) throws -> NewLine {
        guard record.fields.count == header.count else {
            throw CabinetError(
                SubscribersError.csvFieldCount,
                arguments: ["fields": String(record.fields.count), "columns": String(header.count)])
        }
        var values: [String: String] = [:]
        for (name, value) in zip(header, record.fields) {
            let trimmed = value.trimmingCharacters(in: " \t")
            if !trimmed.isEmpty { values[name] = trimmed }
        }
        var problems: [FieldError] = []
        var msisdn: MSISDN?
        do {
            msisdn = try MSISDN(parsing: values["msisdn"] ?? "")
        } catch {
            problems += error.cabinetError(field: "msisdn").fieldErrors
        }
        let region = values["region"].flatMap(RegionID.init(rawValue:))
        if region == nil {
            problems.append(
                FieldError(
                    field: "region", code: SubscribersError.unknownRegion,
                    arguments: ["region": values["region"] ?? ""]))
        }
        var status = LineStatus.active
        if let text = values["status"] {
            if let parsed = LineStatus(rawValue: text) {
                status = parsed
            } else {
                problems.append(
                    FieldError(field: "status", code: SubscribersError.invalidStatus, arguments: ["status": text]))
            }
        }
        var activatedOn: LocalDate?
        if let text = values["activated_on"] {
            activatedOn = LocalDate(text)
            if activatedOn == nil {
                problems.append(
                    FieldError(field: "activated_on", code: SubscribersError.invalidDate, arguments: ["date": text]))
            }
        }
        var contact: MSISDN?
        if let text = values["contact_number"] {
            do {
                contact = try MSISDN(parsing: text)
            } catch {
                problems += error.cabinetError(field: "contact_number").fieldErrors
            }
        }
        var company: CompanyID?
        if let text = values["company"] {
            company = CompanyID(rawValue: text)
            if company == nil {
                problems.append(
                    FieldError(field: "company", code: SubscribersError.invalidCompany, arguments: ["company": text]))
            }
        }
        guard problems.isEmpty, let msisdn, let region else { throw CabinetError.validation(problems) }
        return NewLine(
            msisdn: msisdn, region: region, status: status, activatedOn: activatedOn,
            owner: OwnerProfile(
                fullName: values["full_name"], email: values["email"], contactNumber: contact,
                postalAddress: values["postal_address"]),
            companyID: company)
    }
}

extension String {
    fileprivate func trimmingCharacters(in set: String) -> String {
        var text = Substring(self)
        while let first = text.first, set.contains(first) { text = text.dropFirst() }
        while let last = text.last, set.contains(last) { text = text.dropLast() }
        return String(text)
    }
}
