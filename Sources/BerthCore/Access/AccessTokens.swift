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

/// The access tokens the ledger holds, folded from its `token-created` and `token-revoked` events. The fold
/// is kept, keyed on the ledger's newest event id, and made again whenever that id has moved: the ledger only
/// grows, so a revocation raises it, and a request that sees the raised id folds again before it is answered.
/// Replicas on one ledger each keep their own and agree as soon as each sees the id (on PostgreSQL, notified
/// or read: `LedgerStore.newestEventID`). Expiry is time, not an event: checked on every call.
public struct AccessTokens: Sendable {
    public let ledger: any LedgerStore
    public let time: any TimeSource
    /// The last fold, and the newest event id read before it was made (copies of this value share it).
    private let fold = Locked<(newest: Int64, tokens: [AccessToken])?>(nil)

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
        guard let token = try await folded().first(where: { $0.id == id }), AccessToken.constantTimeEqual(token.hash, hash)
        else { return .failure(.unknown) }
        if token.revoked != nil { return .failure(.revoked) }
        guard token.isUsable(at: time.now()) else { return .failure(.expired) }
        return .success(token)
    }

    /// Every token as of the ledger's newest event id: the kept fold when it was made at or after that id
    /// was read (ids grow with what readers see, so it already holds every event up to it), else a new one.
    func folded() async throws -> [AccessToken] {
        let newest = try await ledger.newestEventID() ?? 0
        if let kept = fold.current, kept.newest >= newest { return kept.tokens }
        let tokens = try await all()
        // A slower fold made after an older id never replaces a newer one.
        fold.withLock { kept in if (kept?.newest ?? .min) < newest { kept = (newest, tokens) } }
        return tokens
    }
}
