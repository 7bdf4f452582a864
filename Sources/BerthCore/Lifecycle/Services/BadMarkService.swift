import BerthOCI

/// What marking a release bad is asked: the version of `repository` that `environment` ran, and why.
public struct BadMarkRequest: Sendable {
    public var repository: String
    public var version: String
    public var environment: String
    public var reason: String

    public init(repository: String, version: String, environment: String, reason: String) {
        self.repository = repository
        self.version = version
        self.environment = environment
        self.reason = reason
    }
}

/// Marks a version's digest bad in an environment (`marked-bad`, once per digest and environment, with
/// the actor and reason): `PromotionPlanner` then refuses to promote it anywhere without `--force`, and
/// rollbacks skip it. The server's Mark bad button calls it; a rollback and an aborted canary record the
/// same mark themselves.
public struct BadMarkService: Sendable {
    public let dependencies: LifecycleDependencies

    public init(_ dependencies: LifecycleDependencies) { self.dependencies = dependencies }

    /// The mark to record (its digest from the ledger); throws when the version was never in the environment.
    public func preview(_ request: BadMarkRequest) async throws -> BadMark {
        guard !request.reason.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw BerthError(.usage, "--reason is empty: say what is wrong with it")
        }
        let reason = try FreeText.validated(request.reason, option: "--reason")
        let version = try VersionArgument.validated(request.version)
        let ran = try await dependencies.ledger.events(
            LedgerQuery(
                repository: request.repository, environment: request.environment, version: version,
                kinds: environmentChangingKinds))
        guard let text = ran.first(where: { $0.digest != nil })?.digest, let digest = Digest(text) else {
            throw BerthError(
                .failure,
                "\(request.repository) \(version) never ran in \(request.environment): only what ran there can be marked bad")
        }
        return BadMark(
            repository: request.repository, version: version, digest: digest, environment: request.environment, reason: reason)
    }

    /// Records the mark; a mark already recorded for the digest and environment is returned as it is.
    public func run(_ mark: BadMark) async throws -> (mark: BadMark, event: LedgerEvent, recorded: Bool) {
        try await dependencies.ledger.checkWritable()
        do {
            let event = try await dependencies.ledger.append(mark.event(actor: dependencies.actor, time: dependencies.time.now()))
            return (BadMark(event) ?? mark, event, true)
        } catch let conflict as LedgerConflict {
            guard let existing = conflict.existing else { throw BerthError(.conflict, conflict.description) }
            return (BadMark(existing) ?? mark, existing, false)
        }
    }
}
