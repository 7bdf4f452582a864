/// The write side of a git repository, beside `GitHistory`: what releases and deploys change. BerthGit
/// implements it with the `git` command; tests script it in memory.
///
/// Every method is idempotent for a re-run: an existing tag or push at the same commit is success.
public protocol GitWriter: Sendable {
    /// Creates the annotated tag `name` at `commit`; there already at that commit is success, at another
    /// commit a `.conflict`.
    func createAnnotatedTag(_ name: String, at commit: String, message: String) throws
    /// Pushes tag `name` to `remote`; there already at the same commit is success, at another a `.conflict`.
    func pushTag(_ name: String, remote: String, commit: String) throws
    /// Commits `files` (paths relative to the repository) with `message`; returns the new commit's SHA.
    func commit(files: [String], message: String) throws -> String
    /// Whether `file` differs from HEAD (staged or not).
    func hasUncommittedChanges(_ file: String) throws -> Bool
}
