import Foundation

/// `berth serve --auth proxy`: an authenticating proxy in front (oauth2-proxy, an ingress doing SSO) says
/// who the user is in a header, and berth.yaml's `server.proxy.roles` says what they may do. The header is
/// believed only from a peer in `trusted`; anyone else's is ignored.
public struct ProxyAccess: Hashable, Sendable {
    /// One line of `server.proxy.roles`: a user or a group, the role it grants, optionally one environment.
    public struct Grant: Hashable, Sendable {
        public enum Subject: Hashable, Sendable, CustomStringConvertible {
            case user(String)
            case group(String)

            public var description: String {
                switch self {
                case .user(let name): "user \(name)"
                case .group(let name): "group \(name)"
                }
            }
        }

        public var subject: Subject
        public var role: AccessRole
        /// The one environment it may change; nil: every one.
        public var environment: String?

        public init(_ subject: Subject, role: AccessRole, environment: String? = nil) {
            self.subject = subject
            self.role = role
            self.environment = environment
        }
    }

    /// The proxies' addresses or networks; never empty in proxy mode.
    public var trusted: [NetworkRange]
    /// The header naming the user (oauth2-proxy's `X-Forwarded-User`).
    public var userHeader: String
    /// The header listing the user's groups, comma-separated (oauth2-proxy's `X-Forwarded-Groups`); nil:
    /// groups are not read.
    public var groupsHeader: String?
    public var grants: [Grant]
    /// The role of a user no grant names; nil: such a user is refused (403).
    public var unmappedRole: AccessRole?

    public static let defaultUserHeader = "X-Forwarded-User"

    public init(
        trusted: [NetworkRange] = [], userHeader: String = Self.defaultUserHeader, groupsHeader: String? = nil,
        grants: [Grant] = [], unmappedRole: AccessRole? = .viewer
    ) {
        self.trusted = trusted
        self.userHeader = userHeader
        self.groupsHeader = groupsHeader
        self.grants = grants
        self.unmappedRole = unmappedRole
    }

    /// Whether the TCP peer `address` is one of the trusted proxies; false without an address.
    public func trusts(_ address: String?) -> Bool {
        guard let address else { return false }
        return trusted.contains { $0.contains(address) }
    }

    /// What `user` (with `groups`) may do: the grants naming the user decide alone when there are any
    /// (a person's own line overrides their groups'); else the groups' grants; the highest role wins, and
    /// between equal roles one for every environment beats one for a single environment. Else
    /// `unmappedRole`, or nil: refused.
    public func identity(user: String, groups: [String]) -> ProxyIdentity? {
        let own = grants.filter { $0.subject == .user(user) }
        let candidates = own.isEmpty ? grants.filter { grant in groups.contains { grant.subject == .group($0) } } : own
        let best = candidates.max { lhs, rhs in
            lhs.role != rhs.role ? lhs.role < rhs.role : (lhs.environment == nil ? 0 : 1) > (rhs.environment == nil ? 0 : 1)
        }
        if let best { return ProxyIdentity(name: user, role: best.role, environment: best.environment) }
        return unmappedRole.map { ProxyIdentity(name: user, role: $0, environment: nil) }
    }

    /// Whether a proxy's user header value may be recorded as an actor: 1–128 ASCII letters, digits and
    /// `. _ @ + - :` (user names, e-mail addresses, OIDC subjects).
    public static func isValidUser(_ text: String) -> Bool {
        (1...128).contains(text.utf8.count)
            && text.unicodeScalars.allSatisfy {
                $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || "._@+-:".unicodeScalars.contains($0))
            }
    }

    /// The groups a groups header lists: comma-separated, trimmed, empty ones dropped, at most 256 of at
    /// most 256 bytes each (the rest ignored: they only ever widen a grant's match).
    public static func groups(_ header: String?) -> [String] {
        guard let header else { return [] }
        return header.split(separator: ",").lazy.map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty && $0.utf8.count <= 256 }.prefix(256).map { $0 }
    }

    /// Whether `name` may name the identity headers: an HTTP field name (RFC 9110 §5.1 token, at most 64)
    /// that is not one berth or a browser already gives a meaning (Authorization, Cookie, Host, Origin…).
    public static func isValidHeaderName(_ name: String) -> Bool {
        let token = "!#$%&'*+-.^_`|~"
        guard (1...64).contains(name.utf8.count),
            name.unicodeScalars.allSatisfy({
                $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || token.unicodeScalars.contains($0))
            })
        else { return false }
        return !["authorization", "cookie", "host", "origin", "content-type", "content-length", "transfer-encoding"]
            .contains(name.lowercased())
    }
}

/// Who a trusted proxy says a request comes from, and what berth.yaml lets them do.
public struct ProxyIdentity: Hashable, Sendable {
    public var name: String
    public var role: AccessRole
    public var environment: String?

    public init(name: String, role: AccessRole, environment: String?) {
        self.name = name
        self.role = role
        self.environment = environment
    }
}
