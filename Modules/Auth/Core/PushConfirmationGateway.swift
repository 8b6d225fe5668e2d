public import CabinetCore

/// "Без пароля": the network asks the subscriber to press 1 on the phone. The real adapter talks to the operator's
/// USSD/SIM-toolkit platform; the development adapter leaves the request pending until the operator API or
/// `cabinet auth confirm` answers it.
public protocol PushConfirmationGateway: Sendable {
    /// Asks the phone to confirm login request `id`.
    func requestConfirmation(id: String, msisdn: MSISDN, text: String) async throws
}

/// Development gateway: nothing is sent; confirm through `POST /operator/v1/auth/push/{id}`.
public struct ManualPushGateway: PushConfirmationGateway {
    public init() {}
    public func requestConfirmation(id: String, msisdn: MSISDN, text: String) async throws {}
}
