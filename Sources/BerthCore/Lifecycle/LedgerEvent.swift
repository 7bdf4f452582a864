/// One line of the ledger: something that happened to a release, who did it, when, why, and the
/// inputs of the decision. Events are only ever appended.
public struct LedgerEvent: Hashable, Sendable {
    public enum Kind: String, Hashable, Sendable, CaseIterable {
        case planned, built, pushed, tagged, released
        case gateEvaluated = "gate-evaluated"
        case approved, promoted, deployed
        case rolledBack = "rolled-back"
        case markedBad = "marked-bad"
        case pruned
        /// `berth canary`: a canary began, a step was carried out, a measurement was judged, the canary
        /// paused for a human, a human resumed it, it was promoted, it was aborted.
        case canaryStarted = "canary-started"
        case canaryStep = "canary-step"
        case canaryMeasured = "canary-measured"
        case canaryPaused = "canary-paused"
        case canaryResumed = "canary-resumed"
        case canaryPromoted = "canary-promoted"
        case canaryAborted = "canary-aborted"
        /// `berth token create` and `berth token revoke` (the server's access tokens, hashes only).
        case tokenCreated = "token-created"
        case tokenRevoked = "token-revoked"
        /// `berth serve`'s registry webhooks: a delivery recorded (under `berth:webhooks`), what the
        /// registry said when berth checked it, and a tag found pointing elsewhere than berth put it.
        case webhookReceived = "webhook-received"
        case webhookVerified = "webhook-verified"
        case driftDetected = "drift-detected"
        /// `berth hold` and `berth unhold` (or the board): an environment, or a version's digest, held: no
        /// promotion into it, or of it, until it is released (`Hold`).
        case held, unheld
        /// `berth registry sync` or `registry cp --referrers`: a released digest copied, with what is
        /// attached to it, into another repository (`destination` in its details).
        case replicated
    }

    /// Every canary kind, for queries.
    public static let canaryKinds: Set<Kind> = [
        .canaryStarted, .canaryStep, .canaryMeasured, .canaryPaused, .canaryResumed, .canaryPromoted, .canaryAborted,
    ]

    /// The store's sequence number (nil before it is appended); later events have larger ids.
    public var id: Int64?
    public var kind: Kind
    /// The image repository (`registry.example/acme/api`).
    public var repository: String
    public var version: String?
    public var digest: String?
    public var environment: String?
    public var gitSHA: String?
    /// Who: the CI actor (GITHUB_ACTOR, GITLAB_USER_LOGIN), else the local user.
    public var actor: String
    /// Seconds since the epoch.
    public var time: Double
    public var reason: String?
    /// The decision's inputs and results (`outcome`, `counts.high`, `report`, …), flat and sorted.
    public var details: [String: String]
    /// Events with the same key are one event: the second append of a key is refused (exactly once).
    public var onceKey: String?

    public init(
        kind: Kind, repository: String, version: String? = nil, digest: String? = nil, environment: String? = nil,
        gitSHA: String? = nil, actor: String, time: Double, reason: String? = nil, details: [String: String] = [:],
        onceKey: String? = nil
    ) {
        self.kind = kind
        self.repository = repository
        self.version = version
        self.digest = digest
        self.environment = environment
        self.gitSHA = gitSHA
        self.actor = actor
        self.time = time
        self.reason = reason
        self.details = details
        self.onceKey = onceKey
    }
}

/// Which events to read, newest first.
public struct LedgerQuery: Hashable, Sendable {
    public var repository: String?
    public var environment: String?
    public var version: String?
    public var digest: String?
    public var kinds: Set<LedgerEvent.Kind>?
    public var limit: Int?
    /// Only events with a larger id (a reader catching up from the last event it saw).
    public var after: Int64?

    public init(
        repository: String? = nil, environment: String? = nil, version: String? = nil, digest: String? = nil,
        kinds: Set<LedgerEvent.Kind>? = nil, limit: Int? = nil, after: Int64? = nil
    ) {
        self.repository = repository
        self.environment = environment
        self.version = version
        self.digest = digest
        self.kinds = kinds
        self.limit = limit
        self.after = after
    }

    /// Whether `event` matches (for stores that filter in memory).
    public func matches(_ event: LedgerEvent) -> Bool {
        (repository == nil || event.repository == repository) && (environment == nil || event.environment == environment)
            && (version == nil || event.version == version) && (digest == nil || event.digest == digest)
            && (kinds == nil || kinds!.contains(event.kind)) && (after == nil || (event.id ?? 0) > after!)
    }
}

/// What an environment runs: the last promotion, deployment or rollback into it.
public struct EnvironmentState: Hashable, Sendable {
    public let environment: String
    public let version: String?
    public let digest: String?
    /// When it started running it.
    public let since: Double
    public let event: LedgerEvent

    public init(environment: String, version: String?, digest: String?, since: Double, event: LedgerEvent) {
        self.environment = environment
        self.version = version
        self.digest = digest
        self.since = since
        self.event = event
    }
}

/// The kinds that change what an environment runs.
public let environmentChangingKinds: Set<LedgerEvent.Kind> = [.promoted, .deployed, .rolledBack]
