import BerthCore
import BerthOCI
import Foundation

/// A git repository in memory with both sides of it, history (an `InMemoryGitHistory`) and writes
/// (tags, pushes, commits), for in-process tests of the lifecycle services. Writes follow the real
/// adapter's rules: a tag or push already at the same commit is success, at another a `.conflict`.
/// Safe to share between racing tasks.
public final class InMemoryGitRepository: GitHistory, GitWriter, Sendable {
    public struct State: Sendable {
        public var history: InMemoryGitHistory
        /// Tags pushed to each remote.
        public var pushed: [String: [String: String]] = [:]
        /// Commits made by `commit(files:message:)`: message and files.
        public var commits: [(message: String, files: [String])] = []
        /// Files that differ from HEAD.
        public var changedFiles: Set<String> = []
    }

    public let state: Locked<State>

    public init(_ history: InMemoryGitHistory) { state = Locked(State(history: history)) }

    public var history: InMemoryGitHistory { state.current.history }

    public func head() throws -> GitHead { try history.head() }
    public func tags() throws -> [GitTagRef] { try history.tags() }
    public func isAncestor(_ commit: String, of head: String) throws -> Bool { try history.isAncestor(commit, of: head) }
    public func tagsMerged(into head: String) throws -> Set<String> { try history.tagsMerged(into: head) }
    public func commits<Read>(
        from base: String?, to head: String, path: String?, reading read: (GitCommit) -> Read
    ) throws -> [Read] {
        try history.commits(from: base, to: head, path: path, reading: read)
    }
    public func walkFromHead(reading read: (GitCommit, _ parentCount: Int) -> Bool) throws {
        try history.walkFromHead(reading: read)
    }
    public func shallowBoundary() throws -> Set<String> { try history.shallowBoundary() }
    public func hasUncommittedChanges() throws -> Bool { try history.hasUncommittedChanges() }
    public func remoteDefaultBranch() throws -> String? { try history.remoteDefaultBranch() }
    public func hasBranch(_ name: String) throws -> Bool { try history.hasBranch(name) }
    public func remoteTags(remote: String) throws -> [GitTagRef] {
        state.current.pushed[remote, default: [:]].map { GitTagRef(name: $0.key, commit: $0.value) }
    }
    public func remoteURL(_ remote: String) throws -> String? { try history.remoteURL(remote) }

    public func createAnnotatedTag(_ name: String, at commit: String, message: String) throws {
        try state.withLock { state in
            if let existing = state.history.tagRefs.first(where: { $0.name == name }) {
                guard existing.commit == commit else {
                    throw BerthError(.conflict, "git tag '\(name)' already exists at \(existing.commit.prefix(12))")
                }
                return
            }
            state.history.tag(name, at: commit)
        }
    }

    public func pushTag(_ name: String, remote: String, commit: String) throws {
        try state.withLock { state in
            if let existing = state.pushed[remote]?[name], existing != commit {
                throw BerthError(.conflict, "git tag '\(name)' on '\(remote)' points at \(existing.prefix(12))")
            }
            state.pushed[remote, default: [:]][name] = commit
        }
    }

    public func commit(files: [String], message: String) throws -> String {
        state.withLock { state in
            state.commits.append((message, files))
            state.changedFiles.subtract(files)
            return state.history.commit(message)
        }
    }

    public func hasUncommittedChanges(_ file: String) throws -> Bool { state.current.changedFiles.contains(file) }
}

/// Deploy manifests in memory; a write marks the file changed in `git`.
public final class InMemoryManifestFiles: ManifestFiles, Sendable {
    public let files: Locked<[String: String]>
    let git: InMemoryGitRepository

    public init(_ files: [String: String], git: InMemoryGitRepository) {
        self.files = Locked(files)
        self.git = git
    }

    public func read(_ path: String) throws -> String? { files.current[path] }

    public func write(_ path: String, text: String) throws {
        files.withLock { $0[path] = text }
        git.state.withLock { _ = $0.changedFiles.insert(path) }
    }
}

/// Image stores by registry host, in memory: `registry.example/acme/api` lives in the store for
/// `registry.example`, under repository `acme/api`.
public final class InMemoryStores: ImageStoreProvider, Sendable {
    private let stores: Locked<[String: InMemoryImageStore]> = Locked([:])

    public init() {}

    public func store(host: String) -> InMemoryImageStore {
        stores.withLock { stores in
            if let store = stores[host] { return store }
            let store = InMemoryImageStore(name: host)
            stores[host] = store
            return store
        }
    }

    public func store(for reference: ImageReference) throws -> any ImageStore {
        switch reference.store {
        case .registry(let host): store(host: host)
        case .layout(let path): store(host: "oci:\(path)")
        }
    }
}
