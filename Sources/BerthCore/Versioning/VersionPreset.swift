/// The release rules of the tools berth's users come from, as `version.preset` names them.
///
/// Each gives that tool's own defaults: its bump table, what a breaking change does below 1.0.0, the
/// first release, and whether a commit reverted later in the same range drops out with its revert.
/// Explicit `version.bumps`, `initial` and `breaking_below_1` override them.
public enum VersionPreset: String, CaseIterable, Sendable {
    /// Conventional Commits 1.0.0 itself (§1–§2): `feat` → minor, `fix` → patch; berth's default.
    case conventional
    /// semantic-release's commit-analyzer default rules: `feat` → minor; `fix`, `perf` and a revert → patch;
    /// the first release is 1.0.0 and a breaking change is always major.
    case semanticRelease = "semantic-release"
    /// commitizen's `cz_conventional_commits` bump map: `feat` → minor; `fix`, `refactor`, `perf` → patch;
    /// a breaking change is major (its `major_version_zero` makes it minor below 1.0.0). Reverts are not
    /// paired: the reverted commit still counts.
    case commitizen

    /// The bump table.
    public var bumps: BumpTable {
        switch self {
        case .conventional: ["feat": .minor, "fix": .patch]
        case .semanticRelease: ["feat": .minor, "fix": .patch, "perf": .patch, "revert": .patch]
        case .commitizen: ["feat": .minor, "fix": .patch, "refactor": .patch, "perf": .patch]
        }
    }

    /// What a breaking change bumps while the major version is 0.
    public var breakingBumpBelowOne: VersionBump {
        self == .conventional ? .minor : .major
    }

    /// The version of the first release.
    public var initialVersion: SemanticVersion {
        self == .semanticRelease ? SemanticVersion(1, 0, 0) : SemanticVersion(0, 1, 0)
    }

    /// Whether a revert and the commit it reverts, both since the last release, drop out together.
    public var cancelsReverts: Bool { self != .commitizen }

    /// `policy` with this preset's rules in place of its own.
    public func applied(to policy: VersionPolicy) -> VersionPolicy {
        var policy = policy
        policy.preset = self
        policy.bumps = bumps
        policy.breakingBumpBelowOne = breakingBumpBelowOne
        policy.initialVersion = initialVersion
        policy.cancelsReverts = cancelsReverts
        return policy
    }
}
