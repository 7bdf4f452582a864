/// What `berth token create` is asked.
public struct TokenRequest: Sendable {
    public var role: AccessRole
    public var name: String?
    public var environment: String?
    /// Seconds it holds from now; nil: until revoked.
    public var validFor: Double?

    public init(role: AccessRole, name: String? = nil, environment: String? = nil, validFor: Double? = nil) {
        self.role = role
        self.name = name
        self.environment = environment
        self.validFor = validFor
    }
}

/// Creates and revokes access tokens: the secret is made here from `randomBytes`, returned once, and only
/// its hash reaches the ledger.
public struct TokenService: Sendable {
    public let ledger: any LedgerStore
    public let time: any TimeSource
    public let actor: String
    /// `count` bytes from a cryptographically secure source (the composition root's).
    public let randomBytes: @Sendable (Int) -> [UInt8]

    public init(
        ledger: any LedgerStore, time: any TimeSource, actor: String, randomBytes: @escaping @Sendable (Int) -> [UInt8]
    ) {
        self.ledger = ledger
        self.time = time
        self.actor = actor
        self.randomBytes = randomBytes
    }

    /// Records a new token and returns it with its secret (`berth_<id>_<secret>`), which nothing keeps.
    public func create(_ request: TokenRequest) async throws -> (token: AccessToken, secret: String) {
        if let name = request.name { try Self.validateName(name, option: "--name") }
        if let environment = request.environment { try Self.validateName(environment, option: "--env") }
        let id = Self.hex(randomBytes(6))
        let secret = "berth_\(id)_\(Self.hex(randomBytes(32)))"
        let now = time.now()
        let token = AccessToken(
            id: id, name: request.name ?? "token-\(id)", role: request.role, environment: request.environment,
            expires: request.validFor.map { now + $0 }, created: now, createdBy: actor, hash: AccessToken.hash(of: secret))
        try await ledger.append(token.createdEvent(actor: actor, time: now))
        return (token, secret)
    }

    /// Records that token `id` is revoked; revoking a revoked token changes nothing.
    public func revoke(id: String) async throws -> AccessToken {
        let tokens = AccessTokens(ledger: ledger, time: time)
        guard var token = try await tokens.all().first(where: { $0.id == id }) else {
            throw BerthError(.usage, "no token '\(AccessToken.echoed(id))' in this ledger: berth token list shows the ids")
        }
        if token.revoked != nil { return token }
        let now = time.now()
        do {
            try await ledger.append(token.revokedEvent(actor: actor, time: now))
        } catch is LedgerConflict {
            // Another run revoked it first: it is revoked either way.
        }
        token.revoked = now
        return token
    }

    /// Names and environments: letters, digits, `.`, `_`, `@`, `-`, up to 64 characters.
    public static func validateName(_ text: String, option: String) throws(BerthError) {
        let allowed = text.unicodeScalars.allSatisfy {
            ($0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0))) || "._@-".unicodeScalars.contains($0)
        }
        guard allowed, (1...64).contains(text.count) else {
            throw BerthError(
                .usage, "\(option) '\(AccessToken.echoed(text))': use 1 to 64 letters, digits, '.', '_', '@' or '-'")
        }
    }

    static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef")
        return String(bytes.flatMap { [digits[Int($0 >> 4)], digits[Int($0 & 0xf)]] })
    }
}
