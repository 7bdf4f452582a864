extension MetadataActionContext {
    /// The context as docker/metadata-action reads it in a workflow, from the `GITHUB_*` variables and the
    /// event payload alone: no checkout is needed.
    ///
    /// On `pull_request_target` the ref becomes `refs/pull/<number>/merge` (GitHub sends the base branch's
    /// ref); `DOCKER_METADATA_PR_HEAD_SHA=true` takes a pull request's head commit; the commit time comes from
    /// the payload's commits, else `commitTime` (git's, when there is a checkout).
    /// - Parameters:
    ///   - defaultBranch: the default branch when the payload doesn't name one (berth.yaml, git, `main`).
    ///   - commitTime: the commit's time from git, nil without a repository.
    public static func gitHub(
        environment env: [String: String], payload: GitHubEventPayload?, defaultBranch: String, now: Double,
        commitTime: Double?
    ) throws(BerthError) -> MetadataActionContext {
        let eventName = env["GITHUB_EVENT_NAME"] ?? ""
        var ref = env["GITHUB_REF"] ?? ""
        var sha = env["GITHUB_SHA"] ?? ""
        if eventName.contains("pull_request_target") {
            ref = "refs/pull/\(payload?.number.map(String.init) ?? "undefined")/merge"
        }
        if (env["DOCKER_METADATA_PR_HEAD_SHA"] ?? "").lowercased().contains("true"), eventName.contains("pull_request"),
            let head = payload?.pullRequestHeadSHA
        {
            sha = head
        }
        var context = MetadataActionContext(
            eventName: eventName, ref: ref, sha: sha, defaultBranch: payload?.defaultBranch ?? defaultBranch, now: now,
            commitTime: payload?.commitTimes[sha] ?? commitTime, payload: payload)
        if let text = env["DOCKER_METADATA_SHORT_SHA_LENGTH"], !text.isEmpty {
            guard let length = Int(text.trimmingCharacters()), length >= 0 else {
                throw BerthError(
                    .usage, "DOCKER_METADATA_SHORT_SHA_LENGTH '\(text)' is not a valid number; set it to a length such as 12")
            }
            context.shortSHALength = length
        }
        return context
    }
}
