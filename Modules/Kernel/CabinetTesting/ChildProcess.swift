public import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// A test peer or tool (an SMSC, an SMTP server, openssl, pdftotext) run as a child process the way the whole suite can
/// afford while hundreds of tests run at once on two cores:
///
/// - It is started with `posix_spawn`, not Foundation's `Process`. `Process.run()` lists `/proc/self/fd` to find the
///   descriptors to close and copies each entry's whole 256-byte name, which reads past the end of the listing's buffer
///   when it ends at a page boundary; with the thousands of descriptors a full test run holds open, that crashed the
///   suite in CI (a segmentation fault in `findMaximumOpenFromProcSelfFD`). Here the child closes every descriptor
///   above standard error itself (`posix_spawn_file_actions_addclosefrom_np`).
/// - Its standard output goes to a file, never to a pipe, so nothing waits for an end of file another child holds.
/// - Waiting (for a first line, for the exit) is a poll with `Task.sleep`, bounded by a deadline, so no thread of the
///   cooperative pool is ever blocked.
public final class ChildProcess: Sendable {
    public let processIdentifier: pid_t
    /// Where the child's standard output is written.
    public let output: URL
    private let executable: String
    /// The child's wait status once it has been reaped.
    private let reaped = Mutex<Int32?>(nil)

    public enum Failure: Error, CustomStringConvertible {
        case didNotStart(String)
        case timedOut(String, Duration)

        public var description: String {
            switch self {
            case .didNotStart(let what): "did not start: \(what)"
            case .timedOut(let what, let limit): "\(what) took longer than \(limit)"
            }
        }
    }

    /// glibc's `posix_spawn_file_actions_addclosefrom_np` (2.34 and later), which the Glibc module does not import:
    /// without it the child inherits the test run's descriptors, harmless for a peer that is killed at its test's end.
    private static let closeFrom: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32)? =
        {
            guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addclosefrom_np")
            else { return nil }
            return unsafeBitCast(
                symbol, to: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32).self)
        }()

    /// Starts `executable` (a path) with `arguments`. Standard error stays the test run's, so a peer's complaint is in
    /// the log, unless `quiet` (a tool's chatter nobody reads).
    public static func launch(_ executable: String, _ arguments: [String], quiet: Bool = false) throws -> ChildProcess {
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("child-\(UUID().uuidString).out")
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, output.path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        if quiet { posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0) }
        if let closeFrom { _ = closeFrom(&actions, 3) }
        let argv: [UnsafeMutablePointer<CChar>?] = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, executable, &actions, nil, argv, environ)
        guard result == 0 else {
            throw Failure.didNotStart("\(executable): \(String(cString: strerror(result)))")
        }
        return ChildProcess(processIdentifier: pid, output: output, executable: executable)
    }

    private init(processIdentifier: pid_t, output: URL, executable: String) {
        self.processIdentifier = processIdentifier
        self.output = output
        self.executable = executable
    }

    /// What the child wrote to standard output so far.
    public var outputText: String { (try? String(contentsOf: output, encoding: .utf8)) ?? "" }

    /// The child's exit status once it has ended (128 + the signal when a signal ended it), `nil` while it runs.
    public var exitStatus: Int32? {
        reaped.withLock { status in
            if status == nil {
                var waited: Int32 = 0
                if waitpid(processIdentifier, &waited, WNOHANG) == processIdentifier { status = waited }
            }
            guard let status else { return nil }
            let signal = status & 0x7f
            return signal == 0 ? (status >> 8) & 0xff : 128 + signal
        }
    }

    /// The first line the child writes (a peer's `listening <port>`), without its line break.
    public func firstLine(within limit: Duration = .seconds(30)) async throws -> String {
        let deadline = ContinuousClock.now + limit
        while true {
            let text = outputText
            if let end = text.firstIndex(of: "\n") { return String(text[..<end]) }
            if let status = exitStatus {
                throw Failure.didNotStart("\(executable) exited with \(status) after writing \"\(text)\"")
            }
            guard ContinuousClock.now < deadline else {
                kill()
                throw Failure.timedOut("waiting for the first line of \(executable)", limit)
            }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    /// Waits for the child to exit and answers its exit status; kills it and throws when it takes longer than `limit`.
    @discardableResult
    public func exit(within limit: Duration = .seconds(60)) async throws -> Int32 {
        let deadline = ContinuousClock.now + limit
        while true {
            if let status = exitStatus { return status }
            guard ContinuousClock.now < deadline else {
                kill()
                throw Failure.timedOut(executable, limit)
            }
            try await Task.sleep(for: .milliseconds(10))
        }
    }

    /// Ends the child at once (SIGKILL), reaps it and removes its output file.
    public func kill() {
        reaped.withLock { status in
            guard status == nil else { return }
            _ = Glibc.kill(processIdentifier, SIGKILL)
            // A killed child ends at once; reaping it here leaves no zombie behind.
            var waited: Int32 = 0
            if waitpid(processIdentifier, &waited, 0) == processIdentifier { status = waited }
        }
        try? FileManager.default.removeItem(at: output)
    }

    /// Runs `executable` to its end, blocking the calling thread: for a synchronous test trait's condition only.
    static func runBlocking(_ executable: String, _ arguments: [String]) -> Int32? {
        guard let child = try? launch(executable, arguments, quiet: true) else { return nil }
        defer { try? FileManager.default.removeItem(at: child.output) }
        var waited: Int32 = 0
        guard waitpid(child.processIdentifier, &waited, 0) == child.processIdentifier else { return nil }
        child.reaped.withLock { $0 = waited }
        return child.exitStatus
    }
}
