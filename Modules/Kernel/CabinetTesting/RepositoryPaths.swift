public import Foundation

/// Paths inside the repository, for tests that load the shipped region files.
public enum RepositoryPaths {
    /// The repository root, found from this file's location.
    public static var root: URL {
        URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent()  // CabinetTesting
            .deletingLastPathComponent()  // Kernel
            .deletingLastPathComponent()  // Modules
            .deletingLastPathComponent()
    }

    /// `Regions/` of the repository.
    public static var regions: URL { root.appendingPathComponent("Regions") }
}
