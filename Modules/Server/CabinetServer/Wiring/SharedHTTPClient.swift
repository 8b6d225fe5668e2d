public import AsyncHTTPClient
import Synchronization

/// One HTTP client for the outbound adapters (identity providers, acquirers), created when the first adapter asks
/// for it and shut down with the runtime.
public final class SharedHTTPClient: Sendable {
    private let client = Mutex<HTTPClient?>(nil)

    public init() {}

    public var shared: HTTPClient {
        client.withLock { client in
            if let client { return client }
            let created = HTTPClient(eventLoopGroupProvider: .singleton)
            client = created
            return created
        }
    }

    func shutdown() async {
        let created = client.withLock { client in
            defer { client = nil }
            return client
        }
        try? await created?.shutdown()
    }
}
