import BerthCore
import Foundation
import HTTPTypes
import Hummingbird

/// `/`: the board page, behind `AccessMiddleware` (a request without credentials is sent to the login page).
struct BoardRoutes {
    let dependencies: ServerDependencies
    let settings: ServerSettings

    func register(on group: RouterGroup<ServerContext>) {
        group.get("/") { request, context in
            guard let principal = context.principal, principal.allows(.viewer) else {
                return APIError.response(.forbidden, "this token can't read the board")
            }
            // Only digits come back from the redirect after a form.
            let approved = request.uri.queryParameters["approved"].flatMap { Int64($0) }
            let promoted = request.uri.queryParameters["promoted"].flatMap { Int64($0) }
            let notice =
                approved.map { "Approval recorded (event \($0))." } ?? promoted.map { "Promotion recorded (event \($0))." }
                ?? HoldRoutes.notice(request)
            // Everything the page depends on besides the board and the second: who reads it (role, name, the
            // session's CSRF token in its forms) and the notice.
            let key = [
                "page", principal.name, principal.role.rawValue, principal.environment ?? "", principal.via.rawValue,
                principal.csrf ?? "", notice ?? "",
            ].joined(separator: "\u{0}")
            let (basePath, promotes) = (settings.basePath, dependencies.promotions != nil)
            let html = try await dependencies.boards.rendering(
                key, leading: dependencies.images, now: dependencies.lifecycle.time.now()
            ) { board in
                BoardPage(board: board, principal: principal, basePath: basePath, promotes: promotes, notice: notice).render()
            }
            return Page.response(html)
        }
        group.get("services/:name") { request, context in
            guard let principal = context.principal, principal.allows(.viewer) else {
                return refused(.forbidden, "This token can't read the history.")
            }
            let history: HistoryQuery
            do {
                history = try HistoryQuery(
                    name: context.parameters.get("name") ?? "", parameters: HistoryQuery.parameters(request))
            } catch let refusal as Refusal {
                return refused(refusal.status, refusal.message)
            }
            let (events, next) = try await history.fetch(dependencies.queries)
            return Page.response(
                HistoryPage(history: history, events: events, next: next, principal: principal, basePath: settings.basePath)
                    .render())
        }
        group.post("approve") { request, context in
            try await approve(request, context: context)
        }
        group.post("promote") { request, context in
            try await promote(request, context: context)
        }
    }

    /// A form posted from the board: same origin, and the session's CSRF token when a cookie signed it in;
    /// its fields, else the page that says why not.
    func formFields(_ request: Request, principal: Principal) async throws -> Result<[String: String], Refusal> {
        if let origin = request.headers[.origin] {
            guard sameOrigin(origin, request: request) else {
                return .failure(Refusal(status: .forbidden, message: "Refused: this form was posted from another site."))
            }
        } else if principal.fromCookie {
            return .failure(
                Refusal(status: .forbidden, message: "Refused: a browser form must say where it comes from (Origin)."))
        }
        let fields = LoginRoutes.formFields(String(buffer: try await request.body.collect(upTo: 16 * 1024)))
        if principal.fromCookie {
            guard let expected = principal.csrf, let presented = fields["csrf"],
                AccessToken.constantTimeEqual(expected, presented)
            else {
                return .failure(
                    Refusal(
                        status: .forbidden,
                        message: "Refused: the form's CSRF token doesn't match this session; reload the board."))
            }
        }
        return .success(fields)
    }

    /// The board's Approve form, then the same `ApprovalAction` as the API.
    private func approve(_ request: Request, context: ServerContext) async throws -> Response {
        guard let principal = context.principal else { return refused(.unauthorized, "Sign in first.") }
        let fields: [String: String]
        switch try await formFields(request, principal: principal) {
        case .success(let read): fields = read
        case .failure(let refusal): return refused(refusal.status, refusal.message)
        }
        let body = APIDocuments.ApprovalRequest(
            repository: fields["repository"] ?? "", version: fields["version"] ?? "",
            environment: fields["environment"] ?? "", digest: fields["digest"] ?? "", reason: fields["reason"] ?? "",
            gate: fields["gate"].flatMap { Int64($0) }, expires: nil)
        switch try await ApprovalAction(dependencies: dependencies).perform(body, as: principal) {
        case .success(let result):
            let query = result.event.map { "?approved=\($0)" } ?? ""
            return Response(status: .seeOther, headers: [.location: "\(settings.basePath)/\(query)"])
        case .failure(let refusal):
            return refused(refusal.status, refusal.message)
        }
    }

    /// The board's Promote form, then the same `PromotionAction` as the API.
    private func promote(_ request: Request, context: ServerContext) async throws -> Response {
        guard let principal = context.principal else { return refused(.unauthorized, "Sign in first.") }
        let fields: [String: String]
        switch try await formFields(request, principal: principal) {
        case .success(let read): fields = read
        case .failure(let refusal): return refused(refusal.status, refusal.message)
        }
        let body = APIDocuments.PromotionRequest(
            repository: fields["repository"] ?? "", version: fields["version"] ?? "",
            environment: fields["environment"] ?? "", digest: fields["digest"] ?? "", reason: nil)
        switch try await PromotionAction(dependencies: dependencies).perform(body, as: principal) {
        case .success(let result):
            let query = result.event.map { "?promoted=\($0)" } ?? ""
            return Response(status: .seeOther, headers: [.location: "\(settings.basePath)/\(query)"])
        case .failure(let refusal):
            return refused(refusal.status, refusal.message)
        }
    }

    /// Whether `origin` is the external URL's origin, else the request's own host.
    private func sameOrigin(_ origin: String, request: Request) -> Bool {
        if let external = settings.externalURL, let url = URL(string: external), let scheme = url.scheme,
            let host = url.host
        {
            return origin.lowercased() == "\(scheme)://\(host)\(url.port.map { ":\($0)" } ?? "")".lowercased()
        }
        guard let host = request.head.authority, let url = URL(string: origin) else { return false }
        return "\(url.host ?? "")\(url.port.map { ":\($0)" } ?? "")".lowercased() == host.lowercased()
    }

    func refused(_ status: HTTPResponse.Status, _ message: String) -> Response {
        Page.response(
            BoardPage.head(title: "berth · refused", basePath: settings.basePath)
                + "<main><p class=\"error\">\(HTML.escape(message))</p><p><a href=\"\(HTML.escape(settings.basePath))/\">Back to the board</a></p></main></body></html>\n",
            status: status)
    }
}

/// An HTML response that no cache keeps and no other site may frame.
enum Page {
    static func response(_ html: String, status: HTTPResponse.Status = .ok) -> Response {
        Response(
            status: status,
            headers: [
                .contentType: "text/html; charset=utf-8", .cacheControl: "no-store",
                .contentSecurityPolicy:
                    "default-src 'none'; style-src 'unsafe-inline'; script-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'",
                HTTPField.Name("X-Content-Type-Options")!: "nosniff",
            ],
            body: .init(byteBuffer: ByteBuffer(string: html)))
    }
}
