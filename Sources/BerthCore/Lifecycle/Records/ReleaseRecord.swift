import BerthOCI

/// A release (`released`): one version of one repository, its digest and commit, the tags it carries
/// and the git tag made for it. Exactly once per repository and version.
public struct ReleaseRecord: Hashable, Sendable {
    public var repository: String
    public var version: String
    public var digest: Digest
    public var gitSHA: String
    public var tags: [String]
    public var gitTag: String
    /// The remote the git tag was pushed to; nil when it stayed local.
    public var pushedTo: String?
    public var explanation: String
    public var eventID: Int64?

    public init(
        repository: String, version: String, digest: Digest, gitSHA: String, tags: [String], gitTag: String, pushedTo: String?,
        explanation: String
    ) {
        self.repository = repository
        self.version = version
        self.digest = digest
        self.gitSHA = gitSHA
        self.tags = tags
        self.gitTag = gitTag
        self.pushedTo = pushedTo
        self.explanation = explanation
    }

    public init?(_ event: LedgerEvent) {
        guard event.kind == .released, let version = event.version, let digest = event.digest.flatMap(Digest.init) else {
            return nil
        }
        repository = event.repository
        self.version = version
        self.digest = digest
        gitSHA = event.gitSHA ?? ""
        tags = TagList.parse(event.details[DetailKey.tags])
        gitTag = event.details[DetailKey.gitTag] ?? ""
        pushedTo = event.details[DetailKey.gitTagPushed].flatMap { $0.isEmpty ? nil : $0 }
        explanation = event.reason ?? ""
        eventID = event.id
    }

    public var onceKey: String { OnceKey.release(repository: repository, version: version) }

    public func event(actor: String, time: Double) -> LedgerEvent {
        LedgerEvent(
            kind: .released, repository: repository, version: version, digest: digest.description, gitSHA: gitSHA, actor: actor,
            time: time, reason: explanation,
            details: [DetailKey.tags: TagList.join(tags), DetailKey.gitTag: gitTag, DetailKey.gitTagPushed: pushedTo ?? ""],
            onceKey: onceKey)
    }
}

/// Tags in a details entry: comma-separated (a tag can't hold a comma).
public enum TagList {
    public static func parse(_ text: String?) -> [String] {
        (text ?? "").split(separator: ",").map(String.init)
    }

    public static func join(_ tags: [String]) -> String { tags.joined(separator: ",") }
}
