import CabinetTesting
import Foundation
import Testing

/// The test peers' launcher: a child gets standard input, output and error only (no descriptor of the test run leaks
/// into it), its output is read from its file, and waits end at their deadline.
@Suite struct ChildProcessTests {
    @Test func aChildHoldsOnlyItsStandardDescriptors() async throws {
        // Descriptors of this process the child must not inherit: a pipe's write end held by a child was what kept a
        // reader waiting for an end of file.
        let pipe = Pipe()
        defer { try? pipe.fileHandleForReading.close() }
        let child = try ChildProcess.launch("/bin/ls", ["/proc/self/fd"])
        defer { child.kill() }
        #expect(try await child.exit() == 0)
        // ls lists 0, 1, 2 and the descriptor of the folder it is reading.
        let listed = child.outputText.split(separator: "\n").compactMap { Int($0) }
        #expect(listed.filter { $0 > 2 }.count == 1, "inherited: \(listed)")
        #expect(pipe.fileHandleForWriting.fileDescriptor > 3)
    }

    @Test func theFirstLineTheExitStatusAndTheDeadlines() async throws {
        let talker = try ChildProcess.launch("/bin/sh", ["-c", "echo 'listening 4242'; sleep 0.2; exit 3"])
        defer { talker.kill() }
        #expect(try await talker.firstLine() == "listening 4242")
        #expect(try await talker.exit() == 3)

        let silent = try ChildProcess.launch("/bin/sleep", ["30"])
        defer { silent.kill() }
        await #expect(throws: ChildProcess.Failure.self) { try await silent.firstLine(within: .milliseconds(200)) }
        #expect(silent.exitStatus == 128 + SIGKILL)

        let quitter = try ChildProcess.launch("/bin/sh", ["-c", "exit 1"])
        defer { quitter.kill() }
        await #expect(throws: ChildProcess.Failure.self) { try await quitter.firstLine() }

        #expect(throws: ChildProcess.Failure.self) { try ChildProcess.launch("/nonexistent/tool", []) }
    }
}
