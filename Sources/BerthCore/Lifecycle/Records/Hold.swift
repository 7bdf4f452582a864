import BerthOCI

/// A hold (`held`): an environment of a repository held (no promotion into it) or a version's digest held
/// (no promotion of it into any environment), until an `unheld` event of the same scope releases it.
/// Recorded with the actor and the reason; the ledger's order decides which of a hold and a release is
/// the newer, so every reader (CLI, server replicas) agrees on what is held.
public struct Hold: Hashable, Sendable {
    /// What is held.
    public enum Scope: Hashable, Sendable, CustomStringConvertible {
        /// Every promotion into the environment.
        case environment(String)
        /// Every promotion of the digest.
        case digest(Digest)

        /// The scope as one string (`environment:prod`, `digest:sha256:…`), the fold's key.
        public var key: String {
            switch self {
            case .environment(let name): "environment:\(name)"
            case .digest(let digest): "digest:\(digest)"
            }
        }

        public var description: String {
            switch self {
            case .environment(let name): "environment \(name)"
            case .digest(let digest): "digest \(digest)"
            }
        }
    }

    public var repository: String
    public var scope: Scope
    /// The version held (for a digest scope), as it was named.
    public var version: String?
    public var reason: String
    public var actor: String
    /// Seconds since the epoch.
    public var time: Double
    public var eventID: Int64?

    public init(
        repository: String, scope: Scope, version: String? = nil, reason: String, actor: String = "", time: Double = 0
    ) {
        self.repository = repository
        self.scope = scope
        self.version = version
        self.reason = reason
        self.actor = actor
        self.time = time
    }

    /// A `held` event read back; nil for other kinds or an event that names no scope.
    public init?(_ event: LedgerEvent) {
        guard event.kind == .held, let scope = Self.scope(of: event) else { return nil }
        repository = event.repository
        self.scope = scope
        version = event.version
        reason = event.reason ?? ""
        actor = event.actor
        time = event.time
        eventID = event.id
    }

    /// The scope a `held` or `unheld` event names: its `scope` detail, then the environment or digest field.
    public static func scope(of event: LedgerEvent) -> Scope? {
        switch event.details[DetailKey.scope] {
        case "environment": return event.environment.map(Scope.environment)
        case "digest": return event.digest.flatMap(Digest.init).map(Scope.digest)
        default: return nil
        }
    }

    /// Whether it stops a promotion of `digest` into `environment`.
    public func blocks(environment: String, digest: String) -> Bool {
        switch scope {
        case .environment(let name): name == environment
        case .digest(let held): held.description == digest
        }
    }

    /// One line saying what is held, by whom and why.
    public var summary: String {
        let what: String
        switch scope {
        case .environment(let name): what = "\(repository) \(name) is held"
        case .digest(let digest): what = "\(repository) \(version.map { "\($0) (\(digest))" } ?? digest.description) is held"
        }
        return "\(what) by \(actor) (event \(eventID ?? 0)): \(reason)"
    }

    /// The `held` (or, `released`, the `unheld`) event, exactly once after the scope's newest hold or
    /// release `after` (0 when there was none).
    public func event(kind: LedgerEvent.Kind = .held, actor: String, time: Double, reason: String, after: Int64?)
        -> LedgerEvent
    {
        var event = LedgerEvent(
            kind: kind, repository: repository, version: version, actor: actor, time: time, reason: reason,
            details: [:], onceKey: "\(kind.rawValue):\(repository):\(scope.key):after:\(after ?? 0)")
        switch scope {
        case .environment(let name):
            event.environment = name
            event.details[DetailKey.scope] = "environment"
        case .digest(let digest):
            event.digest = digest.description
            event.details[DetailKey.scope] = "digest"
        }
        return event
    }

    /// The holds in force after `events` (any order): per scope, the newest of its `held` and `unheld`
    /// events decides. Oldest first.
    public static func active(_ events: [LedgerEvent]) -> [Hold] {
        newest(events).values.compactMap { Hold($0) }.sorted { ($0.eventID ?? 0) < ($1.eventID ?? 0) }
    }

    /// Per scope key, the newest `held` or `unheld` event.
    public static func newest(_ events: [LedgerEvent]) -> [String: LedgerEvent] {
        var newest: [String: LedgerEvent] = [:]
        for event in events where event.kind == .held || event.kind == .unheld {
            guard let key = scope(of: event)?.key else { continue }
            if (newest[key]?.id ?? .min) < (event.id ?? 0) { newest[key] = event }
        }
        return newest
    }
}
