import BerthCore

/// The `--json` documents, one schema each, versioned by their `schema` field. docs/json.md describes them.
struct VersionDocument: Encodable {
    struct Base: Encodable {
        let tag: String
        let version: String
        let commit: String
    }
    struct Commit: Encodable {
        let sha: String
        let subject: String
        let type: String?
        let scope: String?
        let breaking: Bool
        let bump: String?
        /// The `version.bumps` key that decided the bump (`build(deps)`), `breaking`, `reverted` or `reverts`;
        /// absent when no rule names the commit.
        let rule: String?
        /// `build(deps) → patch`: the rule and what it gave.
        let why: String
    }
    let version: String
    let gitTag: String
    let newVersion: Bool
    let channel: String
    let branch: String
    let defaultBranch: String
    let commit: String
    let reason: String
    let bump: String?
    let explanation: String
    let base: Base?
    let commits: [Commit]
    let skippedTags: [String]
    let adjustment: Adjustment?
    /// What `--deepen` fetched first; absent without it.
    let deepen: DeepenDocument?

    /// Why the version isn't the plain bump of the base (absent when it is).
    struct Adjustment: Encodable {
        let kind: String?
        let bumped: String
        let highest: Base?
        let skipped: [String]
        let explanation: String
    }

    init(_ decision: VersionDecision) {
        version = decision.version.description
        gitTag = decision.tagName
        newVersion = decision.isNewVersion
        channel = decision.channel.name
        branch = decision.branch
        defaultBranch = decision.defaultBranch
        commit = decision.headCommit
        switch decision.reason {
        case .headTagged: reason = "head-tagged"; bump = nil
        case .initial: reason = "initial"; bump = nil
        case .bumped(let b): reason = "bumped"; bump = b.rawValue
        case .noReleasableCommits: reason = "no-releasable-commits"; bump = nil
        }
        explanation = decision.explanation
        base = decision.base.map { Base(tag: $0.name, version: $0.version.description, commit: $0.commit) }
        commits = decision.commits.map {
            Commit(
                sha: $0.sha, subject: $0.subject, type: $0.conventional?.type, scope: $0.conventional?.scope,
                breaking: $0.conventional?.isBreaking ?? false, bump: $0.bump?.rawValue, rule: Self.rule($0.ruling),
                why: $0.explanation)
        }
        skippedTags = decision.skippedTags
        deepen = decision.deepening.map(DeepenDocument.init)
        adjustment = decision.adjustment.map { adjustment in
            Adjustment(
                kind: adjustment.kind?.rawValue, bumped: adjustment.bumped.description,
                highest: adjustment.highest.map { Base(tag: $0.name, version: $0.version.description, commit: $0.commit) },
                skipped: adjustment.skipped, explanation: adjustment.explanation)
        }
    }

    static func rule(_ ruling: CommitRuling) -> String? {
        switch ruling {
        case .breaking: "breaking"
        case .rule(let rule): rule.key
        case .revertedBy: "reverted"
        case .reverts: "reverts"
        case .unmatched, .notConventional: nil
        }
    }

    enum CodingKeys: String, CodingKey {
        case version, gitTag = "git_tag", newVersion = "new_version", channel, branch, defaultBranch = "default_branch"
        case commit, reason, bump, explanation, base, commits, skippedTags = "skipped_tags", adjustment, deepen
    }

    func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(version, forKey: .version)
        try c.encode(gitTag, forKey: .gitTag)
        try c.encode(newVersion, forKey: .newVersion)
        try c.encode(channel, forKey: .channel)
        try c.encode(branch, forKey: .branch)
        try c.encode(defaultBranch, forKey: .defaultBranch)
        try c.encode(commit, forKey: .commit)
        try c.encode(reason, forKey: .reason)
        try c.encode(bump, forKey: .bump)  // null when none, so the key is always there
        try c.encode(explanation, forKey: .explanation)
        try c.encode(base, forKey: .base)
        try c.encode(commits, forKey: .commits)
        try c.encode(skippedTags, forKey: .skippedTags)
        try c.encodeIfPresent(adjustment, forKey: .adjustment)
        try c.encodeIfPresent(deepen, forKey: .deepen)
    }
}

struct TagsDocument: Encodable {
    struct Tag: Encodable {
        let tag: String
        let mobility: String
        let source: String
    }
    let version: String
    let images: [String]
    let tags: [Tag]
    let references: [String]
    let omitted: [String]

    init(_ plan: TagPlan) {
        version = plan.version
        images = plan.images
        tags = plan.tags.map { Tag(tag: $0.tag.value, mobility: $0.mobility.rawValue, source: $0.source) }
        references = plan.references
        omitted = plan.omitted
    }
}

struct MetadataDocument: Encodable {
    let created: String
    let labels: [String: String]
    let buildArgs: [String: String]
    let ldflags: String
    /// docker/metadata-action's annotations (`level:key=value`), present with its rules only.
    let annotations: [String]?

    init(_ metadata: BuildMetadata, annotations: [String]? = nil) {
        created = metadata.created
        labels = Dictionary(metadata.labels.map { ($0.key, $0.value) }, uniquingKeysWith: { $1 })
        buildArgs = Dictionary(uniqueKeysWithValues: metadata.buildArgs.map { ($0.key, $0.value) })
        ldflags = metadata.ldflags
        self.annotations = annotations
    }

    enum CodingKeys: String, CodingKey { case created, labels, buildArgs = "build_args", ldflags, annotations }
}

struct CheckDocument: Encodable {
    let check: String
    let status: String
    let message: String

    init(_ finding: CheckFinding) {
        check = finding.check
        status = finding.status.rawValue
        message = finding.message
    }
}

struct CIDocument: Encodable {
    let provider: String
    let event: String?
    let ref: String?
    let pullRequest: Int?

    init(_ ci: CIContext) {
        provider = ci.provider.rawValue
        event = ci.eventName
        ref = ci.ref
        pullRequest = ci.pullRequest
    }

    enum CodingKeys: String, CodingKey { case provider, event, ref, pullRequest = "pull_request" }

    func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(provider, forKey: .provider)
        try c.encode(event, forKey: .event)
        try c.encode(ref, forKey: .ref)
        try c.encode(pullRequest, forKey: .pullRequest)
    }
}

/// `berth plan --json`.
struct PlanDocument: Encodable {
    let schema = "berth.plan/v1"
    /// Null in metadata-action mode without a checkout: no version is decided from git history there.
    let decision: VersionDocument?
    let tags: TagsDocument
    let metadata: MetadataDocument
    let checks: [CheckDocument]
    let ci: CIDocument
    let tagSource: String

    init(_ plan: ReleasePlan) {
        decision = VersionDocument(plan.decision)
        tags = TagsDocument(plan.tags)
        metadata = MetadataDocument(plan.metadata, annotations: plan.metadataAction?.annotations)
        checks = plan.findings.map(CheckDocument.init)
        ci = CIDocument(plan.ci)
        tagSource = plan.usesMetadataActionRules ? "metadata-action" : "templates"
    }

    /// docker/metadata-action's outputs before any checkout, with the registry's checks when asked.
    init(_ action: MetadataActionOutputs, findings: [CheckFinding], ci: CIContext) {
        decision = nil
        tags = TagsDocument(action.tags)
        metadata = MetadataDocument(action.metadata, annotations: action.annotations)
        checks = findings.map(CheckDocument.init)
        self.ci = CIDocument(ci)
        tagSource = "metadata-action"
    }

    enum CodingKeys: String, CodingKey {
        case schema, version, tags, metadata, checks, ci, tagSource = "tag_source"
    }

    func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(schema, forKey: .schema)
        try c.encode(decision, forKey: .version)
        try c.encode(tags, forKey: .tags)
        try c.encode(metadata, forKey: .metadata)
        try c.encode(checks, forKey: .checks)
        try c.encode(ci, forKey: .ci)
        try c.encode(tagSource, forKey: .tagSource)
    }
}
