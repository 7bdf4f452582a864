import BerthOCI

/// A change of what an environment runs: a promotion (`promoted`), a deployment (`deployed`) or a
/// rollback (`rolled-back`), with the details each records. Exactly once from a given state of the
/// environment (`after`: the id of its newest changing event when the run began).
public struct EnvironmentChange: Hashable, Sendable {
    public enum Kind: Hashable, Sendable {
        case promotion(from: String?, tags: [String], clearance: String)
        case deployment(tag: String, done: [String: String])
        case rollback(fromVersion: String?, fromDigest: Digest, tags: [String], done: [String: String])
    }

    public var kind: Kind
    public var repository: String
    public var version: String
    public var digest: Digest
    public var environment: String
    public var gitSHA: String?
    public var reason: String
    /// The environment's state the change starts from (its newest changing event), for the once-key.
    public var after: Int64?

    public init(
        _ kind: Kind, repository: String, version: String, digest: Digest, environment: String, gitSHA: String?, reason: String,
        after: Int64?
    ) {
        self.kind = kind
        self.repository = repository
        self.version = version
        self.digest = digest
        self.environment = environment
        self.gitSHA = gitSHA
        self.reason = reason
        self.after = after
    }

    /// What it is called in messages.
    public var noun: String {
        switch kind {
        case .promotion: "promotion"
        case .deployment: "deployment"
        case .rollback: "rollback"
        }
    }

    public var onceKey: String {
        switch kind {
        case .promotion:
            OnceKey.promotion(repository: repository, environment: environment, digest: digest, after: after)
        case .deployment:
            OnceKey.deployment(repository: repository, environment: environment, digest: digest, after: after)
        case .rollback:
            OnceKey.rollback(repository: repository, environment: environment, after: after)
        }
    }

    public func event(actor: String, time: Double) -> LedgerEvent {
        let (kind, details): (LedgerEvent.Kind, [String: String]) =
            switch self.kind {
            case .promotion(let from, let tags, let clearance):
                (.promoted, [DetailKey.tags: TagList.join(tags), DetailKey.from: from ?? "", DetailKey.clearance: clearance])
            case .deployment(let tag, let done):
                (.deployed, done.merging([DetailKey.tag: tag]) { $1 })
            case .rollback(let fromVersion, let fromDigest, let tags, let done):
                (
                    .rolledBack,
                    done.merging([
                        DetailKey.from: fromVersion ?? "", DetailKey.fromDigest: fromDigest.description,
                        DetailKey.tags: TagList.join(tags),
                    ]) { $1 }
                )
            }
        return LedgerEvent(
            kind: kind, repository: repository, version: version, digest: digest.description, environment: environment,
            gitSHA: gitSHA, actor: actor, time: time, reason: reason, details: details, onceKey: onceKey)
    }
}
