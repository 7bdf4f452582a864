import BerthCore
import BerthOCI
import Hummingbird

/// Who a request acts as: the token's holder, the user a trusted proxy names, the viewer `anonymous` of
/// `--anonymous-read`, or the actor of `--auth none`.
public struct Principal: Sendable, Hashable {
    /// The actor recorded with what the request does.
    public var name: String
    public var role: AccessRole
    /// The one environment it may change; nil: every one.
    public var environment: String?
    /// The token's id; nil for `--auth none`, a proxy's user and anonymous reads.
    public var tokenID: String?
    /// How the request said who it is.
    public var via: Via
    /// The CSRF token the session's forms carry: a hash of the credential under its own label, so only a
    /// page served to this session knows it (the cookie is HttpOnly) and the ledger's hash doesn't give it.
    /// Behind a proxy, the value of the `berth_csrf` cookie (double submit, with Origin required).
    public var csrf: String? = nil

    /// Where a principal comes from.
    public enum Via: String, Sendable, Hashable {
        /// `Authorization: Bearer` with a berth token.
        case bearer
        /// The login page's session cookie holding a berth token.
        case session
        /// A trusted proxy's identity header (`--auth proxy`).
        case proxy
        /// Nothing: a read under `--anonymous-read`, as the viewer `anonymous`.
        case anonymous
        /// `--auth none` on loopback.
        case open
    }

    /// Whether a browser sends the credential with every request by itself (a session cookie, or the
    /// proxy's own SSO session): forms then need Origin and the CSRF token, and the JSON API refuses it.
    public var fromCookie: Bool { via == .session || via == .proxy }
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
    /// The TCP peer's IP address (never a header's), for `--auth proxy`; nil when it has none (a test's
    /// channel, a Unix socket).
    public let peerAddress: String?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        peerAddress = source.channel.remoteAddress?.ipAddress
    }

    /// Bodies of the API are small JSON documents.
    public var maxUploadSize: Int { 64 * 1024 }
}
