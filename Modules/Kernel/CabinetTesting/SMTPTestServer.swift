public import Foundation

/// `Scripts/smtpd.py` (aiosmtpd) as a test peer: what it receives is written to `out` as `<n>.eml` and envelopes.jsonl.
public struct SMTPTestServer: Sendable {
    public let process: ChildProcess
    public let port: Int
    public let out: URL

    public enum Failure: Error { case didNotStart(String), noCertificate }

    /// Starts the server on 127.0.0.1: STARTTLS required when `tls` is given, AUTH required when `user` is.
    public static func start(tls: TestCertificate?, user: String? = nil, password: String = "") async throws
        -> SMTPTestServer
    {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("smtpd-\(UUID().uuidString)")
        // The lifetime only stops an orphaned server (a test stops its own when it ends). It is long because a test
        // in the whole suite may wait minutes between starting its server and using it: the suite's tasks share two
        // cores, and at 120 s a statement test's server was gone before its mail went out.
        var arguments = [
            RepositoryPaths.root.appendingPathComponent("Scripts/smtpd.py").path, "--out", out.path, "--lifetime",
            "900",
        ]
        if let tls { arguments += ["--cert", tls.certificate.path, "--key", tls.key.path] }
        if let user { arguments += ["--user", user, "--password", password] }
        let process = try ChildProcess.launch(PythonTools.python, arguments)
        let text = try await process.firstLine()
        guard text.hasPrefix("listening "), let port = Int(text.dropFirst("listening ".count)) else {
            process.kill()
            throw Failure.didNotStart(text)
        }
        return SMTPTestServer(process: process, port: port, out: out)
    }

    /// Received messages, oldest first.
    public var messages: [String] {
        (1...100).compactMap { try? String(contentsOf: out.appendingPathComponent("\($0).eml"), encoding: .utf8) }
    }

    public var envelopes: [[String: Any]] {
        guard let text = try? String(contentsOf: out.appendingPathComponent("envelopes.jsonl"), encoding: .utf8) else {
            return []
        }
        return text.split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
    }

    public func stop() {
        process.kill()
        try? FileManager.default.removeItem(at: out)
    }
}

/// A self-signed certificate for 127.0.0.1 and localhost, made with the openssl command line.
public struct TestCertificate: Sendable {
    public let certificate: URL
    public let key: URL

    public static func make() async throws -> TestCertificate {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("tls-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let certificate = folder.appendingPathComponent("cert.pem")
        let key = folder.appendingPathComponent("key.pem")
        let openssl = try ChildProcess.launch(
            "/usr/bin/openssl",
            [
                "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=localhost",
                "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost", "-keyout", key.path, "-out", certificate.path,
            ], quiet: true)
        defer { openssl.kill() }
        guard try await openssl.exit() == 0 else { throw SMTPTestServer.Failure.noCertificate }
        return TestCertificate(certificate: certificate, key: key)
    }
}

/// The MIME parts of a received message: the base64 bodies by file name (`""` for the text part).
public enum MIMEParts {
    public static func attachments(of message: String) -> [String: Data] {
        var result: [String: Data] = [:]
        for part in message.components(separatedBy: "\r\n--") {
            guard let split = part.range(of: "\r\n\r\n") else { continue }
            let headers = String(part[..<split.lowerBound])
            guard headers.contains("Content-Transfer-Encoding: base64") else { continue }
            let body = part[split.upperBound...].components(separatedBy: "\r\n").prefix {
                !$0.isEmpty && !$0.hasPrefix("--")
            }.joined()
            var name = ""
            if let range = headers.range(of: "filename=\"") {
                name = String(headers[range.upperBound...].prefix { $0 != "\"" })
            }
            if let data = Data(base64Encoded: body) { result[name] = data }
        }
        return result
    }
}

/// The text of a PDF as `pdftotext -layout` (poppler-utils) reads it; `nil` when poppler-utils is not installed.
public enum PDFText {
    public static func extract(_ pdf: Data) async throws -> String? {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/pdftotext") else { return nil }
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("pdf-\(UUID().uuidString).pdf")
        defer { try? FileManager.default.removeItem(at: file) }
        try pdf.write(to: file)
        let pdftotext = try ChildProcess.launch("/usr/bin/pdftotext", ["-layout", file.path, "-"])
        defer { pdftotext.kill() }
        try await pdftotext.exit()
        return pdftotext.outputText
    }
}
