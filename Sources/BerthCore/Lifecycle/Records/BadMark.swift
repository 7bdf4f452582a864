import BerthOCI

/// A release marked bad in an environment (`marked-bad`): no later promotion or rollback brings that
/// digest back without `--force`. Once per digest and environment.
public struct BadMark: Hashable, Sendable {
    public var repository: String
    public var version: String?
    public var digest: Digest
    public var environment: String
    public var reason: String
    public var eventID: Int64?

    public init(repository: String, version: String?, digest: Digest, environment: String, reason: String) {
        self.repository = repository
        self.version = version
        self.digest = digest
        self.environment = environment
        self.reason = reason
    }

    public init?(_ event: LedgerEvent) {
        guard event.kind == .markedBad, let digest = event.digest.flatMap(Digest.init) else { return nil }
        repository = event.repository
        version = event.version
        self.digest = digest
        environment = event.environment ?? ""
        reason = event.reason ?? ""
        eventID = event.id
    }

    public var onceKey: String { OnceKey.badMark(repository: repository, environment: environment, digest: digest) }

    public func event(actor: String, time: Double) -> LedgerEvent {
        LedgerEvent(
            kind: .markedBad, repository: repository, version: version, digest: digest.description, environment: environment,
            actor: actor, time: time, reason: reason, onceKey: onceKey)
    }
}
