import BerthOCI

/// What every lifecycle service works with: the ledger, the image stores, the time, who acts, and the
/// checkpoint hook. The CLI's composition root builds the live ones; tests build them in memory.
public struct LifecycleDependencies: Sendable {
    public var ledger: any LedgerStore
    public var stores: any ImageStoreProvider
    public var time: any TimeSource
    /// Who acts: the CI actor, else the local account (the CLI); the token's owner (a server).
    public var actor: String
    public var checkpoint: Checkpoint

    public init(
        ledger: any LedgerStore, stores: any ImageStoreProvider, time: any TimeSource, actor: String,
        checkpoint: Checkpoint = .none
    ) {
        self.ledger = ledger
        self.stores = stores
        self.time = time
        self.actor = actor
        self.checkpoint = checkpoint
    }

    /// The repository `name` (`host/repo`, `oci:PATH`) and the store that holds it.
    public func repository(_ name: String) throws -> (reference: ImageReference, store: any ImageStore) {
        let reference: ImageReference
        do { reference = try ImageReference(parsing: name) } catch { throw BerthError(.badInput, error.description) }
        return (reference, try stores.store(for: reference))
    }

    /// Appends an environment change under its once-key; a run that lost the race learns who won.
    func record(_ change: EnvironmentChange) async throws -> LedgerEvent {
        do {
            return try await ledger.append(change.event(actor: actor, time: time.now()))
        } catch let conflict as LedgerConflict {
            let winner = conflict.existing.map { " (event \($0.id ?? 0) by \($0.actor))" } ?? ""
            throw BerthError(
                .conflict,
                "another run recorded the \(change.noun) of \(change.repository) \(change.version) in \(change.environment) at the same time\(winner); nothing to do"
            )
        }
    }
}
