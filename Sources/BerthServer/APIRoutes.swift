import BerthCore
import BerthOCI
import Foundation
import Hummingbird

/// `/api/v1`: the board, a service's history, approvals. Every route runs behind `AccessMiddleware`.
struct APIRoutes {
    let dependencies: ServerDependencies
    let settings: ServerSettings

    func register(on group: RouterGroup<ServerContext>) {
        group.get("board") { _, context in
            guard context.principal?.allows(.viewer) == true else { return forbidden(.viewer) }
            let body = try await dependencies.boards.rendering(
                "api", leading: dependencies.images, now: dependencies.lifecycle.time.now()
            ) { board in try APIDocuments.encoded(APIDocuments.board(board)) }
            return APIDocuments.jsonResponse(body)
        }
        group.get("services/:name/history") { request, context in
            guard context.principal?.allows(.viewer) == true else { return forbidden(.viewer) }
            return try await history(request, context: context)
        }
        group.post("approvals") { request, context in
            try await approve(request, context: context)
        }
        group.post("rollbacks") { request, context in
            guard let principal = context.principal else { return forbidden(.promoter) }
            guard !principal.fromCookie else {
                return APIError.response(.forbidden, "the API rolls back with Authorization: Bearer <token>")
            }
            let body: APIDocuments.RollbackRequest
            do {
                body = try await request.decode(as: APIDocuments.RollbackRequest.self, context: context)
            } catch {
                return APIError.response(
                    .badRequest, "the body is not a rollback: send JSON {repository, environment, from, reason[, to]}")
            }
            let plan = request.uri.queryParameters["plan"] == "true"
            switch try await RollbackAction(dependencies: dependencies).perform(body, plan: plan, as: principal) {
            case .success(let result): return try APIDocuments.json(result, status: plan ? .ok : .created)
            case .failure(let refusal): return APIError.response(refusal.status, refusal.message)
            }
        }
        group.post("promotions") { request, context in
            guard let principal = context.principal else { return forbidden(.promoter) }
            guard !principal.fromCookie else {
                return APIError.response(.forbidden, "the API promotes with Authorization: Bearer <token>")
            }
            let body: APIDocuments.PromotionRequest
            do {
                body = try await request.decode(as: APIDocuments.PromotionRequest.self, context: context)
            } catch {
                return APIError.response(
                    .badRequest, "the body is not a promotion: send JSON {repository, version, environment, digest[, reason]}")
            }
            switch try await PromotionAction(dependencies: dependencies).perform(body, as: principal) {
            case .success(let result):
                return try APIDocuments.json(result, status: result.status == "promoted" ? .created : .ok)
            case .failure(let refusal): return APIError.response(refusal.status, refusal.message)
            }
        }
    }

    private func forbidden(_ role: AccessRole, environment: String? = nil) -> Response {
        APIError.response(
            .forbidden,
            "this token's role can't do that: it needs \(role.rawValue)\(environment.map { " for \($0)" } ?? ""); ask an admin for such a token"
        )
    }

    private func history(_ request: Request, context: ServerContext) async throws -> Response {
        let history: HistoryQuery
        do {
            history = try HistoryQuery(name: context.parameters.get("name") ?? "", parameters: HistoryQuery.parameters(request))
        } catch let refusal as Refusal {
            return APIError.response(refusal.status, refusal.message)
        }
        let (events, next) = try await history.fetch(dependencies.queries)
        return try APIDocuments.json(
            APIDocuments.History(repository: history.repository, events: events.map(APIDocuments.event), next: next))
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
