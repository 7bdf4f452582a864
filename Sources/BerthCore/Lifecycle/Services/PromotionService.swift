import BerthOCI

/// What `berth promote` is asked.
public struct PromotionRequest: Sendable {
    public var repository: String
    public var version: String
    public var environment: String
    public var reason: String?
    /// Promote a version marked bad.
    public var force: Bool
    /// Apply berth.yaml's `deploy.<environment>` after the promotion.
    public var deploy: Bool

    public init(
        repository: String, version: String, environment: String, reason: String? = nil, force: Bool = false,
        deploy: Bool = true
    ) {
        self.repository = repository
        self.version = version
        self.environment = environment
        self.reason = reason
        self.force = force
        self.deploy = deploy
    }
}

/// A promotion decided: the digest, the plan (tags to create, keep or move), the deployment to apply.
public struct PromotionPreview: Sendable {
    public let request: PromotionRequest
    public let digest: Digest
    public let plan: PromotionPlan
    public let facts: PromotionFacts
    /// The deployment to apply afterwards, if any.
    public let deploy: DeploySettings?
    let writer: TagWriter

    /// The environment runs it with every tag in place, deployed when a deployment is configured: a
    /// re-run, with nothing to do.
    public var isDone: Bool {
        let deployed = facts.current?.event.kind == .deployed && facts.current?.digest == digest.description
        return plan.isDone && (deploy == nil || deployed)
    }

    var reason: String { request.reason ?? "promoted from \(plan.from ?? "release")" }
}

/// What a promotion did.
public struct PromotionOutcome: Sendable {
    /// The promotion the environment runs: this run's, or the one a racing run recorded first.
    public let promoted: LedgerEvent?
    /// Whether this run recorded `promoted`; false when another run had, and this one only put the tags back.
    public var recordedPromotion = false
    public let deployed: LedgerEvent?
    /// The deployment happened but the health URL never answered 2xx.
    public let unhealthy: BerthError?
}

/// Promotes a released version to the next environment by retagging the very same digest: the
/// environment order, gates, approvals and bad marks decide (`PromotionPlanner`), and holds stop it
/// (`HoldService.check`); every tag is verified
/// before the promotion is recorded, exactly once from the environment's current state; then the
/// environment is deployed (`DeployService`) and that is recorded too. A crash anywhere converges on a
/// re-run; of racing runs one records and the rest get `.conflict`.
public struct PromotionService: Sendable {
    public let dependencies: LifecycleDependencies
    public let environments: [EnvironmentPolicy]
    public let tagPrefix: String
    /// berth.yaml `deploy:` per environment.
    public let deployments: [String: DeploySettings]
    public let deployer: DeployService?
    /// Environments whose berth.yaml `verify:` requires a signature, by name (the composition root loads the keys).
    public var signatureRequirements: [String: SignatureRequirement] = [:]

    public init(
        _ dependencies: LifecycleDependencies, environments: [EnvironmentPolicy], tagPrefix: String,
        deployments: [String: DeploySettings] = [:], deployer: DeployService? = nil
    ) {
        self.dependencies = dependencies
        self.environments = environments
        self.tagPrefix = tagPrefix
        self.deployments = deployments
        self.deployer = deployer
    }

    public func preview(_ request: PromotionRequest) async throws -> PromotionPreview {
        _ = try VersionArgument.validated(request.version)
        if let reason = request.reason { _ = try FreeText.validated(reason, option: "--reason") }
        let (reference, store) = try dependencies.repository(request.repository)
        let writer = TagWriter(store: store, repository: reference.repository, name: request.repository)
        let digest = try await digest(of: request.version, repository: request.repository, writer: writer)
        try await signatureRequirements[request.environment]?.check(
            store: store, repository: reference.repository, digest: digest, reference: "\(request.repository)@\(digest)")
        let facts = try await PromotionFacts.gather(
            version: request.version, digest: digest, environment: request.environment, environments: environments,
            tagPrefix: tagPrefix, repository: request.repository, ledger: dependencies.ledger, writer: writer)
        // A hold stops a promotion before any other rule, forced or not: it is released on purpose, not
        // overridden. A re-run where the environment runs the digest already has nothing to stop.
        if facts.current?.digest != digest.description {
            try await HoldService.check(
                repository: request.repository, environment: request.environment, digest: digest.description,
                ledger: dependencies.ledger)
        }
        let plan = try PromotionPlanner.plan(
            version: request.version, digest: digest.description, to: request.environment, environments: environments,
            tagPrefix: tagPrefix, events: facts.events, existingTags: facts.existingTags, now: dependencies.time.now(),
            force: request.force, current: facts.current?.digest)
        return PromotionPreview(
            request: request, digest: digest, plan: plan, facts: facts,
            deploy: request.deploy ? deployments[request.environment] : nil, writer: writer)
    }

    public func run(_ preview: PromotionPreview) async throws -> PromotionOutcome {
        try await dependencies.ledger.checkWritable()
        let request = preview.request
        let (promoted, recorded) =
            preview.plan.isDone ? (preview.facts.current?.event, false) : try await retagAndRecord(preview)
        guard let settings = preview.deploy else {
            return PromotionOutcome(promoted: promoted, recordedPromotion: recorded, deployed: nil, unhealthy: nil)
        }
        guard let deployer else {
            throw BerthError(
                .failure, "deploy.\(request.environment) is configured but nothing here can deploy; pass --no-deploy")
        }
        let tag = preview.plan.tags.first?.tag ?? tagPrefix + request.version
        let outcome = try await deployer.apply(
            settings, environment: request.environment, repository: request.repository, tag: tag, digest: preview.digest,
            commitMessage: "chore(deploy): \(request.environment) runs \(request.version)\n\n\(preview.reason)")
        let change = EnvironmentChange(
            .deployment(tag: tag, done: outcome.details), repository: request.repository, version: request.version,
            digest: preview.digest, environment: request.environment, gitSHA: promoted?.gitSHA,
            reason: request.reason ?? "deployed by berth promote", after: promoted?.id)
        let deployed = try await dependencies.record(change)
        return PromotionOutcome(
            promoted: promoted, recordedPromotion: recorded, deployed: deployed, unhealthy: outcome.unhealthy)
    }

    /// Puts the plan's tags on the digest, verifies every one, then records the promotion; says whether it
    /// was this run that recorded it.
    func retagAndRecord(_ preview: PromotionPreview) async throws -> (LedgerEvent, recorded: Bool) {
        let request = preview.request
        try await preview.writer.retag(preview.plan.tags.filter { $0.action != .keep }.map(\.tag), digest: preview.digest)
        try dependencies.checkpoint.reached(.promoteRetagged)
        try await preview.writer.verify(preview.plan.tags.map(\.tag), digest: preview.digest, rerun: "run berth promote again")
        // The environment already runs this digest: another run promoted it between this run's read of
        // the registry and its read of the ledger. The tags are put back; there is nothing to record.
        if let current = preview.facts.current, current.digest == preview.digest.description,
            current.event.kind == .promoted || current.event.kind == .deployed
        {
            return (current.event, false)
        }
        let change = EnvironmentChange(
            .promotion(from: preview.plan.from, tags: preview.plan.tags.map(\.tag), clearance: preview.plan.clearance),
            repository: request.repository, version: request.version, digest: preview.digest,
            environment: request.environment, gitSHA: preview.facts.events.first(where: { $0.gitSHA != nil })?.gitSHA,
            reason: preview.reason, after: preview.facts.current?.event.id)
        let event = try await dependencies.record(change)
        try dependencies.checkpoint.reached(.promoteRecorded)
        return (event, true)
    }

    /// The digest of `version`: the newest ledger event that names one, else the store's version tag.
    func digest(of version: String, repository: String, writer: TagWriter) async throws -> Digest {
        let recorded = try await dependencies.ledger.events(
            LedgerQuery(
                repository: repository, version: version, kinds: [.released, .pushed, .built, .promoted, .tagged, .gateEvaluated])
        )
        if let text = recorded.first(where: { $0.digest != nil })?.digest, let digest = Digest(text) { return digest }
        if let found = try await writer.store.resolve(writer.repository, reference: tagPrefix + version) { return found.digest }
        throw BerthError(
            .failure,
            "\(repository) has no version \(version): no ledger event names it and tag '\(tagPrefix)\(version)' doesn't exist; was it released?"
        )
    }
}
