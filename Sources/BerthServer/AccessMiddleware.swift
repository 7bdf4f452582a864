import BerthCore
import Foundation
import HTTPTypes
import Hummingbird

/// Authenticates every request of the routes it guards: under `--auth proxy`, a trusted peer's identity
/// header; else `Authorization: Bearer <token>`, else the session cookie, checked against the ledger's tokens
/// as of its newest event id (`AccessTokens`: folded again when it moves); else, for a read under
/// `--anonymous-read`, the viewer `anonymous`. Refusals are 401 (JSON
/// under the API, a redirect to the login page for pages) and never echo the credential.
struct AccessMiddleware: RouterMiddleware {
    typealias Context = ServerContext

    let tokens: AccessTokens
    let settings: ServerSettings
    /// Whether the routes are pages (redirect to login) rather than the API (401 JSON).
    let pages: Bool
    /// Whether a request without credentials may read as `anonymous` here (`/metrics` never does).
    var anonymousReads = true

    static let cookieName = "berth_session"
    /// The proxy mode's CSRF cookie: a random value the page's forms repeat (double submit).
    static let csrfCookieName = "berth_csrf"
    /// Who reads under `--anonymous-read`.
    static let anonymousName = "anonymous"

    func handle(_ request: Request, context: ServerContext, next: (Request, ServerContext) async throws -> Response)
        async throws -> Response
    {
        var context = context
        if settings.authentication == .none {
            context.principal = Principal(
                name: settings.anonymousActor, role: .admin, environment: nil, tokenID: nil, via: .open)
            return try await next(request, context)
        }
        if settings.authentication == .proxy, let proxy = settings.proxy {
            switch proxied(request, context: context, proxy: proxy) {
            case .principal(let principal, let newCSRF):
                context.principal = principal
                var response = try await next(request, context)
                if let newCSRF {
                    response.headers.append(HTTPField(name: .setCookie, value: CSRFCookie.set(newCSRF, settings: settings)))
                }
                return response
            case .refused(let response): return response
            case .none: break
            }
        }
        var presented: String?
        var fromCookie = false
        if let header = request.headers[.authorization] {
            let parts = header.split(separator: " ", maxSplits: 1)
            guard parts.count == 2, parts[0].lowercased() == "bearer" else {
                return refuse("use Authorization: Bearer <token> (berth token create)", request: request)
            }
            presented = parts[1].trimmingCharacters(in: .whitespaces)
        } else if let cookie = request.cookies[Self.cookieName]?.value, !cookie.isEmpty {
            presented = cookie
            fromCookie = true
        }
        guard let presented else {
            if settings.anonymousRead, anonymousReads, request.method == .get || request.method == .head {
                context.principal = Principal(
                    name: Self.anonymousName, role: .viewer, environment: nil, tokenID: nil, via: .anonymous)
                let response = try await next(request, context)
                // A read that needs more than a viewer asks for credentials, as if none were allowed.
                guard response.status == .forbidden else { return response }
                return refuse("sign in: this needs a token with a higher role than anonymous reads have", request: request)
            }
            return refuse("no credentials: send Authorization: Bearer <token> (berth token create)", request: request)
        }
        switch try await tokens.authenticate(presented) {
        case .failure(let refusal):
            context.logger.notice("refused a token", metadata: ["why": "\(refusal)"])
            return refuse(refusal.description, request: request, clearCookie: fromCookie)
        case .success(let token):
            context.principal = Principal(
                name: token.name, role: token.role, environment: token.environment, tokenID: token.id,
                via: fromCookie ? .session : .bearer, csrf: AccessToken.hash(of: "berth-csrf:" + presented))
            return try await next(request, context)
        }
    }

    /// What the proxy's identity header says.
    private enum Proxied {
        /// The user, and a CSRF value to set as a cookie when the request brought none.
        case principal(Principal, newCSRF: String?)
        case refused(Response)
        /// No identity header, or one from a peer that is not a trusted proxy: tokens decide.
        case none
    }

    private func proxied(_ request: Request, context: ServerContext, proxy: ProxyAccess) -> Proxied {
        guard let userField = HTTPField.Name(proxy.userHeader) else { return .none }
        let users = request.headers[values: userField]
        guard !users.isEmpty else { return .none }
        guard proxy.trusts(context.peerAddress) else {
            // Anyone can send the header; only the proxy's is believed. Not an identity: tokens decide.
            context.logger.notice(
                "ignored an identity header from a peer that is not a trusted proxy",
                metadata: ["header": "\(proxy.userHeader)", "peer": "\(context.peerAddress ?? "none")"])
            return .none
        }
        let groupsField = proxy.groupsHeader.flatMap { HTTPField.Name($0) }
        let groupValues = groupsField.map { request.headers[values: $0] } ?? []
        // A proxy that appends to a client's header instead of replacing it would let the client's value through.
        guard users.count == 1, groupValues.count <= 1 else {
            context.logger.error("refused a request whose identity header came twice: the proxy must replace the client's")
            return .refused(
                refuse(
                    "\(proxy.userHeader) or its groups header came more than once: configure the proxy to replace the client's",
                    request: request, status: .badRequest))
        }
        let user = users[0]
        guard ProxyAccess.isValidUser(user) else {
            return .refused(
                refuse(
                    "\(proxy.userHeader) is not a name berth records (1 to 128 letters, digits, '.', '_', '@', '+', '-', ':')",
                    request: request, status: .forbidden))
        }
        guard let identity = proxy.identity(user: user, groups: ProxyAccess.groups(groupValues.first)) else {
            context.logger.notice("refused a proxy user no role in berth.yaml names", metadata: ["user": "\(user)"])
            return .refused(
                refuse(
                    "\(user) has no role on this server: an admin adds them to server.proxy.roles in berth.yaml",
                    request: request, status: .forbidden))
        }
        let presented = request.cookies[Self.csrfCookieName]?.value
        let csrf = presented.flatMap { CSRFCookie.isWellFormed($0) ? $0 : nil }
        let value = csrf ?? CSRFCookie.mint()
        return .principal(
            Principal(
                name: identity.name, role: identity.role, environment: identity.environment, tokenID: nil, via: .proxy,
                csrf: value),
            newCSRF: csrf == nil ? value : nil)
    }

    private func refuse(
        _ message: String, request: Request, clearCookie: Bool = false, status: HTTPResponse.Status = .unauthorized
    ) -> Response {
        var response: Response
        if pages && status == .unauthorized {
            response = Response(
                status: .seeOther, headers: [.location: "\(settings.basePath)/login", .cacheControl: "no-store"])
        } else if pages {
            response = Page.response(
                BoardPage.head(title: "berth · refused", basePath: settings.basePath)
                    + "<main><p class=\"error\">\(HTML.escape(message))</p></main></body></html>\n", status: status)
        } else {
            response = APIError.response(status, message)
            if status == .unauthorized { response.headers[.wwwAuthenticate] = "Bearer realm=\"berth\"" }
        }
        if clearCookie { response.headers[.setCookie] = SessionCookie.cleared(settings) }
        return response
    }
}

/// The proxy mode's CSRF cookie (double submit): 32 random bytes in hex, which only pages served to this
/// browser repeat in their forms. `SameSite=Lax` so a link from elsewhere doesn't replace it; it is not a
/// credential, and a form post still needs a same-origin `Origin`.
enum CSRFCookie {
    static func set(_ value: String, settings: ServerSettings) -> String {
        let path = settings.basePath.isEmpty ? "/" : settings.basePath
        return "\(AccessMiddleware.csrfCookieName)=\(value); Path=\(path); HttpOnly; SameSite=Lax"
            + (settings.secureCookies ? "; Secure" : "")
    }

    static func mint() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<32).map { _ in String(format: "%02x", UInt8.random(in: .min ... .max, using: &generator)) }.joined()
    }

    static func isWellFormed(_ value: String) -> Bool {
        value.utf8.count == 64 && value.allSatisfy { $0.isHexDigit && !$0.isUppercase }
    }
}

/// The session cookie: the token itself, re-checked against the ledger's tokens on every request (so a revoked
/// token's sessions end as soon as the server sees the revocation, and replicas share none), `HttpOnly`, `SameSite=Strict`, `Secure` behind https.
enum SessionCookie {
    static func set(_ token: String, settings: ServerSettings, maxAge: Int) -> String {
        attributes("\(AccessMiddleware.cookieName)=\(token)", settings: settings) + "; Max-Age=\(maxAge)"
    }

    static func cleared(_ settings: ServerSettings) -> String {
        attributes("\(AccessMiddleware.cookieName)=", settings: settings) + "; Max-Age=0"
    }

    private static func attributes(_ pair: String, settings: ServerSettings) -> String {
        let path = settings.basePath.isEmpty ? "/" : settings.basePath
        return pair + "; Path=\(path); HttpOnly; SameSite=Strict" + (settings.secureCookies ? "; Secure" : "")
    }
}
