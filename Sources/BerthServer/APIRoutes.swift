import BerthCore
import BerthOCI
import Foundation
import Hummingbird

/// `/api/v1`: the board, a service's history, approvals. Every route runs behind `AccessMiddleware`.
struct APIRoutes {
    let dependencies: ServerDependencies
    let settings: ServerSettings

    /// The most events one history page holds.
    static let maximumPage = 500

    func register(on group: RouterGroup<ServerContext>) {
        group.get("board") { _, context in
            guard context.principal?.allows(.viewer) == true else { return forbidden(.viewer) }
            let board = try await dependencies.queries.board(
                repositories: try await dependencies.boardRepositories(), now: dependencies.lifecycle.time.now())
            return try APIDocuments.json(APIDocuments.board(board))
        }
        group.get("services/:name/history") { request, context in
            guard context.principal?.allows(.viewer) == true else { return forbidden(.viewer) }
            return try await history(request, context: context)
        }
        group.post("approvals") { request, context in
            try await approve(request, context: context)
        }
    }

    private func forbidden(_ role: AccessRole, environment: String? = nil) -> Response {
        APIError.response(
            .forbidden,
            "this token's role can't do that: it needs \(role.rawValue)\(environment.map { " for \($0)" } ?? ""); ask an admin for such a token"
        )
    }

    private func history(_ request: Request, context: ServerContext) async throws -> Response {
        let raw = context.parameters.get("name") ?? ""
        let repository = raw.removingPercentEncoding ?? raw
        // Tokens' events live under their own repository, which is no service's history.
        guard !repository.isEmpty, repository != AccessToken.ledgerRepository else {
            return APIError.response(.notFound, "no service '\(HTML.bounded(repository))': GET /api/v1/board lists them")
        }
        let parameters = request.uri.queryParameters
        var query = LedgerQuery(repository: repository)
        query.environment = parameters["environment"].map(String.init)
        query.version = parameters["version"].map(String.init)
        query.digest = parameters["digest"].map(String.init)
        if let kinds = parameters["kind"] {
            var set = Set<LedgerEvent.Kind>()
            for name in kinds.split(separator: ",") {
                guard let kind = LedgerEvent.Kind(rawValue: String(name)), kind != .tokenCreated, kind != .tokenRevoked else {
                    return APIError.response(
                        .badRequest, "kind '\(HTML.bounded(String(name)))' is not an event kind: docs/json.md lists them")
                }
                set.insert(kind)
            }
            query.kinds = set
        }
        var limit = 50
        if let text = parameters["limit"] {
            guard let value = Int(text), (1...Self.maximumPage).contains(value) else {
                return APIError.response(.badRequest, "limit '\(HTML.bounded(String(text)))': use 1 to \(Self.maximumPage)")
            }
            limit = value
        }
        var before: Int64?
        if let text = parameters["before"] {
            guard let value = Int64(text), value > 0 else {
                return APIError.response(
                    .badRequest, "before '\(HTML.bounded(String(text)))': use an event id from a page's next")
            }
            before = value
        }
        // The ledger port reads newest first with a limit; a page after `before` filters in memory.
        query.limit = before == nil ? limit + 1 : nil
        var events = try await dependencies.queries.history(query)
        if let before { events = events.filter { ($0.id ?? 0) < before } }
        let page = Array(events.prefix(limit))
        var next: String?
        if events.count > limit, let last = page.last?.id {
            var items = ["limit=\(limit)", "before=\(last)"]
            for (key, value) in [("environment", query.environment), ("version", query.version), ("digest", query.digest)] {
                if let value {
                    items.append("\(key)=\(value.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")")
                }
            }
            if let kinds = parameters["kind"] { items.append("kind=\(kinds)") }
            next = items.joined(separator: "&")
        }
        return try APIDocuments.json(
            APIDocuments.History(repository: repository, events: page.map(APIDocuments.event), next: next))
    }

    private func approve(_ request: Request, context: ServerContext) async throws -> Response {
        guard let principal = context.principal else { return forbidden(.approver) }
        guard !principal.fromCookie else {
            // A page posts to /approve with its CSRF token; the JSON API takes bearer tokens only.
            return APIError.response(
                .forbidden, "the API approves with Authorization: Bearer <token>; from a browser, use the board's Approve button")
        }
        let body: APIDocuments.ApprovalRequest
        do {
            body = try await request.decode(as: APIDocuments.ApprovalRequest.self, context: context)
        } catch {
            return APIError.response(
                .badRequest,
                "the body is not an approval: send JSON {repository, version, environment, digest, reason[, gate, expires]}")
        }
        switch try await ApprovalAction(dependencies: dependencies).perform(body, as: principal) {
        case .success(let result): return try APIDocuments.json(result, status: result.status == "approved" ? .created : .ok)
        case .failure(let refusal): return APIError.response(refusal.status, refusal.message)
        }
    }
}
