import BerthCore
import BerthOCI
import Hummingbird

/// Who a request acts as: the token's holder, or the anonymous actor of `--auth none`.
public struct Principal: Sendable, Hashable {
    /// The actor recorded with what the request does.
    public var name: String
    public var role: AccessRole
    /// The one environment it may change; nil: every one.
    public var environment: String?
    /// The token's id; nil for `--auth none`.
    public var tokenID: String?
    /// Whether the credential came in a session cookie rather than an `Authorization` header.
    public var fromCookie: Bool
    /// The CSRF token the session's forms carry: a hash of the credential under its own label, so only a
    /// page served to this session knows it (the cookie is HttpOnly) and the ledger's hash doesn't give it.
    public var csrf: String? = nil

    /// Whether it may act as `role` on `environment`.
    func allows(_ role: AccessRole, environment: String? = nil) -> Bool {
        guard self.role >= role else { return false }
        guard let scope = self.environment, let environment, role > .viewer else { return true }
        return scope == environment
    }
}

extension Principal {
    /// What every state-changing action checks first: the role for `environment`, then that the digest the
    /// caller was shown is one; the digest, else why not.
    func check(_ role: AccessRole, environment: String, shown digest: String) -> Result<Digest, Refusal> {
        guard allows(role, environment: environment) else {
            return .failure(
                Refusal(
                    status: .forbidden,
                    message:
                        "this token's role can't do that: it needs \(role.rawValue) for \(HTML.bounded(environment)); ask an admin for such a token"
                ))
        }
        guard let shown = Digest(digest) else {
            return .failure(
                Refusal(status: .badRequest, message: "digest '\(HTML.bounded(digest))' is not a digest: use sha256:<64 hex>"))
        }
        return .success(shown)
    }
}

/// The request context of `berth serve`: Hummingbird's core context and the authenticated principal.
public struct ServerContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// Set by `AccessMiddleware` before any protected route runs.
    public var principal: Principal?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
    }

    /// Bodies of the API are small JSON documents.
    public var maxUploadSize: Int { 64 * 1024 }
}
