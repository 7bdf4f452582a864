import BerthOCI

/// What git knows of the commit being built, when there is a checkout: the ref berth derives outside
/// GitHub Actions, the commit and its time, the default branch.
public struct MetadataActionCheckout: Sendable {
    public var ref: String
    public var sha: String
    public var commitTime: Double
    public var defaultBranch: String

    public init(ref: String, sha: String, commitTime: Double, defaultBranch: String) {
        self.ref = ref
        self.sha = sha
        self.commitTime = commitTime
        self.defaultBranch = defaultBranch
    }
}

/// Tags, labels and annotations from docker/metadata-action's `tags:`/`flavor:`/`labels:`/`annotations:`
/// lines. In GitHub Actions the context is the action's (the `GITHUB_*` variables and the event payload),
/// so no checkout is needed; outside it, git's checkout gives a push context. A rule or line that needs what
/// only a checkout knows fails with the reason.
public enum MetadataActionPlanner {
    /// The tag plan and the action's version for `request`; `checkout` is nil without a git repository.
    public static func plan(
        _ request: PlanRequest, checkout: MetadataActionCheckout?
    ) throws(BerthError) -> (tags: TagPlan, version: MetadataActionVersion) {
        let tagger = try tagger(request, checkout: checkout)
        return try plan(request, tagger: tagger)
    }

    /// Every output of the action for `request`: version, tags, labels, annotations at their levels, and
    /// berth's build args and `-ldflags`. `created` is SOURCE_DATE_EPOCH, else the commit's time (the
    /// payload's or git's), else the clock as the action has it; `--created-now` takes the clock.
    /// - Parameters:
    ///   - checkout: nil without a git repository.
    ///   - remoteURL: the git remote's URL, when there is one, for the source label outside GitHub.
    public static func outputs(
        _ request: PlanRequest, checkout: MetadataActionCheckout?, remoteURL: String?
    ) throws(BerthError) -> MetadataActionOutputs {
        let config = request.configuration
        let sourceDateEpoch = try SourceDateEpoch.seconds(in: request.environment)
        let tagger = try tagger(request, checkout: checkout)
        let (tags, version) = try plan(request, tagger: tagger)
        let context = tagger.context
        let created =
            request.createdFromClock
            ? Int64(request.now) : sourceDateEpoch ?? context.commitTime.map { Int64($0) } ?? Int64(request.now)
        let project = request.project(remoteURL: remoteURL)
        let repository = MetadataActionLabels.Repository(
            name: project.title, description: project.description,
            htmlURL: (project.url ?? project.source).map(RemoteURL.sanitized), license: project.licenses)
        let createdText = RFC3339.utc(seconds: created)
        func lines(_ extra: [String]) throws(BerthError) -> [String] {
            try MetadataActionLabels.labels(
                repository: repository, version: version.main, tagger: tagger, extra: extra.flatMap(MetadataInputList.lines),
                created: createdText)
        }
        let labels = try lines(config.metadataLabels).compactMap(MetadataActionLabels.pair)
        let levels = MetadataActionAnnotations.levels(environment: request.environment)
        let annotations = MetadataActionAnnotations.levelled(try lines(config.metadataAnnotations), levels: levels)
        let metadata = BuildMetadata(
            version: version.main ?? "", revision: context.sha, created: created, refName: nil, project: project,
            ldflags: config.ldflags
        ).replacingLabels(labels)
        return MetadataActionOutputs(
            version: version, tags: tags, metadata: metadata, annotations: annotations, levels: levels, revision: context.sha)
    }

    /// The action's tagger over the context of `request`: the GitHub variables and payload, else the checkout's.
    static func tagger(_ request: PlanRequest, checkout: MetadataActionCheckout?) throws(BerthError) -> MetadataActionTagger {
        let config = request.configuration
        let rules = try config.metadataTags.flatMap(MetadataInputList.lines).map { line throws(BerthError) in
            try MetadataTagRule(parsing: line)
        }
        let flavor = try MetadataFlavor(parsing: config.metadataFlavor.flatMap(MetadataInputList.lines))
        var env: [String: String] = [:]
        for key in [
            "GITHUB_EVENT_NAME", "GITHUB_REF", "GITHUB_SHA", "DOCKER_METADATA_PR_HEAD_SHA", "DOCKER_METADATA_SHORT_SHA_LENGTH",
        ] {
            if let value = request.environment[key].nonEmpty { env[key] = value }
        }
        if env["GITHUB_REF"] == nil {
            guard let checkout else {
                throw BerthError(
                    .usage,
                    "docker/metadata-action rules need the ref being built: GITHUB_REF is not set and there is no git checkout to derive it from; run in GitHub Actions or in a git repository"
                )
            }
            env["GITHUB_REF"] = checkout.ref
        }
        env["GITHUB_SHA"] = env["GITHUB_SHA"] ?? checkout?.sha
        env["GITHUB_EVENT_NAME"] = env["GITHUB_EVENT_NAME"] ?? "push"
        let payload = request.ci.provider == .github ? request.ci.payload : nil
        let context = try MetadataActionContext.gitHub(
            environment: env, payload: payload, defaultBranch: checkout?.defaultBranch ?? config.defaultBranch ?? "main",
            now: request.now, commitTime: checkout?.commitTime)
        return MetadataActionTagger(rules: rules, flavor: flavor, context: context, exact: request.metadataActionExact)
    }

    static func plan(
        _ request: PlanRequest, tagger: MetadataActionTagger
    ) throws(BerthError) -> (tags: TagPlan, version: MetadataActionVersion) {
        let version = try tagger.version()
        var planned: [PlannedTag] = []
        for text in tagger.tagNames(for: version) {
            guard let tag = ImageTag(text) else {
                throw BerthError(
                    .badInput,
                    "tag '\(text)' is not a valid OCI tag: \(ImageTag.violation(in: text) ?? "invalid"); docker/metadata-action makes it so and the push would fail; drop --metadata-action-exact to let berth repair it, or change the tag rule"
                )
            }
            planned.append(PlannedTag(tag: tag, mobility: text == "latest" ? .highest : .fixed, source: "metadata-action"))
        }
        return (TagPlan(images: request.configuration.images, tags: planned, version: version.main ?? ""), version)
    }
}

extension BerthConfiguration {
    /// Whether tags come from docker/metadata-action's `tags:`/`flavor:` lines instead of berth's templates.
    public var usesMetadataActionRules: Bool { !metadataTags.isEmpty || !metadataFlavor.isEmpty }
}
