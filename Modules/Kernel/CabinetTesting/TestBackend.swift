public import Testing

/// Where a module's domain tests keep their data: each SQL backend of ``TestDatabase/available`` or the module's
/// in-memory store. Test beds name it `<X>TestBed.Backend`; use as `@Test(arguments: AuthTestBed.Backend.all)`. Tests
/// of SQL behaviour itself take ``TestDatabase`` instead.
public enum TestBackend: Sendable, Hashable, Identifiable, CustomTestStringConvertible {
    case sql(TestDatabase)
    case memory

    /// SQLite, PostgreSQL when configured (as ``TestDatabase/available`` says), and memory.
    public static var all: [TestBackend] { TestDatabase.available.map { .sql($0) } + [.memory] }

    /// `sqlite`, `postgres` or `memory`: test output names the backend of each case by it (the test script counts
    /// storage cases per backend from these).
    public var testDescription: String {
        switch self {
        case .sql(let database): database.testDescription
        case .memory: "memory"
        }
    }

    public var id: String { testDescription }
}
