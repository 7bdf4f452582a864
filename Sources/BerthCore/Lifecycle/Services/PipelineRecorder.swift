import BerthOCI

/// Records the pipeline's first entries in the audit trail: a plan (`planned`, one per image) and a
/// build (`built`, and `pushed` per destination), each appended whole or not at all.
public struct PipelineRecorder: Sendable {
    public let ledger: any LedgerStore
    public let time: any TimeSource
    public let actor: String

    public init(ledger: any LedgerStore, time: any TimeSource, actor: String) {
        self.ledger = ledger
        self.time = time
        self.actor = actor
    }

    /// A plan whose checks passed, for each of its images.
    public func recordPlan(_ plan: ReleasePlan) async throws {
        let now = time.now()
        let events = try plan.tags.images.map { image in
            LedgerEvent(
                kind: .planned, repository: try Self.repository(image), version: plan.decision.version.description,
                gitSHA: plan.decision.headCommit, actor: actor, time: now, reason: plan.decision.explanation,
                details: [DetailKey.tags: TagList.join(plan.tags.tags.map(\.tag.value)), "channel": "\(plan.decision.channel)"])
        }
        try await ledger.append(all: events)
    }

    /// A build of `plan` with `digest`, pushed to `destinations` (image names) under `tags`.
    public func recordBuild(
        _ plan: ReleasePlan, digest: Digest, destinations: [String], tags: [String], details: [String: String]
    ) async throws {
        let repositories = try destinations.map(Self.repository)
        guard let first = repositories.first else { return }
        let (version, commit, now) = (plan.decision.version.description, plan.decision.headCommit, time.now())
        let built = LedgerEvent(
            kind: .built, repository: first, version: version, digest: digest.description, gitSHA: commit, actor: actor,
            time: now, reason: plan.decision.explanation, details: details)
        let pushed = repositories.map { repository in
            LedgerEvent(
                kind: .pushed, repository: repository, version: version, digest: digest.description, gitSHA: commit,
                actor: actor, time: now, details: [DetailKey.tags: TagList.join(tags)])
        }
        try await ledger.append(all: [built] + pushed)
    }

    static func repository(_ image: String) throws -> String {
        do { return try ImageReference(parsing: image).ledgerName } catch { throw BerthError(.badInput, error.description) }
    }
}
