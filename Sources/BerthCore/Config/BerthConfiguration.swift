/// Everything berth.yaml can say, with defaults for the common case (no file at all).
public struct BerthConfiguration: Hashable, Sendable {
    public var version = VersionPolicy()
    /// The branch that releases; nil detects it (CI, `origin/HEAD`, `main`/`master`).
    public var defaultBranch: String?
    public var tags = TagPolicy()
    /// Image names without tags.
    public var images: [String] = []
    /// docker/metadata-action `tags:` lines; when any is set they replace berth's templates.
    public var metadataTags: [String] = []
    /// docker/metadata-action `flavor:` lines.
    public var metadataFlavor: [String] = []
    /// docker/metadata-action `labels:` lines, rendered with its global expressions over its own labels.
    public var metadataLabels: [String] = []
    /// docker/metadata-action `annotations:` lines, likewise over its own annotations.
    public var metadataAnnotations: [String] = []
    public var environments = EnvironmentPolicy.defaults
    public var project = ProjectInfo()
    public var ldflags = LdflagsPolicy()
    /// The git remote checked for existing tags.
    public var remote = "origin"
    /// How `berth build` makes images.
    public var build = BuildSettings()
    /// What scan findings do to a release (`berth gate`).
    public var gates = GatePolicy()
    /// Each environment's deploy manifests, kubectl context and health URL (rollback).
    public var deploy: [String: DeploySettings] = [:]
    /// Commit changed deploy manifests to git.
    public var deployCommit = true
    /// `berth canary` per environment: steps, header rule, traffic provider, analysis.
    public var canary: [String: CanaryConfiguration] = [:]
    /// `sign:`: the key `berth build` and `berth release` sign (and attest) with; nil: they don't sign.
    public var signing: SigningSettings?
    /// Which tags `berth prune` keeps.
    public var retention = RetentionPolicy()
    /// Where the ledger is: a SQLite path (default `.berth/ledger.sqlite`) or a postgres:// URL.
    public var ledger: String?
    /// `server.webhooks`: the registry webhook receivers of `berth serve`.
    public var webhooks = WebhookConfiguration()
    /// `server.anonymous_read` and `server.proxy`: anonymous reads and the authenticating proxy of `berth serve`.
    public var serverAccess = ServerAccessConfiguration()

    public init() {}

    /// The environment named `name`, or a usage error listing the known ones.
    public func environment(named name: String) throws(BerthError) -> EnvironmentPolicy {
        guard let found = environments.first(where: { $0.name == name }) else {
            throw BerthError(
                .usage,
                "unknown environment '\(name)'; berth.yaml defines \(environments.map(\.name).joined(separator: ", "))")
        }
        return found
    }
}
