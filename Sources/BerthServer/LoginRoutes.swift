import BerthCore
import Foundation
import Hummingbird

/// `/login` exchanges a token for a session cookie; `/logout` clears it. The cookie holds the token and is
/// checked against the ledger's tokens on every request, so a revocation ends its sessions at once (on another
/// replica, as soon as it sees the revocation: within 1 s).
struct LoginRoutes {
    let dependencies: ServerDependencies
    let settings: ServerSettings

    /// The longest a session cookie lives (shorter when the token expires sooner).
    static let sessionSeconds = 12 * 3600

    func register(on group: RouterGroup<ServerContext>) {
        group.get("login") { _, _ in Page.response(form(error: nil)) }
        group.post("login") { request, context in
            if let refusal = crossOrigin(request) { return refusal }
            let body = try await request.body.collect(upTo: 8 * 1024)
            let fields = Self.formFields(String(buffer: body))
            guard let token = fields["token"], !token.isEmpty else {
                return Page.response(form(error: "Paste a token from berth token create."), status: .unauthorized)
            }
            switch try await dependencies.tokens.authenticate(token) {
            case .failure(let refusal):
                context.logger.notice("refused a login", metadata: ["why": "\(refusal)"])
                return Page.response(form(error: refusal.description), status: .unauthorized)
            case .success(let accepted):
                let now = dependencies.lifecycle.time.now()
                let maxAge = min(Self.sessionSeconds, accepted.expires.map { max(0, Int($0 - now)) } ?? .max)
                return Response(
                    status: .seeOther,
                    headers: [
                        .location: "\(settings.basePath)/", .cacheControl: "no-store",
                        .setCookie: SessionCookie.set(token, settings: settings, maxAge: maxAge),
                    ])
            }
        }
        group.post("logout") { request, _ in
            if let refusal = crossOrigin(request) { return refusal }
            return Response(
                status: .seeOther,
                headers: [.location: "\(settings.basePath)/login", .setCookie: SessionCookie.cleared(settings)])
        }
    }

    /// A form posted from another origin than the external URL's is refused (a browser always sends Origin
    /// on a POST).
    private func crossOrigin(_ request: Request) -> Response? {
        guard let external = settings.externalURL, let origin = request.headers[.origin] else { return nil }
        guard let url = URL(string: external), let scheme = url.scheme, let host = url.host else { return nil }
        let expected = "\(scheme)://\(host)\(url.port.map { ":\($0)" } ?? "")".lowercased()
        guard origin.lowercased() == expected else {
            return Page.response("<p class=\"error\">Refused: this form was posted from another site.</p>", status: .forbidden)
        }
        return nil
    }

    private func form(error: String?) -> String {
        BoardPage.head(title: "berth · sign in", basePath: settings.basePath)
            + """
            <header><span class="brand">berth</span><span class="sub">release board</span></header>
            <main><form class="login" method="post" action="\(HTML.escape(settings.basePath))/login">
            <h2>Sign in</h2>\(error.map { "<p class=\"error\">\(HTML.escape($0))</p>" } ?? "")
            <label for="token">Access token (from <code>berth token create</code>)</label>
            <input id="token" name="token" type="password" autocomplete="off" required>
            <button type="submit">Sign in</button></form></main></body></html>

            """
    }

    /// `application/x-www-form-urlencoded` fields.
    static func formFields(_ body: String) -> [String: String] {
        var fields: [String: String] = [:]
        for pair in body.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let key = parts.first else { continue }
            let value = parts.count > 1 ? String(parts[1]).replacingOccurrences(of: "+", with: " ") : ""
            fields[String(key)] = value.removingPercentEncoding ?? value
        }
        return fields
    }
}
