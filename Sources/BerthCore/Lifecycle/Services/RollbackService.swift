import BerthOCI

/// What `berth rollback` is asked.
public struct RollbackRequest: Sendable {
    public var repository: String
    public var environment: String
    /// The version to return to; nil picks the last good release.
    public var target: String?
    public var reason: String
    /// Return to a version marked bad.
    public var force: Bool

    public init(repository: String, environment: String, target: String? = nil, reason: String = "rollback", force: Bool = false)
    {
        self.repository = repository
        self.environment = environment
        self.target = target
        self.reason = reason
        self.force = force
    }
}

/// A rollback decided: what the environment leaves and returns to, the tags that move back, the
/// deployment to apply.
public struct RollbackPreview: Sendable {
    public let request: RollbackRequest
    public let plan: RollbackPlan
    public let deploy: DeploySettings?
    /// The environment's newest changing event when the run began (the once-key's state).
    public let head: Int64?
    let writer: TagWriter
}

/// What a rollback did.
public struct RollbackOutcome: Sendable {
    public let event: LedgerEvent
    /// `commit`, `kubectl`, `health` when a deployment was applied.
    public let details: [String: String]
    public let unhealthy: BerthError?
}

/// Rolls an environment back to its last good release (`RollbackPlanner`): marks the current release
/// bad, moves the environment's floating tags back and verifies them, deploys (`DeployService`), and
/// records the rollback exactly once from the environment's state. The deployment happened whatever the
/// health check says: it is recorded, and `unhealthy` reports it.
public struct RollbackService: Sendable {
    public let dependencies: LifecycleDependencies
    public let environments: [EnvironmentPolicy]
    public let tagPrefix: String
    public let deployments: [String: DeploySettings]
    public let deployer: DeployService?

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

    public func preview(_ request: RollbackRequest) async throws -> RollbackPreview {
        if let target = request.target { _ = try VersionArgument.validated(target) }
        _ = try FreeText.validated(request.reason, option: "--reason")
        guard let policy = environments.first(where: { $0.name == request.environment }) else {
            throw BerthError(
                .usage,
                "unknown environment '\(request.environment)'; berth.yaml defines \(environments.map(\.name).joined(separator: ", "))"
            )
        }
        let (reference, store) = try dependencies.repository(request.repository)
        let ledger = dependencies.ledger
        let history = try await ledger.events(
            LedgerQuery(repository: request.repository, environment: request.environment, kinds: environmentChangingKinds))
        var events: [LedgerEvent] = []
        for digest in Set(history.compactMap(\.digest)) {
            events += try await ledger.events(LedgerQuery(repository: request.repository, digest: digest))
        }
        let planned = Result { () throws(BerthError) -> RollbackPlan in
            try RollbackPlanner.plan(
                environment: policy, history: history, events: events, target: request.target, prefix: tagPrefix,
                now: dependencies.time.now(), force: request.force)
        }
        if case .failure(let refusal) = planned, refusal.kind == .blocked, request.target == nil, let last = history.first,
            last.kind == .rolledBack
        {
            // Nothing qualifies because a rollback just happened (another run's, racing this one): say so.
            throw BerthError(
                .conflict,
                "\(request.environment) was already rolled back to \(last.version ?? "?") (event \(last.id ?? 0) by \(last.actor)), and nothing earlier qualifies; nothing to do"
            )
        }
        let plan = try planned.get()
        return RollbackPreview(
            request: request, plan: plan, deploy: deployments[request.environment], head: history.first?.id,
            writer: TagWriter(store: store, repository: reference.repository, name: request.repository))
    }

    public func run(_ preview: RollbackPreview) async throws -> RollbackOutcome {
        try await dependencies.ledger.checkWritable()
        let (request, plan) = (preview.request, preview.plan)
        guard let from = Digest(plan.fromDigest), let to = Digest(plan.toDigest) else {
            throw BerthError(.failure, "the ledger names a digest berth can't read (\(plan.fromDigest), \(plan.toDigest))")
        }
        // The current release is bad from now on (once per digest and environment: a re-run adds nothing).
        let mark = BadMark(
            repository: request.repository, version: plan.fromVersion, digest: from, environment: request.environment,
            reason: request.reason)
        do {
            try await dependencies.ledger.append(mark.event(actor: dependencies.actor, time: dependencies.time.now()))
        } catch is LedgerConflict {}

        let writer = preview.writer
        let document = try await writer.store.fetchManifest(writer.repository, reference: to.description)
        try await writer.put(plan.movingTags, on: document)
        try await writer.verify(plan.movingTags, digest: to, rerun: "run berth rollback again")
        var done: [String: String] = [:]
        var unhealthy: BerthError?
        if let settings = preview.deploy {
            guard let deployer else {
                throw BerthError(.failure, "deploy.\(request.environment) is configured but nothing here can deploy")
            }
            let outcome = try await deployer.apply(
                settings, environment: request.environment, repository: request.repository, tag: tagPrefix + plan.toVersion,
                digest: to,
                commitMessage: "chore(deploy): roll \(request.environment) back to \(plan.toVersion)\n\n\(request.reason)")
            done = outcome.details
            unhealthy = outcome.unhealthy
        }
        let change = EnvironmentChange(
            .rollback(fromVersion: plan.fromVersion, fromDigest: from, tags: plan.movingTags, done: done),
            repository: request.repository, version: plan.toVersion, digest: to, environment: request.environment, gitSHA: nil,
            reason: request.reason, after: preview.head)
        let event = try await dependencies.record(change)
        return RollbackOutcome(event: event, details: done, unhealthy: unhealthy)
    }
}
