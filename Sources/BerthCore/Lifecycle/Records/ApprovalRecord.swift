import BerthOCI

/// An approval (`approved`): of one digest, answering one gate decision, for one environment, by
/// someone, maybe until a time. It never covers another digest or decision.
public struct ApprovalRecord: Hashable, Sendable {
    public var repository: String
    public var version: String
    public var digest: Digest
    public var environment: String
    public var gitSHA: String?
    /// The gate event it answers.
    public var gateEvent: Int64
    public var gateOutcome: GateDecision.Outcome
    /// Seconds since the epoch after which it no longer holds; nil: until the digest changes.
    public var expires: Double?
    public var reason: String
    /// Who approved, once read from the ledger.
    public var actor: String?
    public var eventID: Int64?

    public init(
        repository: String, version: String, digest: Digest, environment: String, gitSHA: String?, gateEvent: Int64,
        gateOutcome: GateDecision.Outcome, expires: Double?, reason: String
    ) {
        self.repository = repository
        self.version = version
        self.digest = digest
        self.environment = environment
        self.gitSHA = gitSHA
        self.gateEvent = gateEvent
        self.gateOutcome = gateOutcome
        self.expires = expires
        self.reason = reason
    }

    /// Reads an `approved` event; nil for another kind or one missing what an approval binds to.
    public init?(_ event: LedgerEvent) {
        guard event.kind == .approved, let digest = event.digest.flatMap(Digest.init), let version = event.version,
            let environment = event.environment, let gate = event.details[DetailKey.gate].flatMap(Int64.init)
        else { return nil }
        repository = event.repository
        self.version = version
        self.digest = digest
        self.environment = environment
        gitSHA = event.gitSHA
        gateEvent = gate
        gateOutcome = event.details[DetailKey.outcome].flatMap(GateDecision.Outcome.init(rawValue:)) ?? .needsApproval
        expires = event.details[DetailKey.expires].flatMap(Double.init)
        reason = event.reason ?? ""
        actor = event.actor
        eventID = event.id
    }

    /// Whether it still holds at `now`.
    public func holds(at now: Double) -> Bool { expires.map { now <= $0 } ?? true }

    public func event(actor: String, time: Double) -> LedgerEvent {
        var details = [DetailKey.gate: String(gateEvent), DetailKey.outcome: gateOutcome.rawValue]
        if let expires { details[DetailKey.expires] = String(expires) }
        return LedgerEvent(
            kind: .approved, repository: repository, version: version, digest: digest.description, environment: environment,
            gitSHA: gitSHA, actor: actor, time: time, reason: reason, details: details)
    }
}
