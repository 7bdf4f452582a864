import BerthCore
import BerthOCI

/// Records a build in the ledger: one `built` event for the image and one `pushed` per destination,
/// appended together (a build is in the ledger whole or not at all).
struct BuildRecorder {
    let ledger: any LedgerStore
    let plan: ReleasePlan
    let actor: String

    func record(digest: Digest, destinations: [String], tags: [String], details: [String: String]) async throws {
        let version = plan.decision.version.description
        let commit = plan.decision.headCommit
        let now = LedgerFactory.now
        let built = LedgerEvent(
            kind: .built, repository: destinations[0], version: version, digest: digest.description, gitSHA: commit,
            actor: actor, time: now, reason: plan.decision.explanation, details: details)
        let pushed = destinations.map { repository in
            LedgerEvent(
                kind: .pushed, repository: repository, version: version, digest: digest.description, gitSHA: commit,
                actor: actor, time: now, details: ["tags": tags.joined(separator: ",")])
        }
        try await ledger.append(all: [built] + pushed)
    }
}
