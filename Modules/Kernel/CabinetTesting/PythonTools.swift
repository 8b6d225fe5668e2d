import Foundation

/// The Python that runs the test peers in `Scripts/` (SMTP server, SMSC): `CABINET_TEST_PYTHON` (Scripts/test.sh points
/// it at `.venv-tools`), else that venv when it exists, else `python3` from the path.
public enum PythonTools {
    public static var python: String {
        if let configured = ProcessInfo.processInfo.environment["CABINET_TEST_PYTHON"], !configured.isEmpty {
            return configured
        }
        let venv = RepositoryPaths.root.appendingPathComponent(".venv-tools/bin/python").path
        if FileManager.default.isExecutableFile(atPath: venv) { return venv }
        return "/usr/bin/python3"
    }

    /// Whether the test Python can import `module`. When Scripts/test.sh promised the tools (`CABINET_TEST_PYTHON` is
    /// set) this is always `true`, so a broken set-up fails the test instead of skipping it.
    public static func has(_ module: String) -> Bool {
        if ProcessInfo.processInfo.environment["CABINET_TEST_PYTHON"] != nil { return true }
        // A trait's condition is synchronous; this runs only when the tools were not promised, and is brief.
        return ChildProcess.runBlocking(python, ["-c", "import \(module)"]) == 0
    }
}
