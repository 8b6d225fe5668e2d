import Foundation

/// Texts of the kernel's own errors (MSISDN, money, request validation).
public enum KernelMessages {
    /// The catalogue shipped in CabinetCore's resources.
    public static func catalog() throws -> MessageCatalog {
        try MessageCatalog.load(from: Bundle.module)
    }
}
