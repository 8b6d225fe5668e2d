import CabinetCore
import CabinetMessaging
import CabinetTesting
import Foundation
import Logging
import Testing

/// The SMPP client against two SMSCs on 127.0.0.1: the server of the PyPI package `smpp34` (a Rust implementation of
/// SMPP 3.4 nobody here wrote, through `Scripts/smsc_smpp34.py`) and `Scripts/smsc.py`, written beside the client. Both
/// take the tests that bind, submit in GSM 7-bit and UCS-2 with concatenation, wait out a throttle, keep the link
/// with enquire_link and unbind; smsc.py alone injects what smpp34's Python server cannot: a bind refused by password
/// (smpp34 accepts every bind) and a connection dropped after a submit. The client binds as a transmitter and asks
/// for no delivery receipts, so none are tested.
@Suite(.serialized) struct SMPPSMSSenderTests {
    enum Peer: String, CaseIterable, CustomTestStringConvertible {
        case smpp34 = "Scripts/smsc_smpp34.py"
        case ours = "Scripts/smsc.py"

        var testDescription: String { self == .smpp34 ? "smpp34" : "smsc.py" }
    }

    struct SMSC {
        let process: ChildProcess
        let port: Int
        let log: URL

        static func start(_ peer: Peer = .ours, arguments: [String] = []) async throws -> SMSC {
            let log = FileManager.default.temporaryDirectory.appendingPathComponent("smsc-\(UUID().uuidString).jsonl")
            let process = try ChildProcess.launch(
                PythonTools.python,
                [
                    RepositoryPaths.root.appendingPathComponent(peer.rawValue).path,
                    // Only against orphans (the test stops it): under the suite's load a test may take minutes.
                    "--port", "0", "--out", log.path, "--lifetime", "900",
                ] + arguments)
            let text = try await process.firstLine()
            guard text.hasPrefix("listening "), let port = Int(text.dropFirst("listening ".count)) else {
                process.kill()
                throw SMSCError.didNotStart(text)
            }
            return SMSC(process: process, port: port, log: log)
        }

        func events() throws -> [[String: Any]] {
            guard let text = try? String(contentsOf: log, encoding: .utf8) else { return [] }
            return text.split(separator: "\n").compactMap {
                try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
            }
        }

        /// The events' names once the last is `last`, or as they are after five seconds: smpp34 tells its script of
        /// an unbind after it has answered it, so the client can be done before the line is written.
        func eventNames(endingWith last: String) async throws -> [String] {
            let deadline = ContinuousClock.now + .seconds(5)
            while true {
                let names = try events().compactMap { $0["event"] as? String }
                if names.last == last || ContinuousClock.now > deadline { return names }
                try await Task.sleep(for: .milliseconds(20))
            }
        }

        func messages() throws -> [[String: Any]] { try events().filter { $0["event"] as? String == "message" } }

        /// The messages once there are `count`, or as they are after five seconds: an SMSC may write a message's line
        /// after it has answered the submit (smpp34's script does), so the client can be done first.
        func messages(count: Int) async throws -> [[String: Any]] {
            let deadline = ContinuousClock.now + .seconds(5)
            while true {
                let found = try messages()
                if found.count >= count || ContinuousClock.now > deadline { return found }
                try await Task.sleep(for: .milliseconds(20))
            }
        }

        func stop() {
            process.kill()
            try? FileManager.default.removeItem(at: log)
        }
    }

    enum SMSCError: Error { case didNotStart(String) }

    func sender(_ smsc: SMSC, password: String = "secret", rate: Int = 50) -> SMPPSMSSender {
        SMPPSMSSender(
            configuration: .init(
                host: "127.0.0.1", port: smsc.port, systemID: "cabinet", password: password,
                sourceAddress: "Tele2", messagesPerSecond: rate), logger: .test)
    }

    let to = MSISDN(e164: "+79001234567")!

    @Test(arguments: Peer.allCases)
    func sendsCyrillicAsUCS2AndLatinInTheDefaultAlphabet(_ peer: Peer) async throws {
        let smsc = try await SMSC.start(peer)
        defer { smsc.stop() }
        let sender = sender(smsc)
        let id = try await sender.send(
            OutgoingSMS(to: to, text: "Код для входа в личный кабинет: 123456", purpose: "test"))
        #expect(id == "msg1")
        _ = try await sender.send(OutgoingSMS(to: to, text: "Your code: 654321", purpose: "test"))
        await sender.shutdown()
        let messages = try await smsc.messages(count: 2)
        #expect(messages.count == 2)
        #expect(messages[0]["text"] as? String == "Код для входа в личный кабинет: 123456")
        #expect(messages[0]["data_coding"] as? Int == 8)
        #expect(messages[0]["to"] as? String == "79001234567")
        #expect(messages[0]["dest_ton"] as? Int == 1)
        #expect(messages[0]["from"] as? String == "Tele2")
        #expect(messages[0]["src_ton"] as? Int == 5)
        #expect(messages[1]["text"] as? String == "Your code: 654321")
        #expect(messages[1]["data_coding"] as? Int == 0)
        let events = try await smsc.eventNames(endingWith: "unbind")
        #expect(events.first == "bind")
        #expect(events.last == "unbind")
        if peer == .ours {
            // smpp34 checks the version itself and does not say which it read.
            #expect(try smsc.events().first?["interface_version"] as? Int == 0x34)
        } else {
            #expect(try smsc.events().first?["system_id"] as? String == "cabinet")
        }
    }

    @Test(arguments: Peer.allCases)
    func longMessagesAreSentAsConcatenatedParts(_ peer: Peer) async throws {
        let smsc = try await SMSC.start(peer)
        defer { smsc.stop() }
        let sender = sender(smsc)
        // 210 characters, 4 UCS-2 parts.
        let russian = String(repeating: "Обещанный платёж погашен, спасибо! ", count: 6)
        let latin = String(repeating: "0123456789", count: 40)  // 400 characters, 3 parts
        _ = try await sender.send(OutgoingSMS(to: to, text: russian, purpose: "test"))
        _ = try await sender.send(OutgoingSMS(to: to, text: latin, purpose: "test"))
        await sender.shutdown()
        let messages = try await smsc.messages(count: 2)
        #expect(messages.count == 2)
        #expect(messages[0]["text"] as? String == russian)
        #expect(messages[0]["parts"] as? Int == 4)
        #expect(messages[1]["text"] as? String == latin)
        #expect(messages[1]["parts"] as? Int == 3)
    }

    @Test(arguments: Peer.allCases)
    func throttlingIsWaitedOut(_ peer: Peer) async throws {
        let smsc = try await SMSC.start(peer, arguments: ["--throttle", "2"])
        defer { smsc.stop() }
        let sender = sender(smsc)
        _ = try await sender.send(OutgoingSMS(to: to, text: "после паузы", purpose: "test"))
        await sender.shutdown()
        #expect(try smsc.events().filter { $0["event"] as? String == "throttled" }.count == 2)
        #expect(try await smsc.messages(count: 1).map { $0["text"] as? String } == ["после паузы"])
    }

    /// A quiet link is kept with enquire_link (and the SMSC's own are answered): later messages go over the same bind.
    @Test(arguments: Peer.allCases)
    func enquireLinkKeepsTheBind(_ peer: Peer) async throws {
        let smsc = try await SMSC.start(peer)
        defer { smsc.stop() }
        var configuration = SMPPSMSSender.Configuration(
            host: "127.0.0.1", port: smsc.port, systemID: "cabinet", password: "secret", sourceAddress: "Tele2",
            messagesPerSecond: 50)
        configuration.enquireLinkInterval = .milliseconds(150)
        let sender = SMPPSMSSender(configuration: configuration, logger: .test)
        _ = try await sender.send(OutgoingSMS(to: to, text: "раз", purpose: "test"))
        try await Task.sleep(for: .seconds(1))
        _ = try await sender.send(OutgoingSMS(to: to, text: "два", purpose: "test"))
        await sender.shutdown()
        #expect(try await smsc.messages(count: 2).compactMap { $0["text"] as? String } == ["раз", "два"])
        #expect(try smsc.events().filter { $0["event"] as? String == "bind" }.count == 1, "one bind throughout")
        if peer == .ours {
            // smpp34 answers enquire_link inside its engine and does not tell; smsc.py counts them.
            #expect(try smsc.events().filter { $0["event"] as? String == "enquire_link" }.count >= 3)
        }
    }

    /// smsc.py only: smpp34's server cannot drop a connection on cue.
    @Test func aDroppedConnectionIsReopened() async throws {
        let smsc = try await SMSC.start(arguments: ["--drop-after", "1"])
        defer { smsc.stop() }
        let sender = sender(smsc)
        _ = try await sender.send(OutgoingSMS(to: to, text: "first", purpose: "test"))
        var delivered = false
        for _ in 0..<30 where !delivered {
            do {
                _ = try await sender.send(OutgoingSMS(to: to, text: "second", purpose: "test"))
                delivered = true
            } catch {
                try await Task.sleep(for: .milliseconds(200))
            }
        }
        await sender.shutdown()
        #expect(delivered)
        #expect(try await smsc.messages(count: 2).compactMap { $0["text"] as? String } == ["first", "second"])
        #expect(try smsc.events().filter { $0["event"] as? String == "bind" }.count == 2)
    }

    /// smsc.py only: smpp34's Python server accepts every bind.
    @Test func aWrongPasswordIsAnErrorTheOutboxRetries() async throws {
        let smsc = try await SMSC.start()
        defer { smsc.stop() }
        let sender = sender(smsc, password: "wrong")
        await #expect(throws: (any Error).self) {
            try await sender.send(OutgoingSMS(to: to, text: "never", purpose: "test"))
        }
        #expect(try smsc.messages().isEmpty)
    }

    @Test func anUnreachableSMSCFailsQuickly() async throws {
        let sender = SMPPSMSSender(
            configuration: .init(
                host: "127.0.0.1", port: 1, systemID: "cabinet", password: "x",
                sourceAddress: "Tele2", messagesPerSecond: 10), logger: .test)
        await #expect(throws: (any Error).self) {
            try await sender.send(OutgoingSMS(to: to, text: "never", purpose: "test"))
        }
    }
}
