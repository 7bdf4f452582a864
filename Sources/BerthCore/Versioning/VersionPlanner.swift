/// What the planner needs to know about the repository, gathered by `VersionService` through `GitHistory`.
public struct VersionInputs: Sendable {
    public var head: GitHead
    /// The branch being built (from CI or git); decides the channel.
    public var branch: String
    public var defaultBranch: String
    /// Every tag with the policy's prefix, read as versions.
    public var catalog: TagCatalog
    /// The highest final release reachable from HEAD.
    public var base: ReleaseTag?
    /// Commits since `base`, newest first.
    public var commits: [ParsedCommit]
    /// The tag a CI tag pipeline builds; when HEAD carries it, it is the version, even a pre-release.
    public var ciTag: String?
    /// The highest version tag (pre-releases included) whose commit HEAD reaches, when it is above `base`.
    public var highestReachable: ReleaseTag?
    /// Versions that tags under other prefixes already carry (`21.3.0` of `release-21.3.0`), which the
    /// next version must not take.
    public var otherPrefixVersions: Set<String> = []

    public init(
        head: GitHead, branch: String, defaultBranch: String, catalog: TagCatalog, base: ReleaseTag?,
        commits: [ParsedCommit], ciTag: String? = nil, highestReachable: ReleaseTag? = nil
    ) {
        self.head = head
        self.branch = branch
        self.defaultBranch = defaultBranch
        self.catalog = catalog
        self.base = base
        self.commits = commits
        self.ciTag = ciTag
        self.highestReachable = highestReachable
    }
}

/// Decides the next version from history, as a pure function.
public enum VersionPlanner {
    /// The next version after `inputs.base` given the commits since, per `policy`.
    ///
    /// Conventional Commits 1.0.0 decide the bump (`fix` → patch, `feat` → minor, breaking → major, or the
    /// policy's choice below 1.0.0); the branch's channel decides whether it's a final release or
    /// `X.Y.Z-<id>.N` with N after the highest existing tag of that channel and version.
    public static func nextVersion(_ inputs: VersionInputs, policy: VersionPolicy) -> VersionDecision {
        let channel = policy.channel(forBranch: inputs.branch, defaultBranch: inputs.defaultBranch)
        let isBelowOne = (inputs.base?.version.major ?? policy.initialVersion.major) == .zero
        let counted = policy.count(inputs.commits, below1: isBelowOne)
        func decision(_ version: SemanticVersion, _ reason: VersionReason, adjusted: Bool = false) -> VersionDecision {
            // Never a version that isn't above every version on HEAD's history, nor one a tag already has.
            let (next, adjustment) = adjusted ? raise(version, inputs: inputs, channel: channel, policy: policy) : (version, nil)
            return VersionDecision(
                version: next, tagName: policy.tagPrefix + next.description, channel: channel,
                branch: inputs.branch, defaultBranch: inputs.defaultBranch, headCommit: inputs.head.sha,
                reason: reason, base: inputs.base, commits: counted, skippedTags: inputs.catalog.skipped,
                adjustment: adjustment)
        }

        if let tagged = headTag(inputs, channel: channel) {
            return decision(tagged.version, .headTagged(tagged.name))
        }
        let core: SemanticVersion
        let reason: VersionReason
        if let base = inputs.base {
            guard let bump = counted.compactMap(\.bump).max() else {
                return decision(base.version, .noReleasableCommits)
            }
            core = base.version.bumped(bump)
            reason = .bumped(bump)
        } else {
            core = policy.initialVersion.withoutBuild
            reason = .initial
        }
        switch channel {
        case .release, .branch:
            return decision(core, reason, adjusted: true)
        case .prerelease(let preid):
            let last = inputs.catalog.highestPrereleaseNumber(of: core.core, preid: preid)
            let number = last?.incremented() ?? DecimalNumber(1)
            return decision(core.core.withPrerelease(preid, number: number), reason, adjusted: true)
        }
    }

    /// A tag on HEAD that fixes the version: the tag a CI tag pipeline builds, else the highest final
    /// release, else on a pre-release channel the highest pre-release of that channel.
    static func headTag(_ inputs: VersionInputs, channel: ReleaseChannel) -> ReleaseTag? {
        let onHead = inputs.catalog.tags(at: inputs.head.sha)
        if let ciTag = inputs.ciTag, let built = onHead.first(where: { $0.name == ciTag }) { return built }
        if let release = onHead.last(where: { !$0.version.isPrerelease }) { return release }
        guard case .prerelease(let preid) = channel else { return nil }
        let ids = SemanticVersion.prereleaseIdentifiers(preid)
        return onHead.last { tag in
            tag.version.prerelease.count == ids.count + 1 && Array(tag.version.prerelease.prefix(ids.count)) == ids
        }
    }
}
