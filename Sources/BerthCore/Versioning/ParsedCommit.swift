/// A commit as the version rules read it: its Conventional Commits header and, for a revert, the commit it
/// names. Parsed once per commit, while git is still writing the rest of the history
/// (`GitHistory.commits(from:to:path:reading:)`).
public struct ParsedCommit: Sendable {
    public let commit: GitCommit
    /// The message's first line.
    public let subject: String
    /// The Conventional Commits reading, nil when the message doesn't follow it.
    public let conventional: ConventionalCommit?
    /// What a revert reverts, nil when the message is no revert.
    public let revert: RevertReference?

    public init(_ commit: GitCommit) {
        self.commit = commit
        subject = commit.subject
        conventional = ConventionalCommit(message: commit.message)
        revert = RevertReference(message: commit.message)
    }
}
