public import CabinetCore
public import Foundation
import Subscribers

extension DefaultAuthService {
    public func sendBlockCode(for msisdn: MSISDN, to contact: MSISDN, clientAddress: String?, language: Language)
        async throws -> Date
    {
        let line = try await lines.line(msisdn: msisdn)
        let matches =
            line.map { ($0.status == .active || $0.status == .suspended) && $0.owner.contactNumber == contact }
            ?? false
        let settings = policy(for: msisdn, line: line)
        let client = ClientInfo(address: clientAddress, language: language)
        // Keyed by the pair: whoever holds the lost phone cannot use up or replace the owner's codes by asking for
        // login codes or for codes with a wrong contact number; the per-address limit still applies.
        let sent = try await sendCode(
            purpose: .simBlock, key: Self.blockCodeKey(msisdn, contact), settings: settings, client: client
        ) {
            code, hash, expiresAt in
            guard matches, let line else {
                return CodeIssue(
                    subscriberID: nil, sessionID: nil, target: nil, codeHash: hash, expiresAt: expiresAt, message: nil)
            }
            return CodeIssue(
                subscriberID: line.id, sessionID: nil, target: nil, codeHash: hash, expiresAt: expiresAt,
                message: OutgoingText(
                    to: .phone(contact),
                    text: messages.text(
                        "auth.sms.simBlockCode", in: language, arguments: ["code": code, "msisdn": msisdn.formatted]),
                    purpose: "auth.simBlock", sensitive: true))
        }
        return sent.resendAt
    }

    public func confirmBlockCode(_ code: String, for msisdn: MSISDN, contact: MSISDN, clientAddress: String?)
        async throws -> SubscriberID
    {
        let line = try await lines.line(msisdn: msisdn)
        let settings = policy(for: msisdn, line: line)
        let client = ClientInfo(address: clientAddress)
        let outcome = try await check(
            code, purpose: .simBlock, key: Self.blockCodeKey(msisdn, contact), sessionID: nil, settings: settings,
            client: client)
        guard case .valid(let subscriber, _) = outcome, let subscriber else {
            try await recordFailure(msisdn, line: line, method: .otp, client: client, detail: "SIM block \(outcome)")
            throw error(for: outcome == .valid(subscriberID: nil, target: nil) ? .noCode : outcome)
        }
        return subscriber
    }

    static func blockCodeKey(_ msisdn: MSISDN, _ contact: MSISDN) -> String { "\(msisdn.e164)|\(contact.e164)" }
}
