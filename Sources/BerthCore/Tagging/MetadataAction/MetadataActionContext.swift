/// The GitHub Actions facts docker/metadata-action reads: event, ref, commit, payload, default branch, clock.
public struct MetadataActionContext: Sendable {
    public var eventName: String
    /// `refs/heads/…`, `refs/tags/…` or `refs/pull/N/merge`.
    public var ref: String
    public var sha: String
    /// The repository's default branch (`type=edge` without `branch=`; `{{is_default_branch}}` when there is
    /// no event payload, as outside GitHub Actions).
    public var defaultBranch: String
    /// The run's clock, for `{{date}}` (seconds since the epoch); `--now` fixes it.
    public var now: Double
    /// The commit's time, for `{{commit_date}}`: from the event payload, else from git; nil when neither
    /// knows it (no checkout and a payload without the commit), and then `{{commit_date}}` fails.
    public var commitTime: Double?
    public var payload: GitHubEventPayload?
    /// `DOCKER_METADATA_SHORT_SHA_LENGTH`, 7 by default.
    public var shortSHALength = 7

    public init(
        eventName: String, ref: String, sha: String, defaultBranch: String, now: Double, commitTime: Double?,
        payload: GitHubEventPayload? = nil
    ) {
        self.eventName = eventName
        self.ref = ref
        self.sha = sha
        self.defaultBranch = defaultBranch
        self.now = now
        self.commitTime = commitTime
        self.payload = payload
    }
}
