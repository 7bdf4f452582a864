/// One fetch that grows a shallow clone's history towards its base release tag (`--deepen`).
public enum DeepenStep: Hashable, Sendable {
    /// Everything on HEAD's history that no release tag reaches (`git fetch --shallow-exclude=refs/tags/T`
    /// for each of these release tags on the remote), then one commit more, so the tags' own commits come
    /// too (`--deepen=1`): on a linear history, exactly the commits since the last release.
    case excludeReleases([String])
    /// `count` more commits behind every commit at the shallow boundary (`git fetch --deepen=N`).
    case deepen(Int)
    /// The rest of the history (`git fetch --unshallow`): the last resort.
    case unshallow

    /// How `--json` names the step's kind.
    public var kind: String {
        switch self {
        case .excludeReleases: "shallow-exclude"
        case .deepen: "deepen"
        case .unshallow: "unshallow"
        }
    }

    /// The step in words, as the explanation lists it.
    public var summary: String {
        switch self {
        case .excludeReleases(let tags): "history back to the nearest of \(tags.count) release tag\(tags.count == 1 ? "" : "s")"
        case .deepen(let count): "\(count) commits deeper"
        case .unshallow: "the full history"
        }
    }
}
