/// Fetches history into a shallow clone from its remote: the port `BerthGit` implements with
/// `git ls-remote` and `git fetch`, for `--deepen`.
///
/// Every call is non-interactive: a remote that asks for credentials or can't be reached fails with a
/// `BerthError` that names the remote and what to do, never a prompt.
public protocol HistoryFetcher: Sendable {
    /// Every tag on `remote` with the commit it points at (annotated tags peeled), read without fetching.
    func tagsOnRemote(_ remote: String) throws -> [GitTagRef]
    /// Fetches the commits `step` asks for from `remote`, growing the clone from its shallow `boundary`.
    func fetch(_ step: DeepenStep, from remote: String, boundary: Set<String>) throws
    /// Fetches the named tags from `remote`; each tag's commit is already here, so only tag objects travel.
    func fetchTags(_ names: [String], from remote: String) throws
    /// The commits among `shas` that are in the local object store.
    func presentCommits(among shas: [String]) throws -> Set<String>
}
