import BerthOCI

/// The inputs of one `berth plan` run beyond the configuration.
public struct PlanRequest: Sendable {
    public var configuration: BerthConfiguration
    public var ci: CIContext
    /// The process environment, for GitHub's context variables and SOURCE_DATE_EPOCH (a malformed
    /// SOURCE_DATE_EPOCH is refused: exit 65).
    public var environment: [String: String]
    /// `--branch`, for a detached HEAD outside CI.
    public var branch: String?
    public var allowDirty = false
    /// The environment whose naming rule applies (`--env`).
    public var environmentName: String?
    /// The run's clock in seconds since the epoch (`--now`, else the wall clock), for `{{date}}` of
    /// metadata-action rules, and for `created` only when `createdFromClock` is set.
    public var now: Double
    public var createdFromClock = false
    /// Ask the remote for tags too (`git ls-remote`).
    public var checkRemote = true
    /// docker/metadata-action's tags byte for byte (`--metadata-action-exact`): no repair of tags that
    /// aren't valid OCI tags, duplicates kept.
    public var metadataActionExact = false
    /// The remote a shallow clone fetches just enough history and tags from before planning (`--deepen`,
    /// `version.deepen`); nil never fetches.
    public var deepenFrom: String?

    public init(configuration: BerthConfiguration, ci: CIContext, environment: [String: String], now: Double) {
        self.configuration = configuration
        self.ci = ci
        self.environment = environment
        self.now = now
    }
}

/// Version, tags, build metadata and checks of one build: the value `berth plan` renders.
public struct ReleasePlan: Sendable {
    public let decision: VersionDecision
    public let tags: TagPlan
    public let metadata: BuildMetadata
    public let findings: [CheckFinding]
    public let ci: CIContext
    /// Whether tags came from docker/metadata-action rules rather than berth's templates.
    public let usesMetadataActionRules: Bool
    /// docker/metadata-action's outputs (its labels are `metadata`'s), with those rules.
    public var metadataAction: MetadataActionOutputs? = nil

    /// The same plan with other findings (the registry's, added by an async check).
    public func with(findings: [CheckFinding]) -> ReleasePlan {
        ReleasePlan(
            decision: decision, tags: tags, metadata: metadata, findings: findings, ci: ci,
            usesMetadataActionRules: usesMetadataActionRules, metadataAction: metadataAction)
    }

    /// The first failed finding's kind, deciding the exit code; nil when every check passed.
    public var failureKind: FailureKind? {
        let failed = findings.filter { $0.status == .fail }
        if failed.contains(where: { $0.kind == .conflict }) { return .conflict }
        return failed.first?.kind
    }
}

/// Runs the planning use case against a repository: version, tags, labels and checks.
public struct PlanService: Sendable {
    let git: any GitHistory
    /// Fetches into a shallow clone for `PlanRequest.deepenFrom`.
    let fetcher: (any HistoryFetcher)?

    public init(git: any GitHistory, fetcher: (any HistoryFetcher)? = nil) {
        self.git = git
        self.fetcher = fetcher
    }

    /// Plans the build; `check` adds the naming and tag-conflict checks.
    public func plan(_ request: PlanRequest, check: Bool = true) throws -> ReleasePlan {
        let config = request.configuration
        // Both are inputs of the build's times: refuse them before any git call, not after a partial plan.
        let sourceDateEpoch = try SourceDateEpoch.seconds(in: request.environment)
        guard request.now.isFinite, request.now >= Double(RFC3339.supportedSeconds.lowerBound),
            request.now <= Double(RFC3339.supportedSeconds.upperBound)
        else {
            throw BerthError(
                .usage,
                "the clock '\(request.now)' is not a time between 1970 and 9999; pass --now as RFC 3339 (2024-01-31T12:00:00Z) or seconds since the epoch"
            )
        }
        // Before HEAD's tags are read: deepening fetches some.
        let versions = VersionService(git: git, fetcher: fetcher)
        let deepening = try versions.deepen(from: request.deepenFrom, prefix: config.version.tagPrefix)
        let history = versions.prefetchHistory(config.version)
        defer { history?.finish() }
        // At once: HEAD with the remote's URL (for the source label and the remote tag check), and the
        // tags read into versions, the longer of the two.
        let (headRead, refsRead) = ConcurrentReads.run(
            { (head: try git.head(), remoteURL: try git.remoteURL(config.remote)) },
            { [git, prefix = config.version.tagPrefix] in
                let tags = try git.tags()
                return (tags: tags, catalog: TagCatalog(tags: tags, prefix: prefix))
            })
        let (head, remoteURL) = try headRead.get()
        let (allTags, catalog) = try refsRead.get()
        let versionRequest = VersionRequest(
            policy: config.version, ci: request.ci, branch: request.branch, defaultBranch: config.defaultBranch,
            allowDirty: request.allowDirty)
        let decision = try versions.decide(
            versionRequest, catalog: catalog, head: head, deepening: deepening, history: history)
        let buildTime = sourceDateEpoch ?? head.commitTime

        let usesRules = config.usesMetadataActionRules
        let tags: TagPlan
        let metadata: BuildMetadata
        var outputs: MetadataActionOutputs?
        if usesRules {
            let action = try metadataActionPlan(request, decision: decision, head: head, remoteURL: remoteURL)
            (tags, metadata, outputs) = (action.tags, action.metadata, action)
        } else {
            tags = try TagPlanner.plan(
                decision, policy: config.tags, existing: catalog, images: config.images, buildTime: buildTime)
            metadata = BuildMetadata(
                version: try TagPlanner.mappedVersion(decision.version, config.tags.buildMetadata), revision: head.sha,
                created: request.createdFromClock ? Int64(request.now) : buildTime, refName: tags.tags.first?.tag.value,
                project: request.project(remoteURL: remoteURL), ldflags: config.ldflags)
        }

        var findings: [CheckFinding] = []
        if check {
            if let name = request.environmentName {
                findings += try NamingPolicy.check(tags, decision: decision, environment: config.environment(named: name))
            }
            if decision.isNewVersion && decision.channel != .branch(decision.branch) {
                findings.append(
                    NamingPolicy.checkGitTag(
                        decision.tagName, head: head.sha, existing: allTags, whereLabel: "locally", check: "git-tag-local"))
                if request.checkRemote, remoteURL != nil {
                    let remote = try git.remoteTags(remote: config.remote)
                    findings.append(
                        NamingPolicy.checkGitTag(
                            decision.tagName, head: head.sha, existing: remote, whereLabel: "on remote '\(config.remote)'",
                            check: "git-tag-remote"))
                }
            }
        }
        return ReleasePlan(
            decision: decision, tags: tags, metadata: metadata, findings: findings, ci: request.ci,
            usesMetadataActionRules: usesRules, metadataAction: outputs)
    }

    /// docker/metadata-action's outputs, in the GitHub context (or one derived from git locally).
    func metadataActionPlan(
        _ request: PlanRequest, decision: VersionDecision, head: GitHead, remoteURL: String?
    ) throws(BerthError) -> MetadataActionOutputs {
        let localRef: String
        if case .headTagged(let name) = decision.reason {
            localRef = "refs/tags/\(name)"
        } else {
            localRef = "refs/heads/\(decision.branch)"
        }
        let checkout = MetadataActionCheckout(
            ref: localRef, sha: head.sha, commitTime: Double(head.commitTime), defaultBranch: decision.defaultBranch)
        return try MetadataActionPlanner.outputs(request, checkout: checkout, remoteURL: remoteURL)
    }
}

extension PlanRequest {
    /// The project's facts for labels: berth.yaml's, else the CI's repository URL or the git remote's for the
    /// source, and (as docker/metadata-action labels) the repository's own facts from the event payload,
    /// which is what the action reads from GitHub's API.
    public func project(remoteURL: String?) -> ProjectInfo {
        var project = configuration.project
        if project.source == nil {
            project.source = ci.repositoryURL ?? remoteURL
        }
        if let payload = ci.payload {
            project.title = project.title ?? payload.repositoryName
            project.description = project.description ?? payload.repositoryDescription
            project.url = project.url ?? payload.repositoryHTMLURL
            project.licenses = project.licenses ?? payload.repositoryLicense
        }
        return project
    }
}
