/// The rules that turn git history into the next version: tag prefix, bumps per commit type, channels.
public struct VersionPolicy: Hashable, Sendable {
    /// Prefix of release tags in git (`v`, or `api/v` in a monorepo).
    public var tagPrefix: String
    /// The version of the first release, when no release tag exists yet.
    public var initialVersion: SemanticVersion
    /// The preset the rules start from (`version.preset`); `bumps` and the fields below may override it.
    public var preset: VersionPreset = .conventional
    /// What each type, or type and scope, bumps (`version.bumps`); a commit no rule names makes no release.
    public var bumps: BumpTable
    /// What a breaking change bumps while the major version is 0 (SemVer §4 leaves 0.y.z free).
    public var breakingBumpBelowOne: VersionBump
    /// Branch rules, the first match wins; the default branch always releases.
    public var channels: [ChannelRule]
    /// Only commits touching this path count (monorepos); nil counts every commit.
    public var path: String?
    /// What a releasing branch does when pre-releases on its history are above the next final:
    /// continue their line (default) or release the next final above them (`version.prerelease_line`,
    /// `--final-channel`).
    public var prereleaseLine: PrereleaseLine = .continue
    /// Whether a shallow clone first fetches just enough history and tags from the remote to plan
    /// (`version.deepen`, `--deepen`); else a shallow clone that lacks them is refused.
    public var deepen = false
    /// Whether a revert and the commit it reverts, both since the base, drop out together (as
    /// semantic-release's analyzer filters them); a revert of an older commit then counts as type `revert`.
    public var cancelsReverts = true

    public init(
        tagPrefix: String = "v",
        initialVersion: SemanticVersion = SemanticVersion(0, 1, 0),
        bumps: BumpTable = VersionPolicy.defaultBumps,
        breakingBumpBelowOne: VersionBump = .minor,
        channels: [ChannelRule] = VersionPolicy.defaultChannels,
        path: String? = nil
    ) {
        self.tagPrefix = tagPrefix
        self.initialVersion = initialVersion
        self.bumps = bumps
        self.breakingBumpBelowOne = breakingBumpBelowOne
        self.channels = channels
        self.path = path
    }

    /// `feat` → minor, `fix` → patch; other types make no release (the `conventional` preset).
    public static let defaultBumps: BumpTable = VersionPreset.conventional.bumps

    /// `develop` → `dev`; `release/*` and `rc/*` → `rc`.
    public static let defaultChannels: [ChannelRule] = [
        ChannelRule(branch: "develop", prerelease: "dev"),
        ChannelRule(branch: "release/*", prerelease: "rc"),
        ChannelRule(branch: "rc/*", prerelease: "rc"),
    ]

    /// The channel of `branch`, given the repository's default branch.
    public func channel(forBranch branch: String, defaultBranch: String) -> ReleaseChannel {
        if branch == defaultBranch { return .release }
        if let rule = channels.first(where: { $0.matches(branch) }) {
            return rule.prerelease.map(ReleaseChannel.prerelease) ?? .release
        }
        return .branch(branch)
    }

    /// The bump one commit causes under this policy, or nil for none.
    public func bump(for commit: ConventionalCommit, below1 isBelowOne: Bool) -> VersionBump? {
        ruling(for: commit, below1: isBelowOne).bump
    }

    /// The bump a Conventional Commit causes and the rule that decides it: a breaking change is major
    /// (or `breakingBumpBelowOne` below 1.0.0) whatever the table says, else the table's most specific rule.
    public func ruling(for commit: ConventionalCommit, below1 isBelowOne: Bool) -> (bump: VersionBump?, ruling: CommitRuling) {
        if commit.isBreaking { return (isBelowOne ? breakingBumpBelowOne : .major, .breaking) }
        guard let rule = bumps.rule(type: commit.type, scope: commit.scope) else { return (nil, .unmatched) }
        return (rule.bump, .rule(rule))
    }
}
