import BerthOCI
import Foundation

/// An access token for `berth serve`, as the ledger holds it (`token-created`, then maybe
/// `token-revoked`): never the secret, only its SHA-256.
public struct AccessToken: Hashable, Sendable {
    /// The public part of the token (`berth_<id>_<secret>`), shown by `berth token list`.
    public var id: String
    /// Who or what holds it; the actor of what is done with it.
    public var name: String
    public var role: AccessRole
    /// The one environment it may change (approve, promote); nil: every environment.
    public var environment: String?
    /// Seconds since the epoch after which it is refused; nil: until revoked.
    public var expires: Double?
    public var created: Double
    public var createdBy: String
    /// `sha256:<hex>` of the whole token.
    public var hash: String
    /// When it was revoked, if it was.
    public var revoked: Double?

    public init(
        id: String, name: String, role: AccessRole, environment: String?, expires: Double?, created: Double,
        createdBy: String, hash: String
    ) {
        self.id = id
        self.name = name
        self.role = role
        self.environment = environment
        self.expires = expires
        self.created = created
        self.createdBy = createdBy
        self.hash = hash
    }

    /// The ledger's repository for token events: not an image name, so no image's history holds them.
    public static let ledgerRepository = "berth:tokens"

    enum Key {
        static let id = "token.id"
        static let name = "token.name"
        static let role = "token.role"
        static let environment = "token.environment"
        static let expires = "token.expires"
        static let hash = "token.hash"
    }

    /// Reads a `token-created` event; nil for another kind or one missing a field.
    public init?(_ event: LedgerEvent) {
        guard event.kind == .tokenCreated, let id = event.details[Key.id], let name = event.details[Key.name],
            let role = event.details[Key.role].flatMap(AccessRole.init(rawValue:)), let hash = event.details[Key.hash]
        else { return nil }
        self.init(
            id: id, name: name, role: role, environment: event.details[Key.environment],
            expires: event.details[Key.expires].flatMap(Double.init), created: event.time, createdBy: event.actor, hash: hash)
    }

    /// The `token-created` event (once per id).
    public func createdEvent(actor: String, time: Double) -> LedgerEvent {
        var details = [Key.id: id, Key.name: name, Key.role: role.rawValue, Key.hash: hash]
        if let environment { details[Key.environment] = environment }
        if let expires { details[Key.expires] = String(expires) }
        return LedgerEvent(
            kind: .tokenCreated, repository: Self.ledgerRepository, actor: actor, time: time, details: details,
            onceKey: "token-created:\(id)")
    }

    /// The `token-revoked` event (once per id).
    public func revokedEvent(actor: String, time: Double) -> LedgerEvent {
        LedgerEvent(
            kind: .tokenRevoked, repository: Self.ledgerRepository, actor: actor, time: time, details: [Key.id: id],
            onceKey: "token-revoked:\(id)")
    }

    /// Whether it is neither revoked nor expired at `now`.
    public func isUsable(at now: Double) -> Bool { revoked == nil && (expires.map { now <= $0 } ?? true) }

    /// `revoked`, `expired` or `active` at `now`, as `berth token list` and `GET /api/v1/tokens` show it.
    public func state(at now: Double) -> String { revoked != nil ? "revoked" : isUsable(at: now) ? "active" : "expired" }

    /// Whether it may act as `role` on `environment` (nil: an action on no one environment, such as reading).
    public func allows(_ role: AccessRole, environment: String? = nil) -> Bool {
        guard self.role >= role else { return false }
        guard let scope = self.environment, let environment, role > .viewer else { return true }
        return scope == environment
    }

    /// The token's id if `text` is shaped like a berth token (`berth_<12 hex>_<64 hex>`), else nil.
    public static func id(of text: String) -> String? {
        let parts = text.split(separator: "_", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0] == "berth", parts[1].count == 12, parts[2].count == 64,
            (parts[1] + parts[2]).allSatisfy({ $0.isHexDigit && !$0.isUppercase })
        else { return nil }
        return String(parts[1])
    }

    /// `sha256:<hex>` of a presented token.
    public static func hash(of token: String) -> String {
        var hasher = DigestHasher(algorithm: "sha256")
        hasher.update(Data(token.utf8))
        return hasher.finalize().description
    }

    /// Compares two strings in time that depends on their length only, not on where they differ.
    public static func constantTimeEqual(_ lhs: String, _ rhs: String) -> Bool {
        let (a, b) = (Array(lhs.utf8), Array(rhs.utf8))
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for index in a.indices { difference |= a[index] ^ b[index] }
        return difference == 0
    }

    /// `text` for an error message: at most 64 characters, control characters as `?`.
    static func echoed(_ text: String) -> String {
        String(text.prefix(64).unicodeScalars.map { $0.properties.generalCategory == .control ? "?" : Character($0) })
    }
}
