/// How a run wants the version decided: overrides from flags and config, and the CI context.
public struct VersionRequest: Sendable {
    public var policy: VersionPolicy
    public var ci: CIContext
    /// `--branch`: the branch whose channel applies, when git or CI can't tell (detached HEAD).
    public var branch: String?
    /// The default branch from config or flags; else CI, then `origin/HEAD`, then `main`/`master`.
    public var defaultBranch: String?
    /// Plan even when tracked files have uncommitted changes.
    public var allowDirty: Bool
    /// The remote a shallow clone fetches just enough history and tags from first (`--deepen`,
    /// `version.deepen`); nil never fetches.
    public var deepenFrom: String?

    public init(
        policy: VersionPolicy = VersionPolicy(), ci: CIContext = .local, branch: String? = nil,
        defaultBranch: String? = nil, allowDirty: Bool = false
    ) {
        self.policy = policy
        self.ci = ci
        self.branch = branch
        self.defaultBranch = defaultBranch
        self.allowDirty = allowDirty
    }
}

/// Gathers what the version planner needs from a repository and refuses states that would make the
/// answer wrong (a shallow clone missing history, a dirty tree, an unknown branch).
public struct VersionService: Sendable {
    let git: any GitHistory
    /// Fetches into a shallow clone for `VersionRequest.deepenFrom`.
    let fetcher: (any HistoryFetcher)?

    public init(git: any GitHistory, fetcher: (any HistoryFetcher)? = nil) {
        self.git = git
        self.fetcher = fetcher
    }

    /// Decides the next version for `request`, deepening a shallow clone first when it asks.
    public func decide(_ request: VersionRequest) throws -> VersionDecision {
        let deepening = try deepen(from: request.deepenFrom, prefix: request.policy.tagPrefix)
        let history = prefetchHistory(request.policy)
        defer { history?.finish() }
        let (catalog, head) = ConcurrentReads.run(
            { [git] in TagCatalog(tags: try git.tags(), prefix: request.policy.tagPrefix) }, { [git] in try git.head() })
        return try decide(request, catalog: try catalog.get(), head: try head.get(), deepening: deepening, history: history)
    }

    /// Starts reading HEAD's history for `decide(_:catalog:head:deepening:history:)`, to run beside the reads
    /// of the tags and HEAD; nil where it can't be used (a `path` filters the commits). The caller calls
    /// `finish()` on it when the decision is made.
    func prefetchHistory(_ policy: VersionPolicy) -> HeadHistoryPrefetch? {
        policy.path == nil ? HeadHistoryPrefetch.start(git) : nil
    }

    /// Fetches just enough history and tags from `remote` into a shallow clone for tags with `prefix`
    /// (`HistoryDeepener`); nil, and no fetch, when `remote` is nil.
    public func deepen(from remote: String?, prefix: String) throws -> DeepenReport? {
        guard let remote else { return nil }
        guard let fetcher else {
            throw BerthError(.failure, "this repository can't fetch from remote '\(remote)'; run without --deepen")
        }
        return try HistoryDeepener(git: git, fetcher: fetcher).deepen(remote: remote, prefix: prefix)
    }

    /// Decides the next version for `request` from the tags and HEAD already read; `deepening` is what
    /// `deepen(from:prefix:)` fetched before they were; `history`, HEAD's history read meanwhile
    /// (`prefetchHistory`), if any.
    func decide(
        _ request: VersionRequest, catalog: TagCatalog, head: GitHead, deepening: DeepenReport? = nil,
        history prefetched: HeadHistoryPrefetch? = nil
    ) throws -> VersionDecision {
        let policy = request.policy
        // The history chain (the base, the commits since it) and the facts beside it are read at once;
        // errors are thrown in the order the reads would have failed one by one.
        let (facts, history) = ConcurrentReads.run(
            {
                (
                    dirty: request.allowDirty ? false : try git.hasUncommittedChanges(),
                    defaultBranch: try resolveDefaultBranch(request, head: head),
                    boundary: try git.shallowBoundary()
                )
            },
            { [self] in
                let (base, commits) = try baseAndCommits(
                    catalog, head: head.sha, path: policy.path, prefetched: prefetched)
                return (base: base, commits: commits, highest: try highestReachable(catalog, above: base, head: head.sha))
            })
        let (dirty, defaultBranch, boundary) = try facts.get()
        if dirty {
            throw BerthError(
                .failure,
                "the working tree has uncommitted changes, so the image would not match commit \(head.sha.prefix(7)); commit or stash them, or pass --allow-dirty"
            )
        }
        let branch = try resolveBranch(request, head: head, catalog: catalog, defaultBranch: defaultBranch)
        let (base, commits, highest) = try history.get()
        var inputs = VersionInputs(
            head: head, branch: branch, defaultBranch: defaultBranch, catalog: catalog, base: base, commits: commits,
            ciTag: request.ci.tag, highestReachable: highest)
        inputs.otherPrefixVersions = catalog.alternateSpellings
        let channel = policy.channel(forBranch: branch, defaultBranch: defaultBranch)
        // A remote without version tags, as --deepen found it, needs no history: the initial version.
        if VersionPlanner.headTag(inputs, channel: channel) == nil && deepening?.outcome != .noVersionTags {
            try refuseIncompleteHistory(base: base, commits: commits, boundary: boundary, prefix: policy.tagPrefix)
        }
        var decision = VersionPlanner.nextVersion(inputs, policy: policy)
        decision.deepening = deepening
        return decision
    }

    /// The highest final release tag HEAD reaches (`reachableBase`) and the commits since it, parsed as they
    /// arrive. The highest release is almost always the base, so its commits are read while git checks
    /// that it is (a busy repository's thousands of commits cost no more than the check); when it isn't,
    /// that read is dropped. `prefetched` may already hold them, on a straight chain. Without a base the
    /// initial version applies whatever the commits say: no history is read.
    func baseAndCommits(
        _ catalog: TagCatalog, head: String, path: String?, prefetched: HeadHistoryPrefetch? = nil
    ) throws -> (ReleaseTag?, [ParsedCommit]) {
        guard let highest = catalog.releases.last else { return (nil, []) }
        if let prefetched, let since = try prefetchedCommits(prefetched, since: highest.commit, head: head) {
            return (highest, since)
        }
        let (reachable, since) = ConcurrentReads.run(
            { try git.isAncestor(highest.commit, of: head) },
            { [git] in try git.commits(from: highest.commit, to: head, path: path, reading: ParsedCommit.init) })
        if try reachable.get() { return (highest, try since.get()) }
        guard let base = try reachableBase(catalog, head: head, knownUnreachable: highest) else { return (nil, []) }
        return (base, try git.commits(from: base.commit, to: head, path: path, reading: ParsedCommit.init))
    }

    /// The commits `prefetched` walked above `release`, when they are a straight chain from `head` to it;
    /// nil when the walk can't say (a merge in between, HEAD moved) or `release` isn't HEAD's ancestor,
    /// which git answers meanwhile so that the walk doesn't go on to the root.
    func prefetchedCommits(_ prefetched: HeadHistoryPrefetch, since release: String, head: String) throws
        -> [ParsedCommit]?
    {
        switch prefetched.lookup(release: release, head: head) {
        case .found(let since): return since
        case .unusable: return nil
        case .pending: break
        }
        let (reachable, since) = ConcurrentReads.run(
            {
                let reachable = try git.isAncestor(release, of: head)
                if !reachable { prefetched.cancel() }
                return reachable
            }, { prefetched.commits(since: release, head: head) })
        return try reachable.get() ? try since.get() : nil
    }

    /// The highest final release tag whose commit HEAD reaches. The highest overall is tried first, which
    /// on a release branch is almost always the answer and costs one ancestry check.
    func reachableBase(_ catalog: TagCatalog, head: String, knownUnreachable: ReleaseTag? = nil) throws -> ReleaseTag? {
        let releases = catalog.releases
        guard let highest = releases.last else { return nil }
        if highest != knownUnreachable, try git.isAncestor(highest.commit, of: head) { return highest }
        let merged = try git.tagsMerged(into: head)
        return releases.last { merged.contains($0.name) }
    }

    /// The highest version tag above `base` (so a pre-release: `base` is the highest reachable final)
    /// whose commit HEAD reaches; nil when none is. Most repositories have none above their last release,
    /// and then this costs no git call.
    func highestReachable(_ catalog: TagCatalog, above base: ReleaseTag?, head: String) throws -> ReleaseTag? {
        let above = catalog.versions.filter { tag in
            base.map { SemanticVersion.precedence(tag.version, $0.version) > 0 } ?? true
        }
        guard !above.isEmpty else { return nil }
        // A few candidates: one ancestry check each, highest first; many: one listing of what HEAD reaches.
        if above.count <= 4 {
            for tag in above.reversed() where try git.isAncestor(tag.commit, of: head) { return tag }
            return nil
        }
        let merged = try git.tagsMerged(into: head)
        return above.last { merged.contains($0.name) }
    }

    /// A shallow clone may lack the base tag or commits since it; the version would silently be wrong.
    func refuseIncompleteHistory(base: ReleaseTag?, commits: [ParsedCommit], boundary: Set<String>, prefix: String) throws {
        guard !boundary.isEmpty else { return }
        let fix =
            "pass --deepen (or set version.deepen: true) to fetch just enough history and tags, or fetch all of them (git fetch --unshallow --tags; in GitHub Actions, actions/checkout with fetch-depth: 0; in GitLab, GIT_DEPTH: 0)"
        guard base != nil else {
            throw BerthError(
                .failure,
                "this is a shallow clone and no release tag '\(prefix)*' is reachable in it, so the version can't be known; \(fix)"
            )
        }
        if commits.contains(where: { boundary.contains($0.commit.sha) }) {
            throw BerthError(
                .failure,
                "this is a shallow clone that stops before release tag '\(base!.name)', so commits since it are missing; \(fix)")
        }
    }

    func resolveDefaultBranch(_ request: VersionRequest, head: GitHead) throws -> String {
        if let branch = request.defaultBranch ?? request.ci.defaultBranch { return branch }
        if let remote = try git.remoteDefaultBranch() { return remote }
        for candidate in ["main", "master"] where try git.hasBranch(candidate) { return candidate }
        return head.branch ?? "main"
    }

    func resolveBranch(_ request: VersionRequest, head: GitHead, catalog: TagCatalog, defaultBranch: String) throws -> String {
        if let branch = request.branch ?? request.ci.branch ?? head.branch { return branch }
        // A detached HEAD on a release tag (a tag pipeline, `git checkout v1.2.3`) needs no branch.
        if request.ci.tag != nil || catalog.tags(at: head.sha).contains(where: { !$0.version.isPrerelease }) {
            return defaultBranch
        }
        throw BerthError(
            .usage,
            "HEAD is detached at \(head.sha.prefix(7)) and no CI variable names the branch, so the release channel is unknown; check out a branch or pass --branch NAME"
        )
    }
}
