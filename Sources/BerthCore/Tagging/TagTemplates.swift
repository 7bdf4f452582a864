/// What becomes of SemVer build metadata (`+build.5`), which an OCI tag can't hold.
public enum BuildMetadataMapping: String, Sendable, Codable, CaseIterable {
    /// `1.2.3+build.5` → `1.2.3-build.5`.
    case hyphen
    /// `1.2.3+build.5` → `1.2.3`.
    case drop
    /// Refuse with a message naming the version.
    case refuse
}

/// berth's own image tag templates, one list per channel.
///
/// Placeholders: `{{prefix}}` (the image tag prefix, `v` by default), `{{version}}`, `{{core}}`
/// (`X.Y.Z` without pre-release), `{{major}}`, `{{minor}}`, `{{patch}}`, `{{prerelease}}`, `{{sha}}`
/// (7 hex), `{{sha_long}}`, `{{branch}}` (sanitised), `{{channel}}`, `{{date 'YYYYMMDD'}}` (the
/// build time, reproducible). A template's placeholders decide whether its tag floats: one with
/// `{{major}}` and `{{minor}}` but no patch-level placeholder follows its minor line, one with only
/// `{{major}}` its major line, and one without any placeholder (`latest`) the highest release; floating
/// tags are added only when this release is the highest of that line and not a pre-release.
public struct TagTemplates: Hashable, Sendable {
    public var release: [String]
    public var prerelease: [String]
    public var branch: [String]

    public init(release: [String], prerelease: [String], branch: [String]) {
        self.release = release
        self.prerelease = prerelease
        self.branch = branch
    }

    public static let defaults = TagTemplates(
        release: ["{{prefix}}{{version}}", "{{prefix}}{{major}}.{{minor}}", "{{prefix}}{{major}}", "latest", "sha-{{sha}}"],
        prerelease: ["{{prefix}}{{version}}", "{{channel}}-{{date 'YYYYMMDD'}}", "sha-{{sha}}"],
        branch: ["{{branch}}-{{prefix}}{{version}}", "sha-{{sha}}"]
    )

    /// The rc channel names its moving tag after the version rather than the day (`rc-v1.2.3`).
    public static let defaultRCTemplates = ["{{prefix}}{{version}}", "rc-{{prefix}}{{core}}", "sha-{{sha}}"]

    /// The templates for `channel`; `perChannel` overrides by pre-release id (`dev`, `rc`).
    public func templates(for channel: ReleaseChannel, perChannel: [String: [String]]) -> [String] {
        switch channel {
        case .release: return release
        case .branch: return branch
        case .prerelease(let id):
            if let own = perChannel[id] { return own }
            return id == "rc" && prerelease == TagTemplates.defaults.prerelease ? TagTemplates.defaultRCTemplates : prerelease
        }
    }
}

/// How a template's tag moves over time.
public enum TagMobility: String, Sendable, Codable {
    /// Names one build: the version, the commit, the branch build.
    case fixed
    /// Follows the newest release of its minor line (`v1.2`).
    case minorLine = "minor-line"
    /// Follows the newest release of its major line (`v1`).
    case majorLine = "major-line"
    /// Follows the newest release overall (`latest`).
    case highest

    /// Classifies a template by its placeholders.
    /// `{{prefix}}` and an environment's `{{environment}}` are constants: they never make a tag fixed.
    public init(template: String) {
        let template = template.replacingOccurrences(of: "{{prefix}}", with: "").replacingOccurrences(
            of: "{{environment}}", with: "")
        let has = { (name: String) in template.contains("{{\(name)}}") || template.contains("{{\(name) ") }
        let patchLevel = ["version", "core", "patch", "prerelease", "sha", "sha_long", "branch", "date"].contains(where: has)
        if patchLevel {
            self = .fixed
        } else if has("major") && has("minor") {
            self = .minorLine
        } else if has("major") {
            self = .majorLine
        } else if !template.contains("{{") {
            self = .highest
        } else {
            self = .fixed
        }
    }
}
