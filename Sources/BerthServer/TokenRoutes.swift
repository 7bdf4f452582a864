import BerthCore
import Foundation
import Hummingbird

/// `GET /api/v1/tokens`, `POST /api/v1/tokens` and `DELETE /api/v1/tokens/{id}`: token management for an
/// admin of every environment, through the same `TokenService` as `berth token create|revoke` (the same
/// `token-created` and `token-revoked` events, the principal as actor). A secret appears once, in the body of
/// the response that created it; never in a list, a log line or a page.
struct TokenRoutes {
    let dependencies: ServerDependencies

    func register(on group: RouterGroup<ServerContext>) {
        group.get("tokens") { _, context in
            if let refusal = Self.refusal(context.principal, writes: false) { return refusal }
            let tokens = try await dependencies.tokens.all()
            let now = dependencies.lifecycle.time.now()
            return try APIDocuments.json(TokenList(tokens: tokens.map { TokenEntry($0, now: now) }))
        }
        group.post("tokens") { request, context in
            if let refusal = Self.refusal(context.principal, writes: true) { return refusal }
            guard let principal = context.principal else { return Self.forbidden }
            let body: CreateRequest
            do {
                body = try await request.decode(as: CreateRequest.self, context: context)
            } catch {
                return APIError.response(
                    .badRequest, "the body is not a token request: send JSON {role[, name, environment, expires]}")
            }
            let tokenRequest: TokenRequest
            switch validated(body) {
            case .success(let valid): tokenRequest = valid
            case .failure(let error): return APIError.response(.badRequest, error.message)
            }
            let (token, secret) = try await dependencies.tokenService(as: principal).create(tokenRequest)
            context.logger.notice(
                "created a token", metadata: ["id": "\(token.id)", "role": "\(token.role.rawValue)", "by": "\(principal.name)"])
            var entry = TokenEntry(token, now: dependencies.lifecycle.time.now())
            entry.token = secret
            return try APIDocuments.json(entry, status: .created)
        }
        group.delete("tokens/:id") { _, context in
            if let refusal = Self.refusal(context.principal, writes: true) { return refusal }
            guard let principal = context.principal else { return Self.forbidden }
            let id = context.parameters.get("id") ?? ""
            guard AccessToken.id(of: "berth_\(id)_" + String(repeating: "0", count: 64)) != nil,
                try await dependencies.tokens.all().contains(where: { $0.id == id })
            else {
                return APIError.response(
                    .notFound, "no token '\(HTML.bounded(id))' in this ledger: GET /api/v1/tokens lists the ids")
            }
            let token = try await dependencies.tokenService(as: principal).revoke(id: id)
            context.logger.notice("revoked a token", metadata: ["id": "\(token.id)", "by": "\(principal.name)"])
            return try APIDocuments.json(TokenEntry(token, now: dependencies.lifecycle.time.now()))
        }
    }

    private static var forbidden: Response {
        APIError.response(.forbidden, "managing tokens needs an admin token for every environment")
    }

    /// Token management is for an admin of every environment (an admin of one could otherwise mint a token for
    /// all); writes through the JSON API need a bearer token, as the other API writes do.
    private static func refusal(_ principal: Principal?, writes: Bool) -> Response? {
        guard let principal, principal.role == .admin, principal.environment == nil else { return forbidden }
        if writes && principal.fromCookie {
            return APIError.response(.forbidden, "the API manages tokens with Authorization: Bearer <token> (or berth token)")
        }
        return nil
    }

    /// The request as `berth token create` would make it, checked as it checks its options.
    private func validated(_ body: CreateRequest) -> Result<TokenRequest, BerthError> {
        do throws(BerthError) {
            guard let role = AccessRole(rawValue: body.role) else {
                throw BerthError(
                    .usage,
                    "role '\(HTML.bounded(body.role))' is not a role: use one of \(AccessRole.allCases.map(\.rawValue).joined(separator: ", "))"
                )
            }
            if let name = body.name { try TokenService.validateName(name, option: "name") }
            if let environment = body.environment {
                try TokenService.validateName(environment, option: "environment")
                let known = dependencies.environmentOrder
                guard known.isEmpty || known.contains(environment) else {
                    throw BerthError(
                        .usage,
                        "environment '\(HTML.bounded(environment))' is not one of berth.yaml's: \(known.joined(separator: ", "))")
                }
            }
            var validFor: Double?
            if let expires = body.expires {
                guard let seconds = DurationText.seconds(expires), seconds > 0, seconds < 100 * 365 * 86_400 else {
                    throw BerthError(
                        .usage, "expires '\(HTML.bounded(expires))': use a duration such as 12h or 90d, under 100 years")
                }
                validFor = seconds
            }
            return .success(TokenRequest(role: role, name: body.name, environment: body.environment, validFor: validFor))
        } catch {
            return .failure(error)
        }
    }

    /// `POST /api/v1/tokens`'s body.
    struct CreateRequest: Decodable {
        let role: String
        let name: String?
        let environment: String?
        /// A duration (`12h`, `90d`); absent: until revoked.
        let expires: String?
    }

    /// A token as the API shows it: never its hash; its secret only in the answer that created it.
    struct TokenEntry: Encodable {
        let id: String
        let name: String
        let role: String
        let environment: String?
        let created: String
        let createdBy: String
        let expires: String?
        let revoked: String?
        /// active, expired or revoked.
        let state: String
        var token: String?

        init(_ token: AccessToken, now: Double) {
            id = token.id
            name = token.name
            role = token.role.rawValue
            environment = token.environment
            created = RFC3339.utc(seconds: Int64(token.created))
            createdBy = token.createdBy
            expires = token.expires.map { RFC3339.utc(seconds: Int64($0)) }
            revoked = token.revoked.map { RFC3339.utc(seconds: Int64($0)) }
            state = token.state(at: now)
        }
    }

    struct TokenList: Encodable {
        let tokens: [TokenEntry]
    }
}
