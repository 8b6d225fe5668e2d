/// What people may write into tickets, notes and names: any text but control characters other than line breaks and
/// tabs (a NUL is refused by PostgreSQL's text columns, and none of them belongs in a message).
public enum SupportText {
    public static func isClean(_ text: String) -> Bool {
        text.unicodeScalars.allSatisfy { scalar in
            scalar == "\n" || scalar == "\r" || scalar == "\t"
                || !(scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value))
        }
    }
}
