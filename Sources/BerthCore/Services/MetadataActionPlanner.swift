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

/// Tags from docker/metadata-action's `tags:`/`flavor:` lines. In GitHub Actions the context is the
/// action's (the `GITHUB_*` variables and the event payload), so no checkout is needed; outside it, git's
/// checkout gives a push context. A rule that needs what only a checkout knows fails with the reason.
public enum MetadataActionPlanner {
    /// The tag plan and the action's version for `request`; `checkout` is nil without a git repository.
    public static func plan(
        _ request: PlanRequest, checkout: MetadataActionCheckout?
    ) throws(BerthError) -> (tags: TagPlan, version: MetadataActionVersion) {
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
        let tagger = MetadataActionTagger(rules: rules, flavor: flavor, context: context, exact: request.metadataActionExact)
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
        return (TagPlan(images: config.images, tags: planned, version: version.main ?? ""), version)
    }
}

extension BerthConfiguration {
    /// Whether tags come from docker/metadata-action's `tags:`/`flavor:` lines instead of berth's templates.
    public var usesMetadataActionRules: Bool { !metadataTags.isEmpty || !metadataFlavor.isEmpty }
}
