/// Whether a shallow clone holds enough history to plan a version, and which fetch comes next: the pure
/// decision behind `--deepen`.
///
/// Deep enough means the planner would take the same decision as on a full clone: the base release tag is
/// here and every commit since it too, so no commit of HEAD's history after the base (merged branches
/// included) lies behind the shallow boundary. A remote without any version tag under the prefix needs no
/// history at all (the initial version applies).
public enum HistoryDepth {
    /// How many commits each `--deepen` step adds, in order; `--unshallow` follows the last.
    public static let deepenings = [50, 200, 1000, 5000]

    /// What the clone holds after the fetches so far.
    public struct Observation: Hashable, Sendable {
        /// Whether the clone is still shallow (`.git/shallow` lists commits).
        public var isShallow: Bool
        /// Whether the remote has any version tag under the policy's prefix (final or pre-release).
        public var remoteHasVersionTags: Bool
        /// The highest final release tag here that HEAD reaches: the base the planner would take.
        public var base: ReleaseTag?
        /// Whether a commit at the shallow boundary is among the commits since `base` (all of HEAD's
        /// history when there is no base): history the plan needs is cut off.
        public var cutSinceBase: Bool

        public init(isShallow: Bool, remoteHasVersionTags: Bool, base: ReleaseTag?, cutSinceBase: Bool) {
            self.isShallow = isShallow
            self.remoteHasVersionTags = remoteHasVersionTags
            self.base = base
            self.cutSinceBase = cutSinceBase
        }
    }

    /// Why the history is deep enough.
    public enum Reason: String, Hashable, Sendable {
        /// Not (or no longer) a shallow clone.
        case complete
        /// The remote has no version tag under the prefix: the initial version needs no history.
        case noVersionTags = "no-version-tags"
        /// The base release tag and every commit since it are here.
        case baseReached = "base-reached"
    }

    /// The outcome of looking at a clone.
    public enum Verdict: Hashable, Sendable {
        case deepEnough(Reason)
        case fetch(DeepenStep)
        /// Still shallow after every step, `--unshallow` included (a remote that keeps history back).
        case exhausted
    }

    /// Deep enough, or the next fetch after `taken`. `releaseTags` are the remote's final release tags
    /// under the prefix: the first fetch excludes what they reach (one fetch for a linear history), an
    /// empty list (none, or a remote that refused the exclusion) starts with `--deepen` steps.
    public static func verdict(_ observation: Observation, taken: [DeepenStep], releaseTags: [String]) -> Verdict {
        if !observation.isShallow { return .deepEnough(.complete) }
        if !observation.remoteHasVersionTags { return .deepEnough(.noVersionTags) }
        if observation.base != nil && !observation.cutSinceBase { return .deepEnough(.baseReached) }
        return nextStep(after: taken, releaseTags: releaseTags).map(Verdict.fetch) ?? .exhausted
    }

    /// The fetch after `taken`: the release exclusion first (when there are release tags), then growing
    /// `--deepen` steps, then `--unshallow`; nil after that.
    public static func nextStep(after taken: [DeepenStep], releaseTags: [String]) -> DeepenStep? {
        if taken.isEmpty && !releaseTags.isEmpty { return .excludeReleases(releaseTags) }
        let deepened = taken.filter { if case .deepen = $0 { true } else { false } }.count
        if deepened < deepenings.count { return .deepen(deepenings[deepened]) }
        return taken.contains(.unshallow) ? nil : .unshallow
    }
}
