import Auth
import CabinetCore
import CabinetHTTP
import Foundation
import HTTPTypes
import Hummingbird
import Subscribers

/// The JSON API of Auth: `/api/v1/auth/…` to get in, `/api/v1/me/…` for the session's own security settings.
/// API clients receive a bearer token in the body; the web pages use cookies instead (see ``AuthWebRoutes``).
struct AuthAPIRoutes {
    let service: any AuthService
    let cookies: SessionCookies

    func add(to api: RouterGroup<CabinetRequestContext>) {
        let auth = api.group("auth")
        auth.post("otp") { request, context in
            let body = try await request.decodeJSON(as: NumberBody.self, context: context)
            let sent = try await service.requestLoginCode(for: try parse(body.msisdn), client: client(request, context))
            return try Response.json(CodeSentDTO(sent), status: .accepted)
        }
        auth.post("otp/verify") { request, context in
            let body = try await request.decodeJSON(as: CodeBody.self, context: context)
            let result = try await service.login(
                msisdn: try parse(body.msisdn), code: body.code, kind: .api,
                client: client(request, context))
            return try Response.json(TokenDTO(token: result.token, session: result.session))
        }
        auth.post("password") { request, context in
            let body = try await request.decodeJSON(as: PasswordLoginBody.self, context: context)
            let result = try await service.login(
                msisdn: try parse(body.msisdn), password: body.password, kind: .api,
                client: client(request, context))
            return try Response.json(TokenDTO(token: result.token, session: result.session))
        }
        auth.post("puk") { request, context in
            let body = try await request.decodeJSON(as: PUKBody.self, context: context)
            let result = try await service.login(
                msisdn: try parse(body.msisdn), puk: body.puk, kind: .api, client: client(request, context))
            return try Response.json(TokenDTO(token: result.token, session: result.session))
        }
        auth.post("reset") { request, context in
            let body = try await request.decodeJSON(as: NumberBody.self, context: context)
            let sent = try await service.requestPasswordReset(
                for: try parse(body.msisdn), client: client(request, context))
            return try Response.json(CodeSentDTO(sent), status: .accepted)
        }
        auth.post("reset/confirm") { request, context in
            let body = try await request.decodeJSON(as: ResetBody.self, context: context)
            let result = try await service.resetPassword(
                msisdn: try parse(body.msisdn), code: body.code, newPassword: body.password,
                kind: .api, client: client(request, context))
            return try Response.json(TokenDTO(token: result.token, session: result.session))
        }
        auth.post("push") { request, context in
            let body = try await request.decodeJSON(as: NumberBody.self, context: context)
            let started = try await service.startPushLogin(
                for: try parse(body.msisdn), client: client(request, context))
            struct Started: Encodable { var id: String; var expiresAt: Date }
            return try Response.json(Started(id: started.id, expiresAt: started.expiresAt), status: .accepted)
        }
        auth.get("push/:id") { request, context in
            struct Progress: Encodable { var status: String; var login: TokenDTO? }
            switch try await service.pollPushLogin(
                id: context.parameters.get("id") ?? "", kind: .api, client: client(request, context))
            {
            case .pending: return try Response.json(Progress(status: "pending"))
            case .declined: return try Response.json(Progress(status: "declined"))
            case .expired: return try Response.json(Progress(status: "expired"))
            case .loggedIn(let result):
                return try Response.json(
                    Progress(status: "confirmed", login: TokenDTO(token: result.token, session: result.session)))
            }
        }
        auth.post("logout") { _, context in
            try await service.logout(try await current(context, beforePassword: true))
            return Response(status: .noContent)
        }
        auth.post("step-up") { request, context in
            let sent = try await service.requestStepUpCode(try await current(context), client: client(request, context))
            return try Response.json(CodeSentDTO(sent), status: .accepted)
        }
        auth.post("step-up/verify") { request, context in
            let body = try await request.decodeJSON(as: OnlyCode.self, context: context)
            let (token, session) = try await service.confirmStepUp(
                try await current(context), code: body.code,
                client: client(request, context))
            return try Response.json(TokenDTO(token: token, session: session))
        }

        let me = api.group("me")
        me.get("sessions") { _, context in
            let session = try await current(context)
            // Lists answer `{"items": [...]}` like every other list of the API (a session has only a few).
            let items = try await service.sessions(of: session).map {
                SessionDTO(
                    id: $0.id, current: $0.id == session.id, method: $0.method.rawValue, createdAt: $0.createdAt,
                    lastSeenAt: $0.lastSeenAt, userAgent: $0.client.userAgent, address: $0.client.address)
            }
            return try Response.json(Page(items: items, nextCursor: nil))
        }
        me.delete("sessions/:id") { _, context in
            guard try await service.endSession(id: context.parameters.get("id") ?? "", of: try await current(context))
            else {
                throw CabinetError(KernelError.notFound)
            }
            return Response(status: .noContent)
        }
        me.post("sessions/end-others") { _, context in
            struct Ended: Encodable { var ended: Int }
            return try Response.json(Ended(ended: try await service.logoutOthers(try await current(context))))
        }
        me.get("journal") { request, context in
            let query = try PageQuery(request)
            let entries = try await service.journal(
                of: try await current(context), before: try query.cursor { Int64($0) },
                limit: query.fetchLimit)
            return try Response.json(
                Page(entries, query: query, cursor: { $0.id.map(String.init) ?? "" }) {
                    JournalDTO(
                        id: $0.id, at: $0.at, event: $0.event.rawValue, method: $0.method?.rawValue,
                        address: $0.client.address, userAgent: $0.client.userAgent, detail: $0.detail)
                })
        }
        me.post("password") { request, context in
            let body = try await request.decodeJSON(as: SetPasswordBody.self, context: context)
            let session = try await current(context, beforePassword: true)
            let proof: PasswordProof =
                session.passwordRequired ? .pukLogin : body.currentPassword.map { .currentPassword($0) } ?? .recentCode
            _ = try await service.setPassword(
                body.password, session: session, proof: proof, client: client(request, context))
            return Response(status: .noContent)
        }
        me.get("lines") { _, context in
            try Response.json(
                Page(
                    items: try await service.accessibleLines(try await current(context)).map(LineDTO.init),
                    nextCursor: nil))
        }
        me.post("switch") { request, context in
            let body = try await request.decodeJSON(as: NumberBody.self, context: context)
            let (token, session, _) = try await service.switchLine(
                try await current(context), to: try parse(body.msisdn))
            return try Response.json(TokenDTO(token: token, session: session))
        }
        me.get("links") { _, context in
            let links = try await service.links(try await current(context))
            struct Number: Encodable { var msisdn: String; var ownerName: String? }
            struct Links: Encodable { var held: [Number]; var holders: [Number] }
            return try Response.json(
                Links(
                    held: links.held.map { Number(msisdn: $0.msisdn.e164, ownerName: $0.owner.fullName) },
                    holders: links.holders.map { Number(msisdn: $0.msisdn.e164, ownerName: $0.owner.fullName) }))
        }
        me.post("links") { request, context in
            let body = try await request.decodeJSON(as: NumberBody.self, context: context)
            let sent = try await service.requestLink(
                try await current(context), msisdn: try parse(body.msisdn), client: client(request, context))
            return try Response.json(CodeSentDTO(sent), status: .accepted)
        }
        me.post("links/confirm") { request, context in
            let body = try await request.decodeJSON(as: LinkConfirmBody.self, context: context)
            let line = try await service.confirmLink(
                try await current(context), msisdn: try parse(body.msisdn), code: body.code,
                client: client(request, context))
            struct Linked: Encodable { var msisdn: String }
            return try Response.json(Linked(msisdn: line.msisdn.e164), status: .created)
        }
        me.delete("links/:msisdn") { request, context in
            let raw = context.parameters.get("msisdn") ?? ""
            try await service.unlink(
                try await current(context), msisdn: try parse(raw.removingPercentEncoding ?? raw),
                client: client(request, context))
            return Response(status: .noContent)
        }
        me.get("delegations") { _, context in
            let (given, received) = try await service.delegations(try await current(context))
            struct Lists: Encodable { var given: [DelegationDTO]; var received: [DelegationDTO] }
            return try Response.json(
                Lists(given: given.map(DelegationDTO.init), received: received.map(DelegationDTO.init)))
        }
        me.post("delegations") { request, context in
            let body = try await request.decodeJSON(as: GrantBody.self, context: context)
            try context.requireStepUp(now: service.now)
            let line = try context.requireLine(.manageServices)
            guard let until = LocalDate(body.expiresOn) else {
                throw CabinetError.validation([FieldError(field: "expiresOn", code: AuthError.delegationExpiry)])
            }
            let grant = try await service.grant(
                try await current(context), on: line, to: try parse(body.grantee, field: "grantee"),
                scopes: try scopes(body.scopes), through: until, client: client(request, context))
            return try Response.json(DelegationDTO(grant), status: .created)
        }
        me.delete("delegations/:id") { request, context in
            guard let id = context.parameters.get("id").flatMap(Int64.init) else {
                throw CabinetError(KernelError.notFound)
            }
            try await service.revoke(try await current(context), delegation: id, client: client(request, context))
            return Response(status: .noContent)
        }
        me.get("profile") { _, context in
            try Response.json(try await profileDTO(try await current(context)))
        }
        me.patch("profile") { request, context in
            let session = try await current(context)
            let body = try await request.decodeJSON(as: ProfilePatch.self, context: context)
            guard body.problems.isEmpty else { throw CabinetError.validation(body.problems) }
            _ = try await service.updateProfile(
                session, fullName: body.fullName, email: body.email, contactNumber: body.contactNumber,
                postalAddress: body.postalAddress, client: client(request, context))
            return try Response.json(try await profileDTO(session))
        }
        me.post("profile/email/send") { request, context in
            let sent = try await service.requestEmailConfirmation(
                try await current(context), client: client(request, context))
            return try Response.json(CodeSentDTO(sent), status: .accepted)
        }
        me.post("profile/email/confirm") { request, context in
            let body = try await request.decodeJSON(as: OnlyCode.self, context: context)
            try await service.confirmEmail(
                try await current(context), code: body.code, client: client(request, context))
            return Response(status: .noContent)
        }
    }

    func profileDTO(_ session: AuthSession) async throws -> ProfileDTO {
        let (line, confirmed) = try await service.profile(session)
        return ProfileDTO(
            msisdn: line.msisdn.e164, fullName: line.owner.fullName, email: line.owner.email, emailConfirmed: confirmed,
            contactNumber: line.owner.contactNumber?.e164, postalAddress: line.owner.postalAddress,
            completenessPercent: line.owner.completenessPercent)
    }

    /// The full session of the request (the context holds only its public part).
    /// The session; a PUK login that has not set its password yet may only set it or log out (`beforePassword`).
    func current(_ context: CabinetRequestContext, beforePassword: Bool = false) async throws -> AuthSession {
        let session = try await AuthRouting.session(context, service: service)
        if session.passwordRequired, !beforePassword { throw CabinetError(KernelError.passwordRequired) }
        return session
    }

    func client(_ request: Request, _ context: CabinetRequestContext) -> ClientInfo {
        AuthRouting.client(request, context, cookies: cookies)
    }
}

/// Helpers shared by the API and the web routes.
enum AuthRouting {
    static func session(_ context: CabinetRequestContext, service: any AuthService) async throws -> AuthSession {
        let info = try context.requireSession()
        guard let session = try await service.session(id: info.id) else {
            throw CabinetError(AuthError.required)
        }
        return session
    }

    /// Who is asking. A browser without a device cookie gets a new device id here (`issueDevice`), which the login
    /// remembers and the answer sets as the cookie, so its very first login is known as a new device too.
    static func client(
        _ request: Request, _ context: CabinetRequestContext, cookies: SessionCookies, issueDevice: Bool = false
    ) -> ClientInfo {
        let device =
            request.cookies[cookies.deviceName]?.value ?? request.headers[HTTPField.Name("X-Device-Id")!]
            ?? (issueDevice ? SecureRandom.token(bytes: 18) : nil)
        return ClientInfo(
            address: context.clientAddress, userAgent: request.headers[.userAgent], deviceID: device,
            language: context.language)
    }

    /// The device cookie to set after a web login when the browser had none: the id the login remembered.
    static func deviceCookie(_ request: Request, _ result: LoginResult, cookies: SessionCookies) -> String? {
        guard request.cookies[cookies.deviceName] == nil else { return nil }
        return cookies.device(result.session.client.deviceID ?? SecureRandom.token(bytes: 18))
    }
}

func parse(_ text: String, field: String = "msisdn") throws -> MSISDN {
    try MSISDNField.parse(text, field: field)
}

func scopes(_ names: [String]) throws -> Set<AccessScope> {
    var result: Set<AccessScope> = []
    for name in names {
        guard let scope = AccessScope(rawValue: name) else {
            throw CabinetError.validation([FieldError(field: "scopes", code: AuthError.delegationScopes)])
        }
        result.insert(scope)
    }
    return result
}
