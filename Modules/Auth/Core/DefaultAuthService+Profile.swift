public import CabinetCore
import Foundation
import Logging
public import Subscribers

extension DefaultAuthService {
    /// The profile of the session's own line and whether its e-mail is confirmed.
    public func profile(_ session: AuthSession) async throws -> (line: Line, emailConfirmed: Bool) {
        guard let line = try await lines.line(id: session.subscriberID) else {
            throw CabinetError(AuthError.required)
        }
        let confirmed = try await store.confirmedEmail(of: line.id)
        return (line, confirmed != nil && confirmed == line.owner.email)
    }

    public func isConfirmed(email: String, of line: SubscriberID) async throws -> Bool {
        try await store.confirmedEmail(of: line)?.lowercased() == email.lowercased()
    }

    /// The subscriber edits their profile (name, e-mail, contact number, address); a new e-mail gets a code to
    /// confirm it. Changing the e-mail needs a step-up (statements and notices go there), and the phone and the old
    /// confirmed address are told.
    public func updateProfile(
        _ session: AuthSession, fullName: FieldChange<String>, email: FieldChange<String>,
        contactNumber: FieldChange<MSISDN>, postalAddress: FieldChange<String>, client: ClientInfo
    )
        async throws -> Line
    {
        var patch = LinePatch()
        patch.fullName = fullName
        patch.email = email
        patch.contactNumber = contactNumber
        patch.postalAddress = postalAddress
        guard !patch.isEmpty else { return try await profile(session).line }
        let before = try await profile(session).line
        let oldEmail = before.owner.email
        let newEmail: String? =
            switch email {
            case .keep: oldEmail
            case .set(let address): address
            case .clear: nil
            }
        let emailChanges = newEmail?.lowercased() != oldEmail?.lowercased()
        if emailChanges {
            let now = clock.now
            guard let at = session.steppedUpAt, now.timeIntervalSince(at) <= 300,
                session.steppedUpFor == session.subscriberID
            else {
                throw CabinetError(AuthError.stepUpRequired)
            }
        }
        let oldConfirmed = try await store.confirmedEmail(of: before.id)
        let line = try await lines.update(msisdn: session.msisdn, with: patch)
        if emailChanges {
            try await notifyEmailChange(
                line, from: oldConfirmed.flatMap { $0.lowercased() == oldEmail?.lowercased() ? $0 : nil },
                to: newEmail, client: client)
        }
        if case .set(let address) = email, try await store.confirmedEmail(of: line.id) != address {
            _ = try await requestEmailConfirmation(session, client: client)
        }
        return line
    }

    /// Tells the phone, and the old address when it was confirmed, that the profile's e-mail changed.
    func notifyEmailChange(_ line: Line, from old: String?, to new: String?, client: ClientInfo) async throws {
        let shown = new ?? "—"
        try await store.record(
            JournalEntry(
                subscriberID: line.id, msisdn: line.msisdn.e164, at: clock.now, event: .emailChanged,
                client: client, detail: shown),
            message: OutgoingText(
                to: .phone(line.msisdn),
                text: messages.text("auth.sms.emailChanged", in: client.language, arguments: ["email": shown]),
                purpose: "auth.emailChanged"))
        guard let old else { return }
        try await store.record(
            JournalEntry(
                subscriberID: line.id, msisdn: line.msisdn.e164, at: clock.now, event: .emailChanged,
                client: client, detail: "told \(old)"),
            message: OutgoingText(
                to: .email(old), subject: messages.text("auth.mail.emailChanged.subject", in: client.language),
                text: messages.text(
                    "auth.mail.emailChanged.text", in: client.language,
                    arguments: ["email": shown, "msisdn": line.msisdn.formatted]),
                purpose: "auth.emailChanged"))
    }

    /// Sends a confirmation code to the profile's e-mail.
    public func requestEmailConfirmation(_ session: AuthSession, client: ClientInfo) async throws -> CodeSent {
        let (line, confirmed) = try await profile(session)
        guard let email = line.owner.email, !confirmed else {
            throw CabinetError(AuthError.emailNothingToConfirm)
        }
        let settings = policy(for: line)
        return try await sendCode(purpose: .email, key: email.lowercased(), settings: settings, client: client) {
            code, hash, expiresAt in
            CodeIssue(
                subscriberID: line.id, sessionID: session.id, target: email, codeHash: hash, expiresAt: expiresAt,
                message: OutgoingText(
                    to: .email(email), subject: messages.text("auth.mail.emailCode.subject", in: client.language),
                    text: messages.text("auth.mail.emailCode.text", in: client.language, arguments: ["code": code]),
                    purpose: "auth.email", sensitive: true))
        }
    }

    public func confirmEmail(_ session: AuthSession, code: String, client: ClientInfo) async throws {
        let (line, _) = try await profile(session)
        guard let email = line.owner.email else { throw CabinetError(AuthError.emailNothingToConfirm) }
        let outcome = try await check(
            code, purpose: .email, key: email.lowercased(), sessionID: session.id,
            settings: policy(for: line), client: client)
        guard case .valid(_, let target) = outcome, target == email else {
            throw error(for: outcome == .valid(subscriberID: nil, target: nil) ? .noCode : outcome)
        }
        try await store.confirmEmail(email, for: line.id, now: clock.now)
        try await store.record(
            JournalEntry(
                subscriberID: line.id, msisdn: line.msisdn.e164, at: clock.now, event: .emailConfirmed,
                client: client, detail: email), message: nil)
    }
}
