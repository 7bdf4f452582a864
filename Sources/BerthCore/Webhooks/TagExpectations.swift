import BerthOCI

/// Where berth last put each tag of a repository, folded from its ledger: the newest push, tag, release,
/// promotion or rollback naming the tag wins; a tag retention pruned is expected absent.
public struct TagExpectations: Hashable, Sendable {
    public struct Expectation: Hashable, Sendable {
        /// The digest berth put there; nil: berth deleted the tag.
        public var digest: Digest?
        /// The ledger event that put it there.
        public var eventID: Int64
    }

    public var tags: [String: Expectation]

    /// The kinds that say where a tag points.
    public static let kinds: Set<LedgerEvent.Kind> = [.pushed, .tagged, .released, .promoted, .rolledBack, .pruned]

    /// Folds `events` (any order) of one repository.
    public init(_ events: [LedgerEvent]) {
        var tags: [String: Expectation] = [:]
        for event in events.sorted(by: { ($0.id ?? 0) < ($1.id ?? 0) }) where Self.kinds.contains(event.kind) {
            let digest = event.kind == .pruned ? nil : event.digest.flatMap(Digest.init)
            guard event.kind == .pruned || digest != nil else { continue }
            for tag in TagList.parse(event.details[DetailKey.tags]) where ImageTag.isValid(tag) {
                tags[tag] = Expectation(digest: digest, eventID: event.id ?? 0)
            }
        }
        self.tags = tags
    }

    /// Reads `repository`'s expectations from `ledger`.
    public static func read(_ repository: String, ledger: any LedgerStore) async throws -> TagExpectations {
        TagExpectations(try await ledger.events(LedgerQuery(repository: repository, kinds: kinds)))
    }
}
