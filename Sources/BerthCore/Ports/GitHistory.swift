/// A tag in a git repository and the commit it points at (annotated tags peeled).
public struct GitTagRef: Hashable, Sendable, Codable {
    public let name: String
    /// Full SHA of the commit the tag points at.
    public let commit: String

    public init(name: String, commit: String) {
        self.name = name
        self.commit = commit
    }
}

/// A commit with its full message.
public struct GitCommit: Hashable, Sendable {
    public let sha: String
    public let message: String

    public init(sha: String, message: String) {
        self.sha = sha
        self.message = message
    }

    /// The first line of the message (it ends at LF or CR, so a CRLF message's too).
    public var subject: String {
        String(message[..<(message.utf8.firstIndex { $0 == 0x0A || $0 == 0x0D } ?? message.endIndex)])
    }
}

/// Where HEAD is.
public struct GitHead: Hashable, Sendable {
    /// Full SHA of the commit HEAD points at.
    public let sha: String
    /// The checked-out branch; nil when HEAD is detached.
    public let branch: String?
    /// Committer time of HEAD in seconds since the epoch, for reproducible timestamps.
    public let commitTime: Int64

    public init(sha: String, branch: String?, commitTime: Int64) {
        self.sha = sha
        self.branch = branch
        self.commitTime = commitTime
    }
}

/// Read access to a git repository's history: the port `BerthGit` implements with the `git` command.
///
/// Everything a version decision needs, and nothing more, so that tests can script it in memory.
public protocol GitHistory: Sendable {
    /// HEAD's commit and branch. Throws `BerthError.gitEmptyRepository` when there is no commit.
    func head() throws -> GitHead
    /// Every tag in the repository with its peeled commit.
    func tags() throws -> [GitTagRef]
    /// Whether `commit` is an ancestor of (or equal to) `head`.
    func isAncestor(_ commit: String, of head: String) throws -> Bool
    /// Names of the tags whose commits are reachable from `head`.
    func tagsMerged(into head: String) throws -> Set<String>
    /// Commits reachable from `head` and not from `base` (all of history when `base` is nil),
    /// newest first, merged branches included; only those touching `path` when it is given. Each is
    /// handed to `read` as soon as it is read, so what a caller makes of thousands of commits overlaps
    /// git's own work instead of following it.
    func commits<Read>(from base: String?, to head: String, path: String?, reading read: (GitCommit) -> Read) throws
        -> [Read]
    /// HEAD's history newest first, as `git log HEAD` walks it, each commit handed to `read` with the number
    /// of its parents (0 at a root or a shallow clone's edge) until `read` returns false; the walk then
    /// stops there, without reading the rest of history.
    func walkFromHead(reading read: (GitCommit, _ parentCount: Int) -> Bool) throws
    /// The commits at the edge of a shallow clone; empty for a complete one.
    func shallowBoundary() throws -> Set<String>
    /// Whether tracked files differ from HEAD (untracked files don't count).
    func hasUncommittedChanges() throws -> Bool
    /// The remote's default branch as `origin/HEAD` records it, if known.
    func remoteDefaultBranch() throws -> String?
    /// Whether a local branch of that name exists.
    func hasBranch(_ name: String) throws -> Bool
    /// The tags on the remote (`git ls-remote --tags`), peeled.
    func remoteTags(remote: String) throws -> [GitTagRef]
    /// The URL of a remote, if configured.
    func remoteURL(_ remote: String) throws -> String?
}

extension GitHistory {
    /// `commits(from:to:path:reading:)`, the commits as they are.
    public func commits(from base: String?, to head: String, path: String?) throws -> [GitCommit] {
        try commits(from: base, to: head, path: path, reading: { $0 })
    }
}
