import BerthCore

/// A scripted `GitHistory` for pure service tests: a linear or branching history held in memory.
public struct InMemoryGitHistory: GitHistory {
    public struct Commit: Sendable {
        public let sha: String
        public let message: String
        public let parents: [String]
    }

    public var commitsBySHA: [String: Commit] = [:]
    public var headSHA: String?
    public var branch: String?
    public var tagRefs: [GitTagRef] = []
    public var shallow: Set<String> = []
    public var dirty = false
    public var remoteDefault: String?
    public var branches: Set<String> = []
    public var remote: [GitTagRef] = []
    public var remoteURLs: [String: String] = [:]
    public var commitTime: Int64 = 1_704_067_200

    public init(branch: String? = "main") {
        self.branch = branch
        if let branch { branches.insert(branch) }
    }

    /// Appends a commit on top of HEAD (or `parents`) and moves HEAD to it.
    @discardableResult
    public mutating func commit(_ message: String, parents: [String]? = nil) -> String {
        let sha = String(repeating: "0", count: 40 - String(commitsBySHA.count + 1).count) + String(commitsBySHA.count + 1)
        commitsBySHA[sha] = Commit(sha: sha, message: message, parents: parents ?? headSHA.map { [$0] } ?? [])
        headSHA = sha
        return sha
    }

    public mutating func tag(_ name: String, at sha: String? = nil) {
        tagRefs.append(GitTagRef(name: name, commit: sha ?? headSHA!))
    }

    func ancestry(of sha: String) -> [String] {
        var seen = Set<String>()
        var order: [String] = []
        var stack = [sha]
        while let next = stack.popLast() {
            guard seen.insert(next).inserted, let commit = commitsBySHA[next] else { continue }
            order.append(next)
            if !shallow.contains(next) { stack.append(contentsOf: commit.parents.reversed()) }
        }
        return order
    }

    public func head() throws -> GitHead {
        guard let headSHA else { throw BerthError(.failure, "the repository has no commits yet") }
        return GitHead(sha: headSHA, branch: branch, commitTime: commitTime)
    }

    public func tags() throws -> [GitTagRef] { tagRefs }

    public func isAncestor(_ commit: String, of head: String) throws -> Bool { ancestry(of: head).contains(commit) }

    public func tagsMerged(into head: String) throws -> Set<String> {
        let reachable = Set(ancestry(of: head))
        return Set(tagRefs.filter { reachable.contains($0.commit) }.map(\.name))
    }

    public func commits<Read>(
        from base: String?, to head: String, path: String?, reading read: (GitCommit) -> Read
    ) throws -> [Read] {
        let excluded = Set(base.map(ancestry(of:)) ?? [])
        return ancestry(of: head).filter { !excluded.contains($0) }.map {
            read(GitCommit(sha: $0, message: commitsBySHA[$0]!.message))
        }
    }

    public func walkFromHead(reading read: (GitCommit, _ parentCount: Int) -> Bool) throws {
        guard let headSHA else { throw BerthError(.failure, "the repository has no commits yet") }
        for sha in ancestry(of: headSHA) {
            let commit = commitsBySHA[sha]!
            let parents = shallow.contains(sha) ? 0 : commit.parents.count
            guard read(GitCommit(sha: sha, message: commit.message), parents) else { return }
        }
    }

    public func shallowBoundary() throws -> Set<String> { shallow }
    public func hasUncommittedChanges() throws -> Bool { dirty }
    public func remoteDefaultBranch() throws -> String? { remoteDefault }
    public func hasBranch(_ name: String) throws -> Bool { branches.contains(name) }
    public func remoteTags(remote: String) throws -> [GitTagRef] { self.remote }
    public func remoteURL(_ remote: String) throws -> String? { remoteURLs[remote] }
}
