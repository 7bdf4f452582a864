/// Why the planned version is what it is.
public enum VersionReason: Hashable, Sendable {
    /// HEAD already carries this release tag: the version is unchanged.
    case headTagged(String)
    /// No release tag yet: the policy's initial version.
    case initial
    /// Commits since the base tag call for this bump.
    case bumped(VersionBump)
    /// No commit since the base tag calls for a release.
    case noReleasableCommits
}

/// Why a commit bumps what it does: the rule that decided it.
public enum CommitRuling: Hashable, Sendable {
    /// A breaking change (Conventional Commits 1.0.0 §8, §13): major, or `breaking_below_1` before 1.0.0.
    case breaking
    /// The `version.bumps` rule that names it.
    case rule(BumpRule)
    /// Reverted by this later commit since the same release: both are left out.
    case revertedBy(String)
    /// Reverts this earlier commit since the same release: both are left out.
    case reverts(String)
    /// A Conventional Commit (or a revert) that no rule names: no release.
    case unmatched
    /// Not a Conventional Commit: no release.
    case notConventional
}

/// One commit counted in a decision, with the bump it caused.
public struct CountedCommit: Hashable, Sendable {
    public let sha: String
    public let subject: String
    /// The Conventional Commits reading, nil when the message doesn't follow it.
    public let conventional: ConventionalCommit?
    /// The bump this commit calls for under the policy, nil for none.
    public let bump: VersionBump?
    /// The rule that decided `bump`.
    public let ruling: CommitRuling

    public init(sha: String, subject: String, conventional: ConventionalCommit?, bump: VersionBump?, ruling: CommitRuling) {
        self.sha = sha
        self.subject = subject
        self.conventional = conventional
        self.bump = bump
        self.ruling = ruling
    }

    /// `build(deps) → patch`, `breaking change → major`, `reverted by 1a2b3c4`: which rule decided it.
    public var explanation: String {
        switch ruling {
        case .breaking: "breaking change → \(bump?.rawValue ?? "none")"
        case .rule(let rule): rule.explanation
        case .revertedBy(let sha): "reverted by \(sha.prefix(7)) since the same release → none"
        case .reverts(let sha): "reverts \(sha.prefix(7)) since the same release → none"
        case .unmatched: "\(conventional?.type ?? "revert"): no rule → none"
        case .notConventional: "not a Conventional Commit → none"
        }
    }
}

/// The next version of a service and how it was decided: the value `berth version` shows.
public struct VersionDecision: Hashable, Sendable {
    public let version: SemanticVersion
    /// The git tag this version is released under (prefix + version).
    public let tagName: String
    public let channel: ReleaseChannel
    public let branch: String
    public let defaultBranch: String
    public let headCommit: String
    public let reason: VersionReason
    /// The last release tag reachable from HEAD, if any.
    public let base: ReleaseTag?
    /// Commits since `base` (all of history without one), newest first.
    public let commits: [CountedCommit]
    /// Tags with the prefix that aren't valid SemVer.
    public let skippedTags: [String]
    /// Why the version isn't the plain bump of `base` (pre-releases above it on HEAD's history, tags that
    /// already have it); nil when it is.
    public let adjustment: VersionAdjustment?
    /// What `--deepen` fetched into a shallow clone before deciding; nil when it wasn't asked for.
    public var deepening: DeepenReport?

    public init(
        version: SemanticVersion, tagName: String, channel: ReleaseChannel, branch: String, defaultBranch: String,
        headCommit: String, reason: VersionReason, base: ReleaseTag?, commits: [CountedCommit], skippedTags: [String],
        adjustment: VersionAdjustment? = nil
    ) {
        self.version = version
        self.tagName = tagName
        self.channel = channel
        self.branch = branch
        self.defaultBranch = defaultBranch
        self.headCommit = headCommit
        self.reason = reason
        self.base = base
        self.commits = commits
        self.skippedTags = skippedTags
        self.adjustment = adjustment
    }

    /// Whether this run creates a version that has no git tag yet.
    public var isNewVersion: Bool {
        switch reason {
        case .headTagged, .noReleasableCommits: false
        case .initial, .bumped: true
        }
    }

    /// Whether version tags (`v1.2.3`…) belong to this build: not when nothing warrants a release, except
    /// for branch builds, whose tags name the branch and never collide with releases.
    public var carriesVersionTags: Bool {
        if case .branch = channel { return true }
        return reason != .noReleasableCommits
    }

    /// A one-line explanation for people.
    public var explanation: String {
        let text = adjustment.map { reasonText + "; " + $0.explanation } ?? reasonText
        return deepening.map { text + "; " + $0.explanation } ?? text
    }

    var reasonText: String {
        switch reason {
        case .headTagged(let tag): "HEAD already carries '\(tag)'"
        case .initial: "no release tag yet: initial version"
        case .bumped(let bump):
            "\(bump.rawValue) bump from \(base?.name ?? "nothing") after \(commits.count) commit\(commits.count == 1 ? "" : "s")"
        case .noReleasableCommits:
            "no commit since \(base?.name ?? "the start") calls for a release (\(commits.count) counted)"
        }
    }
}
