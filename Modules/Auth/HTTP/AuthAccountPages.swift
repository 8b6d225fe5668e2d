import Auth
import CabinetCore
import CabinetHTTP
import Foundation
import HTTPTypes
import Hummingbird
import Subscribers

/// Profile and security pages of a logged-in subscriber, and the social login round trip.
struct AuthAccountPages {
    let service: any AuthService
    let cookies: SessionCookies
    let renderer: WebRenderer
    let publicBaseURL: String

    var catalog: MessageCatalog { renderer.catalog }

    func add(to web: RouterGroup<CabinetRequestContext>) {
        web.get("profile") { request, context in try await profile(request, context) }
        web.post("profile") { request, context in
            try await action(request, context, page: profile) { fields, session in
                let patch = ProfilePatch(form: fields)
                guard patch.problems.isEmpty else { throw CabinetError.validation(patch.problems) }
                _ = try await service.updateProfile(
                    session, fullName: patch.fullName, email: patch.email,
                    contactNumber: patch.contactNumber, postalAddress: patch.postalAddress,
                    client: client(request, context))
                return .seeOther(to: "/profile?done=saved")
            }
        }
        web.post("profile/email/confirm") { request, context in
            try await action(request, context, page: profile) { fields, session in
                try await service.confirmEmail(session, code: fields["code"] ?? "", client: client(request, context))
                return .seeOther(to: "/profile?done=saved")
            }
        }
        web.get("security") { request, context in try await security(request, context) }
        web.post("security/password") { request, context in
            try await action(request, context, page: security) { fields, session in
                let current = fields["currentPassword"].flatMap { $0.isEmpty ? nil : $0 }
                let updated = try await service.setPassword(
                    fields["password"] ?? "", session: session,
                    proof: current.map { .currentPassword($0) } ?? .recentCode,
                    client: client(request, context))
                let (token, _) = try await service.rotate(updated)
                return .seeOther(to: "/security?done=passwordChanged", cookies: [cookies.session(token)])
            }
        }
        web.post("security/step-up") { request, context in
            try await action(request, context, page: security) { _, session in
                _ = try await service.requestStepUpCode(session, client: client(request, context))
                return .seeOther(to: "/security?done=codeSent#step-up")
            }
        }
        web.post("security/step-up/verify") { request, context in
            try await action(request, context, page: security) { fields, session in
                let (token, _) = try await service.confirmStepUp(
                    session, code: fields["code"] ?? "", client: client(request, context))
                return .seeOther(to: "/security?done=confirmed", cookies: [cookies.session(token)])
            }
        }
        web.post("security/sessions/end-others") { request, context in
            try await action(request, context, page: security) { _, session in
                _ = try await service.logoutOthers(session)
                return .seeOther(to: "/security#sessions")
            }
        }
        web.post("security/sessions/:id/end") { request, context in
            try await action(request, context, page: security) { _, session in
                _ = try await service.endSession(id: context.parameters.get("id") ?? "", of: session)
                return .seeOther(to: "/security#sessions")
            }
        }
        web.post("security/switch") { request, context in
            try await action(request, context, page: security) { fields, session in
                let (token, _, _) = try await service.switchLine(session, to: try parse(fields["msisdn"] ?? ""))
                return .seeOther(to: "/", cookies: [cookies.session(token)])
            }
        }
        web.post("security/links") { request, context in
            try await action(request, context, page: security) { fields, session in
                let msisdn = try parse(fields["msisdn"] ?? "")
                _ = try await service.requestLink(session, msisdn: msisdn, client: client(request, context))
                return .seeOther(
                    to:
                        "/security?done=linkCodeSent&link=\(msisdn.e164.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")#lines"
                )
            }
        }
        web.post("security/links/confirm") { request, context in
            try await action(request, context, page: security) { fields, session in
                _ = try await service.confirmLink(
                    session, msisdn: try parse(fields["msisdn"] ?? ""), code: fields["code"] ?? "",
                    client: client(request, context))
                return .seeOther(to: "/security#lines")
            }
        }
        web.post("security/links/remove") { request, context in
            try await action(request, context, page: security) { fields, session in
                try await service.unlink(
                    session, msisdn: try parse(fields["msisdn"] ?? ""), client: client(request, context))
                return .seeOther(to: "/security#lines")
            }
        }
        web.post("security/delegations") { request, context in
            try await action(request, context, page: security) { fields, session in
                try context.requireStepUp(now: service.now)
                let line = try context.requireLine(.manageServices)
                let chosen = Set(AccessScope.allCases.filter { fields["scope.\($0.rawValue)"] != nil })
                guard let until = LocalDate(fields["expiresOn"] ?? "") else {
                    throw CabinetError.validation([FieldError(field: "expiresOn", code: AuthError.delegationExpiry)])
                }
                _ = try await service.grant(
                    session, on: line, to: try parse(fields["grantee"] ?? "", field: "grantee"), scopes: chosen,
                    through: until, client: client(request, context))
                return .seeOther(to: "/security#delegations")
            }
        }
        web.post("security/delegations/:id/revoke") { request, context in
            try await action(request, context, page: security) { _, session in
                guard let id = context.parameters.get("id").flatMap(Int64.init) else {
                    throw CabinetError(KernelError.notFound)
                }
                try await service.revoke(session, delegation: id, client: client(request, context))
                return .seeOther(to: "/security#delegations")
            }
        }
        web.post("security/social/:provider/unlink") { request, context in
            try await action(request, context, page: security) { _, session in
                try await service.unlinkIdentity(
                    session, provider: context.parameters.get("provider") ?? "", client: client(request, context))
                return .seeOther(to: "/security#social")
            }
        }
        // Logging in starts on a link (nothing changes until the provider sends the person back to this browser);
        // linking a provider to the line changes how one gets in, so it starts on a form with the anti-forgery token.
        web.get("auth/social/:provider/start") { request, context in
            try await startSocial(context.parameters.get("provider") ?? "", intent: .login, session: nil)
        }
        web.post("security/social/:provider/link") { request, context in
            try await action(request, context, page: security) { _, session in
                try await startSocial(context.parameters.get("provider") ?? "", intent: .link, session: session)
            }
        }
        web.get("auth/social/:provider/callback") { request, context -> Response in
            let provider = context.parameters.get("provider") ?? ""
            guard let code = request.uri.queryParameters.get("code"),
                let state = request.uri.queryParameters.get("state")
            else {
                throw CabinetError(AuthError.socialState)
            }
            let session = context.session == nil ? nil : try await AuthRouting.session(context, service: service)
            if let result = try await service.finishSocial(
                provider: provider, code: code, state: state,
                browserNonce: request.cookies[cookies.socialName]?.value, session: session,
                redirectURI: callbackURI(provider), kind: .web, client: client(request, context))
            {
                var set = [cookies.session(result.token), cookies.socialExpired()]
                if let device = AuthRouting.deviceCookie(request, result, cookies: cookies) { set.append(device) }
                return .seeOther(to: "/", cookies: set)
            }
            return .seeOther(to: "/security#social", cookies: [cookies.socialExpired()])
        }
    }

    /// Sends the browser to the provider with a fresh nonce in a cookie, which the callback must bring back.
    func startSocial(_ provider: String, intent: SocialState.Intent, session: AuthSession?) async throws -> Response {
        let nonce = SecureRandom.token(bytes: 24)
        let url = try await service.startSocial(
            provider: provider, intent: intent, session: session, redirectURI: callbackURI(provider),
            browserNonce: nonce)
        var headers = HTTPFields()
        headers[.location] = url.absoluteString
        headers[.setCookie] = cookies.social(nonce)
        return Response(status: .seeOther, headers: headers)
    }

    func callbackURI(_ provider: String) -> String { "\(publicBaseURL)/auth/social/\(provider)/callback" }

    // MARK: Pages

    func profile(_ request: Request, _ context: CabinetRequestContext) async throws -> Response {
        try await profile(request, context, error: nil)
    }

    func profile(_ request: Request, _ context: CabinetRequestContext, error: String?) async throws -> Response {
        let session = try await requireLoggedIn(context)
        let (line, confirmed) = try await service.profile(session)
        let language = context.language
        var data: [String: Any] = [
            "msisdn": line.msisdn.formatted, "fullName": line.owner.fullName ?? "", "email": line.owner.email ?? "",
            "emailConfirmed": confirmed, "contactNumber": line.owner.contactNumber?.formatted ?? "",
            "postalAddress": line.owner.postalAddress ?? "", "completeness": line.owner.completenessPercent,
            "completenessText": catalog.text(
                "web.profile.completeness", in: language, arguments: ["percent": String(line.owner.completenessPercent)]
            ),
            "csrf": session.csrfToken,
        ]
        if request.uri.queryParameters.get("done") == "saved" {
            data["notice"] = catalog.text("web.profile.saved", in: language)
        }
        if let error { data["error"] = error }
        return renderer.render(
            "profile", title: catalog.text("web.profile.title", in: language), context: context, data: data,
            path: "/profile")
    }

    func security(_ request: Request, _ context: CabinetRequestContext) async throws -> Response {
        try await security(request, context, error: nil)
    }

    func security(_ request: Request, _ context: CabinetRequestContext, error: String?) async throws -> Response {
        let session = try await requireLoggedIn(context)
        let language = context.language
        let zone = TimeZone(identifier: "Europe/Moscow") ?? .gmt
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: language == .ru ? "ru_RU" : "en_GB")
        formatter.timeZone = zone
        formatter.dateFormat = "dd.MM.yyyy HH:mm"
        let lines = try await service.accessibleLines(session).map { line -> [String: Any] in
            let relation: String
            switch line.access.relation {
            case .own: relation = catalog.text("web.relation.own", in: language)
            case .linked: relation = catalog.text("web.relation.linked", in: language)
            case .delegated(let until):
                relation = catalog.text(
                    "web.relation.delegated", in: language, arguments: ["date": formatter.string(from: until)])
            }
            return [
                "msisdn": line.access.msisdn.formatted, "e164": line.access.msisdn.e164, "relation": relation,
                "ownerName": line.ownerName ?? "", "current": line.isCurrent, "linked": line.access.relation == .linked,
                "csrf": session.csrfToken,
            ]
        }
        let holders = try await service.links(session).holders.map { line -> [String: Any] in
            [
                "msisdn": line.msisdn.formatted, "e164": line.msisdn.e164, "ownerName": line.owner.fullName ?? "",
                "csrf": session.csrfToken,
            ]
        }
        let (given, received) = try await service.delegations(session)
        func scopesText(_ scopes: Set<AccessScope>) -> String {
            scopes.map { catalog.text("web.scope.\($0.rawValue)", in: language) }.sorted().joined(separator: ", ")
        }
        let identities = try await service.linkedIdentities(session)
        let sessions = try await service.sessions(of: session).map { item -> [String: Any] in
            [
                "id": item.id, "current": item.id == session.id,
                "agent": item.client.userAgent.map { String($0.prefix(60)) } ?? "—",
                "address": item.client.address ?? "—", "lastSeen": formatter.string(from: item.lastSeenAt),
                "csrf": session.csrfToken,
            ]
        }
        let journal = try await service.journal(of: session, before: nil, limit: 30).map { entry -> [String: Any] in
            [
                "at": formatter.string(from: entry.at),
                "event": catalog.text("web.event.\(entry.event.rawValue)", in: language),
                "method": entry.method.map { catalog.text("web.method.\($0.rawValue)", in: language) } ?? "",
                "address": entry.client.address ?? "",
                // A support agent's look names the agent and the ticket instead of a browser.
                "agent": entry.event == .supportViewed
                    ? (entry.detail ?? "") : entry.client.userAgent.map { String($0.prefix(40)) } ?? "",
            ]
        }
        var data: [String: Any] = [
            "csrf": session.csrfToken, "hasPassword": try await service.hasPassword(session), "lines": lines,
            "holders": holders, "hasHolders": !holders.isEmpty,
            "given": given.filter { $0.isActive(at: service.now) }.map {
                [
                    "id": $0.id, "grantee": $0.grantee.formatted, "scopes": scopesText($0.scopes),
                    "until": formatter.string(from: $0.expiresAt), "csrf": session.csrfToken,
                ] as [String: Any]
            },
            "received": received.map {
                [
                    "owner": $0.ownerMSISDN.formatted, "scopes": scopesText($0.scopes),
                    "until": formatter.string(from: $0.expiresAt),
                ]
            },
            "hasReceived": !received.isEmpty,
            "providers": service.identityProviders.map { provider -> [String: Any] in
                let linked = identities.first { $0.provider == provider.id }
                return [
                    "id": provider.id, "label": provider.displayName, "linked": linked != nil,
                    "linkedName": linked?.displayName ?? linked?.subject ?? "", "csrf": session.csrfToken,
                    "linkLabel": catalog.text(
                        "web.security.linkSocial", in: language, arguments: ["provider": provider.displayName]),
                ]
            },
            "hasProviders": !service.identityProviders.isEmpty,
            "sessions": sessions, "journal": journal,
            "defaultUntil": LocalDate(service.now, in: zone).adding(days: 30).description,
        ]
        if let link = request.uri.queryParameters.get("link") { data["linkMsisdn"] = link }
        switch request.uri.queryParameters.get("done") {
        case "passwordChanged": data["notice"] = catalog.text("web.security.passwordChanged", in: language)
        case "linkCodeSent":
            let number = request.uri.queryParameters.get("link").flatMap { try? MSISDN(parsing: $0) }?.formatted ?? ""
            data["notice"] = catalog.text("web.security.linkCodeSent", in: language, arguments: ["msisdn": number])
        case "codeSent":
            // A step-up code goes to the number of the line the session acts on (the owner's, on a delegated line).
            let acting = context.line?.msisdn ?? session.msisdn
            data["notice"] = catalog.text("web.login.codeSent", in: language, arguments: ["msisdn": acting.formatted])
        default: break
        }
        if let error { data["error"] = error }
        return renderer.render(
            "security", title: catalog.text("web.security.title", in: language), context: context, data: data,
            path: "/security")
    }

    /// The session, or a redirect to the login page for a person who is not logged in.
    func requireLoggedIn(_ context: CabinetRequestContext) async throws -> AuthSession {
        guard context.session != nil else { throw LoginRedirect() }
        let session = try await AuthRouting.session(context, service: service)
        if session.passwordRequired { throw PasswordRedirect() }
        return session
    }

    /// A POST from a logged-in page: token check, then `body`; a refusal re-renders the page with the message.
    func action(
        _ request: Request, _ context: CabinetRequestContext,
        page: (Request, CabinetRequestContext, String?) async throws -> Response,
        _ body: ([String: String], AuthSession) async throws -> Response
    ) async throws -> Response {
        let fields = try await request.formFields()
        try request.checkForgeryToken(fields, context: context, cookieName: cookies.csrfName)
        let session = try await requireLoggedIn(context)
        do {
            return try await body(fields, session)
        } catch let error as CabinetError {
            var response = try await page(
                request, context, AuthPages.explain(error, catalog: catalog, language: context.language))
            response.status = error.kind.httpStatus
            return response
        }
    }

    func client(_ request: Request, _ context: CabinetRequestContext) -> ClientInfo {
        AuthRouting.client(request, context, cookies: cookies, issueDevice: true)
    }
}

/// Thrown by pages that need a session; the module's middleware turns it into a redirect to `/login`.
struct LoginRedirect: Error {}
/// Thrown when a PUK login has not chosen a password yet; redirects to `/password`.
struct PasswordRedirect: Error {}
