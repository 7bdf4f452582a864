import BerthOCI

/// The names of `LedgerEvent.details` entries, in one place: a rename here changes what is written and
/// what is read together, and the records' round-trip tests pin the spelling already in ledgers.
public enum DetailKey {
    public static let outcome = "outcome"
    public static let gate = "gate"
    public static let expires = "expires"
    public static let tags = "tags"
    public static let tag = "tag"
    public static let gitTag = "gitTag"
    public static let gitTagPushed = "gitTagPushed"
    public static let from = "from"
    public static let fromDigest = "fromDigest"
    public static let clearance = "clearance"
    public static let commit = "commit"
    public static let kubectl = "kubectl"
    public static let health = "health"
    public static let report = "report"
    public static let reportFile = "reportFile"
    public static let scanner = "scanner"
    public static let reasons = "reasons"
    public static let excepted = "excepted"
    /// A hold's scope: `environment` or `digest`.
    public static let scope = "scope"
    /// Where a `replicated` release was copied to (`host/repo`).
    public static let destination = "destination"

    public static func count(_ severity: Severity) -> String { "counts.\(severity)" }
}

/// The once-keys of exactly-once events, built in one place. Each names the state the event moves
/// from, so of racing runs one records and the rest are refused, while a later, legitimate repeat
/// (the same digest promoted again after a rollback) gets a fresh key.
public enum OnceKey {
    /// One release of a version per repository, ever.
    public static func release(repository: String, version: String) -> String { "release:\(repository):\(version)" }

    /// One bad mark per digest and environment.
    public static func badMark(repository: String, environment: String, digest: Digest) -> String {
        "bad:\(repository):\(environment):\(digest)"
    }

    /// One promotion of `digest` into `environment` from the environment's state `after` (its newest
    /// changing event; 0 when it ran nothing).
    public static func promotion(repository: String, environment: String, digest: Digest, after: Int64?) -> String {
        "promote:\(repository):\(environment):\(digest):after:\(after ?? 0)"
    }

    /// One deployment per promotion or rollback event it follows.
    public static func deployment(repository: String, environment: String, digest: Digest, after: Int64?) -> String {
        "deploy:\(repository):\(environment):\(digest):after:\(after ?? 0)"
    }

    /// One `replicated` event per release digest and destination repository (a re-run finds it recorded).
    public static func replication(repository: String, digest: Digest, destination: String) -> String {
        "replicate:\(repository):\(digest):to:\(destination)"
    }

    /// One rollback of `environment` from its state `after`.
    public static func rollback(repository: String, environment: String, after: Int64?) -> String {
        "rollback:\(repository):\(environment):after:\(after ?? 0)"
    }
}
