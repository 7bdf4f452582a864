import Foundation

/// The CI system a run happens in.
public enum CIProvider: String, Sendable, Codable {
    case github, gitlab, local
}

/// What the CI environment says about this build: event, ref, commit, branch, default branch.
///
/// Read from a plain dictionary of environment variables (and the GitHub event payload's bytes), so the
/// core stays free of I/O. Outside CI every field but `provider` is nil and git decides.
public struct CIContext: Sendable, Equatable {
    public var provider: CIProvider
    /// GitHub's `GITHUB_EVENT_NAME` (push, pull_request, schedule, workflow_dispatch…); for GitLab the
    /// pipeline source (`push`, `merge_request_event`, `schedule`…).
    public var eventName: String?
    /// The full ref: `refs/heads/main`, `refs/tags/v1.2.3`, `refs/pull/7/merge`.
    public var ref: String?
    /// The commit being built.
    public var sha: String?
    /// The branch whose channel applies: the pushed branch, or a merge request's source branch.
    public var branch: String?
    /// The tag being built, for tag pipelines.
    public var tag: String?
    /// The pull or merge request number.
    public var pullRequest: Int?
    /// The repository's default branch, when the CI system tells it.
    public var defaultBranch: String?
    /// The branch a pull request targets (`base_ref`).
    public var baseRef: String?
    /// The repository's web URL.
    public var repositoryURL: String?
    /// Who triggered the build.
    public var actor: String?
    /// The pull request's head commit (GitHub), which differs from `sha` (a merge commit).
    public var pullRequestHeadSHA: String?
    /// Fields of GitHub's event payload that tag templates read.
    public var payload: GitHubEventPayload?

    public init(provider: CIProvider = .local) { self.provider = provider }

    /// No CI: git alone decides.
    public static let local = CIContext()

    /// Detects GitHub Actions (`GITHUB_ACTIONS=true`) or GitLab CI (`GITLAB_CI=true`) from `environment`.
    /// `eventPayload` is the content of the file at `GITHUB_EVENT_PATH`, when there is one.
    public static func detect(environment env: [String: String], eventPayload: Data? = nil) -> CIContext {
        if env["GITHUB_ACTIONS"] == "true" { return github(env, eventPayload: eventPayload) }
        if env["GITLAB_CI"] == "true" { return gitlab(env) }
        return .local
    }

    static func github(_ env: [String: String], eventPayload: Data?) -> CIContext {
        var ci = CIContext(provider: .github)
        ci.eventName = env["GITHUB_EVENT_NAME"].nonEmpty
        ci.ref = env["GITHUB_REF"].nonEmpty
        ci.sha = env["GITHUB_SHA"].nonEmpty
        ci.actor = env["GITHUB_ACTOR"].nonEmpty
        if let server = env["GITHUB_SERVER_URL"].nonEmpty, let repo = env["GITHUB_REPOSITORY"].nonEmpty {
            ci.repositoryURL = "\(server)/\(repo)"
        }
        ci.payload = eventPayload.flatMap(GitHubEventPayload.init(json:))
        ci.defaultBranch = ci.payload?.defaultBranch
        ci.pullRequestHeadSHA = ci.payload?.pullRequestHeadSHA
        if let ref = ci.ref {
            if let branch = ref.dropPrefix("refs/heads/") {
                ci.branch = branch
            } else if let tag = ref.dropPrefix("refs/tags/") {
                ci.tag = tag
            } else if let pull = ref.dropPrefix("refs/pull/") {
                ci.pullRequest = Int(pull.split(separator: "/").first ?? "")
            }
        }
        // Pull requests build a merge commit; the channel is the source branch's.
        if let head = env["GITHUB_HEAD_REF"].nonEmpty { ci.branch = head }
        if let number = ci.payload?.pullRequestNumber { ci.pullRequest = number }
        ci.baseRef = env["GITHUB_BASE_REF"].nonEmpty ?? ci.payload?.baseRef
        return ci
    }

    static func gitlab(_ env: [String: String]) -> CIContext {
        var ci = CIContext(provider: .gitlab)
        ci.eventName = env["CI_PIPELINE_SOURCE"].nonEmpty
        ci.sha = env["CI_COMMIT_SHA"].nonEmpty
        ci.defaultBranch = env["CI_DEFAULT_BRANCH"].nonEmpty
        ci.repositoryURL = env["CI_PROJECT_URL"].nonEmpty
        ci.actor = env["GITLAB_USER_LOGIN"].nonEmpty
        if let tag = env["CI_COMMIT_TAG"].nonEmpty {
            ci.tag = tag
            ci.ref = "refs/tags/\(tag)"
        } else if let iid = env["CI_MERGE_REQUEST_IID"].nonEmpty {
            ci.pullRequest = Int(iid)
            ci.branch = env["CI_MERGE_REQUEST_SOURCE_BRANCH_NAME"].nonEmpty
            ci.baseRef = env["CI_MERGE_REQUEST_TARGET_BRANCH_NAME"].nonEmpty
            ci.ref = "refs/merge-requests/\(iid)/head"
            ci.pullRequestHeadSHA = env["CI_MERGE_REQUEST_SOURCE_BRANCH_SHA"].nonEmpty
        } else if let branch = env["CI_COMMIT_BRANCH"].nonEmpty {
            ci.branch = branch
            ci.ref = "refs/heads/\(branch)"
        }
        return ci
    }
}

/// The fields of a GitHub Actions event payload (`GITHUB_EVENT_PATH`) that berth uses.
public struct GitHubEventPayload: Sendable, Equatable {
    public var defaultBranch: String?
    public var pullRequestNumber: Int?
    public var pullRequestHeadSHA: String?
    /// `pull_request.base.ref`, or a push's `base_ref` without `refs/heads/`.
    public var baseRef: String?
    /// A push event's `base_ref` as sent (`refs/heads/main`), used by `{{base_ref}}` on tag pushes.
    public var pushBaseRef: String?
    public var repositoryDescription: String?
    public var repositoryLicense: String?
    public var repositoryHTMLURL: String?
    public var repositoryName: String?
    /// The top-level `number` (pull requests, issues): docker/metadata-action builds
    /// `refs/pull/<number>/merge` from it on `pull_request_target`.
    public var number: Int?
    /// `pull_request.base.ref` alone, for `{{base_ref}}` on pull request refs.
    public var pullRequestBaseRef: String?
    /// Commit times the payload carries (`commits[].timestamp`, `head_commit.timestamp`), by commit id,
    /// in seconds since the epoch: `{{commit_date}}` without a checkout.
    public var commitTimes: [String: Double] = [:]

    public init() {}

    /// Reads a payload; nil when `json` isn't a JSON object.
    public init?(json: Data) {
        guard let object = try? JSONSerialization.jsonObject(with: json) as? [String: Any] else { return nil }
        let repository = object["repository"] as? [String: Any]
        let pull = object["pull_request"] as? [String: Any]
        defaultBranch = repository?["default_branch"] as? String
        repositoryDescription = repository?["description"] as? String
        repositoryHTMLURL = repository?["html_url"] as? String
        repositoryName = repository?["name"] as? String
        repositoryLicense = (repository?["license"] as? [String: Any])?["spdx_id"] as? String
        pullRequestNumber = (pull?["number"] as? Int) ?? (object["number"] as? Int)
        pullRequestHeadSHA = (pull?["head"] as? [String: Any])?["sha"] as? String
        pushBaseRef = object["base_ref"] as? String
        number = object["number"] as? Int
        pullRequestBaseRef = (pull?["base"] as? [String: Any])?["ref"] as? String
        var times: [String: Double] = [:]
        let headCommit = object["head_commit"] as? [String: Any]
        for commit in (object["commits"] as? [[String: Any]] ?? []) + (headCommit.map { [$0] } ?? []) {
            if let id = commit["id"] as? String, times[id] == nil, let stamp = commit["timestamp"] as? String,
                let seconds = RFC3339.seconds(stamp)
            {
                times[id] = seconds
            }
        }
        commitTimes = times
        baseRef = ((pull?["base"] as? [String: Any])?["ref"] as? String) ?? pushBaseRef?.dropPrefix("refs/heads/")
    }
}

extension Optional where Wrapped == String {
    /// The string unless it is nil or empty: CI systems set unused variables to "".
    var nonEmpty: String? {
        guard let self, !self.isEmpty else { return nil }
        return self
    }
}

extension String {
    /// The rest of the string after `prefix`, or nil when it doesn't start with it.
    func dropPrefix(_ prefix: String) -> String? {
        hasPrefix(prefix) ? String(dropFirst(prefix.count)) : nil
    }
}
