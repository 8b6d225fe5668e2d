public import CabinetCore

/// The one way a phone number is read from a request (a JSON field, a form field, a query or path parameter): any
/// form a person types is accepted (`8 900 123-45-67`, `+7 (900) …`, `900…`); anything else is a validation problem
/// of that field whose code names the reason (`msisdn.wrongLength`, `msisdn.notMobile`, …), the same everywhere.
public enum MSISDNField {
    /// Parses `text`, throwing the field's problem.
    public static func parse(_ text: String, field: String) throws -> MSISDN {
        do {
            return try MSISDN(parsing: text)
        } catch {
            throw problem(error, text: text, field: field)
        }
    }

    /// Parses `text`, adding the field's problem to `problems` (for bodies that report every field together).
    public static func parse(_ text: String, field: String, into problems: inout [FieldError]) -> MSISDN? {
        do {
            return try MSISDN(parsing: text)
        } catch {
            problems += problem(error, text: text, field: field).fieldErrors
            return nil
        }
    }

    private static func problem(_ error: any Error, text: String, field: String) -> CabinetError {
        guard let reason = error as? MSISDNError else {
            return CabinetError.validation([
                FieldError(field: field, code: KernelError.fieldInvalid, arguments: ["value": text])
            ])
        }
        return reason.cabinetError(field: field)
    }
}
