import BerthCore
import Foundation
import Hummingbird

/// Holds and bad marks: `GET /api/v1/holds?repository=`, `POST /api/v1/holds`, `POST /api/v1/holds/release`
/// and `POST /api/v1/bad-marks` (bearer tokens), and the board's Hold, Release and Mark bad forms at
/// `/hold`, `/unhold` and `/mark-bad` (same origin and the session's CSRF token, as the Approve form).
/// All call `HoldAction`, which calls the core services the CLI calls.
struct HoldRoutes {
    let dependencies: ServerDependencies
    let settings: ServerSettings

    func registerAPI(on group: RouterGroup<ServerContext>) {
        group.get("holds") { request, context in
            guard context.principal?.allows(.viewer) == true else {
                return APIError.response(.forbidden, "this token's role can't do that: it needs viewer")
            }
            guard let repository = request.uri.queryParameters["repository"].map(String.init), !repository.isEmpty else {
                return APIError.response(.badRequest, "say which service: /api/v1/holds?repository=NAME")
            }
            let holds = try await HoldAction(dependencies: dependencies).holds(repository: repository)
            return try APIDocuments.json(APIDocuments.Holds(repository: repository, holds: holds.map(APIDocuments.hold)))
        }
        group.post("holds") { request, context in try await holdAPI(request, context: context, release: false) }
        group.post("holds/release") { request, context in try await holdAPI(request, context: context, release: true) }
        group.post("bad-marks") { request, context in
            guard let principal = context.principal else { return APIError.response(.forbidden, "sign in first") }
            guard !principal.fromCookie else {
                return APIError.response(.forbidden, "the API marks bad with Authorization: Bearer <token>")
            }
            let body: APIDocuments.BadMarkRequest
            do {
                body = try await request.decode(as: APIDocuments.BadMarkRequest.self, context: context)
            } catch {
                return APIError.response(
                    .badRequest, "the body is not a bad mark: send JSON {repository, version, environment, digest, reason}")
            }
            switch try await HoldAction(dependencies: dependencies).markBad(body, as: principal) {
            case .success(let result): return try APIDocuments.json(result, status: result.status == "already" ? .ok : .created)
            case .failure(let refusal): return APIError.response(refusal.status, refusal.message)
            }
        }
    }

    private func holdAPI(_ request: Request, context: ServerContext, release: Bool) async throws -> Response {
        guard let principal = context.principal else { return APIError.response(.forbidden, "sign in first") }
        guard !principal.fromCookie else {
            return APIError.response(
                .forbidden, "the API holds with Authorization: Bearer <token>; from a browser, use the board")
        }
        let body: APIDocuments.HoldRequest
        do {
            body = try await request.decode(as: APIDocuments.HoldRequest.self, context: context)
        } catch {
            return APIError.response(
                .badRequest, "the body is not a hold: send JSON {repository, environment or version, reason}")
        }
        switch try await HoldAction(dependencies: dependencies).perform(body, release: release, as: principal) {
        case .success(let result):
            return try APIDocuments.json(result, status: result.event == nil ? .ok : .created)
        case .failure(let refusal): return APIError.response(refusal.status, refusal.message)
        }
    }

    func registerPages(on group: RouterGroup<ServerContext>) {
        group.post("hold") { request, context in try await holdForm(request, context: context, release: false) }
        group.post("unhold") { request, context in try await holdForm(request, context: context, release: true) }
        group.post("mark-bad") { request, context in
            let board = BoardRoutes(dependencies: dependencies, settings: settings)
            guard let principal = context.principal else { return board.refused(.unauthorized, "Sign in first.") }
            let fields: [String: String]
            switch try await board.formFields(request, principal: principal) {
            case .success(let read): fields = read
            case .failure(let refusal): return board.refused(refusal.status, refusal.message)
            }
            let body = APIDocuments.BadMarkRequest(
                repository: fields["repository"] ?? "", version: fields["version"] ?? "",
                environment: fields["environment"] ?? "", digest: fields["digest"] ?? "", reason: fields["reason"] ?? "")
            switch try await HoldAction(dependencies: dependencies).markBad(body, as: principal) {
            case .success(let result): return redirect("marked", result.event)
            case .failure(let refusal): return board.refused(refusal.status, refusal.message)
            }
        }
    }

    private func holdForm(_ request: Request, context: ServerContext, release: Bool) async throws -> Response {
        let board = BoardRoutes(dependencies: dependencies, settings: settings)
        guard let principal = context.principal else { return board.refused(.unauthorized, "Sign in first.") }
        let fields: [String: String]
        switch try await board.formFields(request, principal: principal) {
        case .success(let read): fields = read
        case .failure(let refusal): return board.refused(refusal.status, refusal.message)
        }
        let body = APIDocuments.HoldRequest(
            repository: fields["repository"] ?? "", environment: fields["environment"].flatMap { $0.isEmpty ? nil : $0 },
            version: fields["version"].flatMap { $0.isEmpty ? nil : $0 }, reason: fields["reason"] ?? "")
        switch try await HoldAction(dependencies: dependencies).perform(body, release: release, as: principal) {
        case .success(let result): return redirect(release ? "released" : "held", result.event)
        case .failure(let refusal): return board.refused(refusal.status, refusal.message)
        }
    }

    private func redirect(_ key: String, _ event: Int64?) -> Response {
        Response(status: .seeOther, headers: [.location: "\(settings.basePath)/\(event.map { "?\(key)=\($0)" } ?? "")"])
    }

    /// The line above the board after one of these forms (only digits come back in the query).
    static func notice(_ request: Request) -> String? {
        let parameters = request.uri.queryParameters
        if let id = parameters["held"].flatMap({ Int64($0) }) { return "Hold recorded (event \(id))." }
        if let id = parameters["released"].flatMap({ Int64($0) }) { return "Hold released (event \(id))." }
        if let id = parameters["marked"].flatMap({ Int64($0) }) { return "Bad mark recorded (event \(id))." }
        return nil
    }
}
