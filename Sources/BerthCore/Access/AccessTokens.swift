/// Why a presented token is refused.
public enum TokenRefusal: Error, Sendable, Equatable, CustomStringConvertible {
    case malformed, unknown, revoked, expired

    public var description: String {
        switch self {
        case .malformed: "the bearer token is not a berth token (berth_…): create one with berth token create"
        case .unknown: "the bearer token is not known to this ledger: create one with berth token create"
        case .revoked: "the bearer token was revoked: ask an admin for a new one (berth token create)"
        case .expired: "the bearer token has expired: ask an admin for a new one (berth token create)"
        }
    }
}

/// The access tokens the ledger holds, folded from its `token-created` and `token-revoked` events on
/// every call: servers keep no token state, so replicas on one ledger agree and a revocation holds at once.
public struct AccessTokens: Sendable {
    public let ledger: any LedgerStore
    public let time: any TimeSource

    public init(ledger: any LedgerStore, time: any TimeSource) {
        self.ledger = ledger
        self.time = time
    }

    /// Every token ever created, oldest first, revoked ones marked.
    public func all() async throws -> [AccessToken] {
        let events = try await ledger.events(
            LedgerQuery(repository: AccessToken.ledgerRepository, kinds: [.tokenCreated, .tokenRevoked]))
        var revoked: [String: Double] = [:]
        for event in events where event.kind == .tokenRevoked {
            guard let id = event.details[AccessToken.Key.id] else { continue }
            revoked[id] = min(revoked[id] ?? event.time, event.time)
        }
        return events.reversed().compactMap { event in
            guard var token = AccessToken(event) else { return nil }
            token.revoked = revoked[token.id]
            return token
        }
    }

    /// The token `presented` is, if it is known, unrevoked and unexpired; the hashes are compared in
    /// constant time.
    public func authenticate(_ presented: String) async throws -> Result<AccessToken, TokenRefusal> {
        guard let id = AccessToken.id(of: presented) else { return .failure(.malformed) }
        let hash = AccessToken.hash(of: presented)
        guard let token = try await all().first(where: { $0.id == id }), AccessToken.constantTimeEqual(token.hash, hash)
        else { return .failure(.unknown) }
        if token.revoked != nil { return .failure(.revoked) }
        guard token.isUsable(at: time.now()) else { return .failure(.expired) }
        return .success(token)
    }
}
