import BerthCore
import Foundation

/// The ledger side of `registry sync` and `registry cp --referrers`: a release they copy is recorded as
/// `replicated`, so they open the ledger a project has. A registry command run outside a project
/// creates none: without --ledger, $BERTH_LEDGER, berth.yaml's `ledger` or an existing
/// `.berth/ledger.sqlite`, nothing is recorded.
extension CommandContext {
    func replicationRecorder(_ options: LedgerOptions) async throws -> ReplicationRecorder? {
        let configured =
            options.ledger != nil || !(environment["BERTH_LEDGER"] ?? "").isEmpty || configuration.ledger != nil
            || FileManager.default.fileExists(atPath: "\(projectDirectory)/\(LedgerFactory.defaultLocation)")
        guard configured else { return nil }
        return ReplicationRecorder(ledger: try await LedgerFactory.open(options, context: self), time: SystemTime(), actor: actor)
    }
}
