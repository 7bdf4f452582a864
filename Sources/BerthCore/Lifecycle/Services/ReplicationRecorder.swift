import BerthOCI

/// Records that a release was replicated: when the ledger has a `released` event of the digest in the
/// source repository, a `replicated` event (the release's repository, version and digest; the
/// destination and tags in its details), once per digest and destination, so a re-run after a crash
/// records what the crashed run didn't and nothing twice.
public struct ReplicationRecorder: Sendable {
    public let ledger: any LedgerStore
    public let time: any TimeSource
    public let actor: String

    public init(ledger: any LedgerStore, time: any TimeSource, actor: String) {
        self.ledger = ledger
        self.time = time
        self.actor = actor
    }

    /// The `replicated` event of `digest` (new, or the one an earlier run recorded); nil when the digest
    /// is no release of `repository` the ledger knows.
    public func record(repository: String, digest: Digest, destination: String, tags: [String]) async throws -> LedgerEvent? {
        let releases = try await ledger.events(
            LedgerQuery(repository: repository, digest: digest.description, kinds: [.released], limit: 1))
        guard let release = releases.first else { return nil }
        let key = OnceKey.replication(repository: repository, digest: digest, destination: destination)
        if let existing = try await ledger.event(onceKey: key) { return existing }
        var details = [DetailKey.destination: destination]
        if !tags.isEmpty { details[DetailKey.tags] = TagList.join(tags) }
        do {
            return try await ledger.append(
                LedgerEvent(
                    kind: .replicated, repository: repository, version: release.version, digest: digest.description,
                    actor: actor, time: time.now(), reason: "copied to \(destination) with its referrers", details: details,
                    onceKey: key))
        } catch let conflict as LedgerConflict {
            // Another run recorded it first: the same fact, recorded once.
            if let existing = conflict.existing { return existing }
            return try await ledger.event(onceKey: key)
        }
    }
}
