/// Grows a shallow clone until it holds just enough history and tags to plan a version (`--deepen`,
/// `version.deepen`): the remote's tags are listed once, then fetches follow `HistoryDepth`'s schedule,
/// each followed by the tags whose commits it brought, until `HistoryDepth.verdict` says deep enough.
public struct HistoryDeepener: Sendable {
    let git: any GitHistory
    let fetcher: any HistoryFetcher

    public init(git: any GitHistory, fetcher: any HistoryFetcher) {
        self.git = git
        self.fetcher = fetcher
    }

    /// Deepens the clone from `remote` for release tags with `prefix`; a complete clone is left alone
    /// (no network). Throws when the remote can't be read, or stays shallow after `--unshallow`.
    public func deepen(remote: String, prefix: String) throws -> DeepenReport {
        guard !(try git.shallowBoundary()).isEmpty else {
            return DeepenReport(remote: remote, wasShallow: false, steps: [], tagsFetched: 0, outcome: .complete)
        }
        let head = try git.head().sha
        let remoteTags = try fetcher.tagsOnRemote(remote)
        let remoteCatalog = TagCatalog(tags: remoteTags, prefix: prefix)
        var releaseTags = remoteCatalog.releases.map(\.name)
        var steps: [DeepenStep] = []
        var attempts: [DeepenStep] = []
        var tagsFetched = 0
        while true {
            tagsFetched += try fetchTagsHere(remoteTags, from: remote)
            let boundary = try git.shallowBoundary()
            let observation = try observe(
                boundary: boundary, head: head, prefix: prefix, remoteHasVersionTags: !remoteCatalog.versions.isEmpty)
            switch HistoryDepth.verdict(observation, taken: attempts, releaseTags: releaseTags) {
            case .deepEnough(let reason):
                return DeepenReport(remote: remote, wasShallow: true, steps: steps, tagsFetched: tagsFetched, outcome: reason)
            case .exhausted:
                throw BerthError(
                    .failure,
                    "remote '\(remote)' still leaves this clone shallow after git fetch --unshallow, so the version can't be known; clone with full history (actions/checkout fetch-depth: 0, GitLab GIT_DEPTH: 0)"
                )
            case .fetch(let step):
                attempts.append(step)
                if case .excludeReleases = step {
                    // A server without deepen-not, or HEAD inside a release's history ("no commits
                    // selected"): the growing --deepen steps still get there.
                    do { try fetcher.fetch(step, from: remote, boundary: boundary) } catch {
                        releaseTags = []
                        attempts.removeAll()
                        continue
                    }
                } else {
                    try fetcher.fetch(step, from: remote, boundary: boundary)
                }
                steps.append(step)
            }
        }
    }

    /// Fetches the remote's tags that point at commits now here and aren't here yet; returns how many.
    /// A tag whose commit is missing is left on the remote: fetching it would bring its whole history.
    func fetchTagsHere(_ remoteTags: [GitTagRef], from remote: String) throws -> Int {
        let local = Set(try git.tags().map(\.name))
        let missing = remoteTags.filter { !local.contains($0.name) }
        guard !missing.isEmpty else { return 0 }
        let present = try fetcher.presentCommits(among: Array(Set(missing.map(\.commit))))
        let names = missing.filter { present.contains($0.commit) }.map(\.name)
        guard !names.isEmpty else { return 0 }
        try fetcher.fetchTags(names, from: remote)
        return names.count
    }

    /// The clone as the planner would see it: the base it would take, and whether history since is cut.
    func observe(boundary: Set<String>, head: String, prefix: String, remoteHasVersionTags: Bool) throws
        -> HistoryDepth.Observation
    {
        guard !boundary.isEmpty, remoteHasVersionTags else {
            return HistoryDepth.Observation(
                isShallow: !boundary.isEmpty, remoteHasVersionTags: remoteHasVersionTags, base: nil, cutSinceBase: false)
        }
        let catalog = TagCatalog(tags: try git.tags(), prefix: prefix)
        let base = try VersionService(git: git).reachableBase(catalog, head: head)
        // Every commit since the base, whatever path it touches: a cut merged branch counts even in a monorepo.
        let cut =
            try base.map { base in
                try git.commits(from: base.commit, to: head, path: nil).contains { boundary.contains($0.sha) }
            } ?? true
        return HistoryDepth.Observation(isShallow: true, remoteHasVersionTags: true, base: base, cutSinceBase: cut)
    }
}
