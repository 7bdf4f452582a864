import BerthCore
import Foundation
import Hummingbird

/// Authenticates every request of the routes it guards: `Authorization: Bearer <token>`, else the session
/// cookie, folded against the ledger's tokens on each request. Refusals are 401 (JSON under the API, a
/// redirect to the login page for pages) and never echo the credential.
struct AccessMiddleware: RouterMiddleware {
    typealias Context = ServerContext

    let tokens: AccessTokens
    let settings: ServerSettings
    /// Whether the routes are pages (redirect to login) rather than the API (401 JSON).
    let pages: Bool

    static let cookieName = "berth_session"

    func handle(_ request: Request, context: ServerContext, next: (Request, ServerContext) async throws -> Response)
        async throws -> Response
    {
        var context = context
        if settings.authentication == .none {
            context.principal = Principal(
                name: settings.anonymousActor, role: .admin, environment: nil, tokenID: nil, fromCookie: false)
            return try await next(request, context)
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
            return refuse("no credentials: send Authorization: Bearer <token> (berth token create)", request: request)
        }
        switch try await tokens.authenticate(presented) {
        case .failure(let refusal):
            context.logger.notice("refused a token", metadata: ["why": "\(refusal)"])
            return refuse(refusal.description, request: request, clearCookie: fromCookie)
        case .success(let token):
            context.principal = Principal(
                name: token.name, role: token.role, environment: token.environment, tokenID: token.id,
                fromCookie: fromCookie, csrf: AccessToken.hash(of: "berth-csrf:" + presented))
            return try await next(request, context)
        }
    }

    private func refuse(_ message: String, request: Request, clearCookie: Bool = false) -> Response {
        var response: Response
        if pages {
            response = Response(
                status: .seeOther, headers: [.location: "\(settings.basePath)/login", .cacheControl: "no-store"])
        } else {
            response = APIError.response(.unauthorized, message)
            response.headers[.wwwAuthenticate] = "Bearer realm=\"berth\""
        }
        if clearCookie { response.headers[.setCookie] = SessionCookie.cleared(settings) }
        return response
    }
}

/// The session cookie: the token itself, re-checked against the ledger on every request (so a revoked
/// token's sessions end at once and replicas share none), `HttpOnly`, `SameSite=Strict`, `Secure` behind https.
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
