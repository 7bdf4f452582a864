import BerthOCI

/// Compares two cells of the release board, or two versions or digests of one repository
/// (`ReleaseDiff`): what the ledger says each runs, the commits between their recorded git commits
/// (through `GitHistory`, when there is a repository), the image labels (read from the image store, as
/// the ledger records none) and each digest's newest gate decision. What can't be read is said, not
/// guessed: a diff without git or without the store still compares versions, digests and gates.
public struct ReleaseDiffService: Sendable {
    /// A repository, environment, version or digest the ledger doesn't know.
    public struct NotFound: Error, Sendable, Equatable, CustomStringConvertible {
        public let message: String
        public var description: String { message }
    }

    public let queries: LedgerQueries
    public let stores: any ImageStoreProvider
    /// The project's git history; nil when the caller has no repository (commits are then unavailable).
    public let git: (any GitHistory)?

    public init(queries: LedgerQueries, stores: any ImageStoreProvider, git: (any GitHistory)?) {
        self.queries = queries
        self.stores = stores
        self.git = git
    }

    /// The diff of `repository` from `from` to `to`, each an environment, a version or a digest
    /// (`sha256:…`). Throws `NotFound` for a repository, environment, version or digest the ledger doesn't
    /// know, or an environment that runs nothing yet.
    public func diff(repository: String, from: String, to: String) async throws -> ReleaseDiff {
        guard !repository.hasPrefix("berth:"), try await queries.ledger.repositories().contains(repository) else {
            throw NotFound(message: "no service '\(repository)' in the ledger: the board lists them")
        }
        let running = try await queries.status(repository: repository)
        var older = try await side(from, repository: repository, running: running)
        var newer = try await side(to, repository: repository, running: running)
        let labels = await (self.labels(older, repository: repository), self.labels(newer, repository: repository))
        (older.labels, older.labelsUnavailable) = labels.0
        (newer.labels, newer.labelsUnavailable) = labels.1
        let commits = commits(from: older, to: newer)
        return ReleaseDiff(
            repository: repository, from: older, to: newer, added: commits.added, removed: commits.removed,
            commitsUnavailable: commits.unavailable, labelChanges: Self.labelChanges(older.labels, newer.labels),
            vulnerabilities: Severity.allCases.reversed().map { severity in
                ReleaseDiff.VulnerabilityChange(
                    severity: severity, from: older.gate.map { $0.counts[severity] ?? 0 },
                    to: newer.gate.map { $0.counts[severity] ?? 0 })
            })
    }

    /// An environment (what it runs now), else a digest, else a version: its digest, version, commit and gate.
    private func side(_ name: String, repository: String, running: [EnvironmentState]) async throws -> ReleaseDiff.Side {
        var side = ReleaseDiff.Side(name: name)
        if let state = running.first(where: { $0.environment == name }) {
            side.environment = name
            side.version = state.version
            side.digest = state.digest
            side.gitSHA = state.event.gitSHA
        } else if queries.environmentOrder.contains(name) {
            throw NotFound(message: "environment '\(name)' of \(repository) runs nothing yet: promote a version to it first")
        } else {
            let byDigest = name.hasPrefix("sha256:")
            let events = try await queries.ledger.events(
                byDigest ? LedgerQuery(repository: repository, digest: name) : LedgerQuery(repository: repository, version: name))
            // A release is the event that names a version's digest and commit; other events of it may not.
            guard let event = events.first(where: { $0.kind == .released }) ?? events.first(where: { $0.digest != nil }) else {
                throw NotFound(
                    message:
                        "'\(name)' is no environment, version or digest of \(repository) in the ledger: use one the board or its history shows"
                )
            }
            side.version = byDigest ? events.first { $0.version != nil }?.version : name
            side.digest = event.digest
            side.gitSHA = event.gitSHA
        }
        guard let digest = side.digest else { return side }
        let facts = try await queries.ledger.events(
            LedgerQuery(repository: repository, digest: digest, kinds: [.released, .gateEvaluated]))
        if side.gitSHA == nil { side.gitSHA = facts.first { $0.gitSHA != nil }?.gitSHA }
        side.gate = facts.lazy.compactMap(GateRecord.init).first
        return side
    }

    /// The side's image labels from the store, or why not.
    private func labels(_ side: ReleaseDiff.Side, repository: String) async -> ([String: String]?, String?) {
        guard let digest = side.digest else { return (nil, "the ledger records no digest for \(side.name)") }
        do {
            let reference = try ImageReference(parsing: "\(repository)@\(digest)")
            return (try await ImageFacts.read(reference, store: try stores.store(for: reference)).labels, nil)
        } catch {
            return (nil, "the image \(repository)@\(digest) couldn't be read: \(error)")
        }
    }

    /// The commits each way between the sides' recorded commits, or why they can't be listed.
    private func commits(from older: ReleaseDiff.Side, to newer: ReleaseDiff.Side) -> (
        added: Changelog?, removed: Changelog?, unavailable: String?
    ) {
        guard let git else {
            return (nil, nil, "this server has no git repository: run berth serve in the project's checkout to list commits")
        }
        for side in [older, newer] where side.gitSHA == nil {
            return (nil, nil, "the ledger records no git commit for \(side.name)")
        }
        let from = older.gitSHA!
        let to = newer.gitSHA!
        for sha in [from, to] {
            // `isAncestor(x, of: x)` is true exactly when the repository has the commit.
            guard (try? git.isAncestor(sha, of: sha)) == true else {
                return (
                    nil, nil,
                    "commit \(sha.prefix(12)) isn't in the server's git repository: fetch it (git fetch --tags) or serve from a checkout that has it"
                )
            }
        }
        do {
            return (
                Changelog(commits: try git.commits(from: from, to: to, path: nil)),
                Changelog(commits: try git.commits(from: to, to: from, path: nil)), nil
            )
        } catch {
            return (nil, nil, "git couldn't list the commits between \(from.prefix(12)) and \(to.prefix(12)): \(error)")
        }
    }

    /// The labels whose values differ, by key; none unless both sides' labels were read.
    static func labelChanges(_ older: [String: String]?, _ newer: [String: String]?) -> [ReleaseDiff.LabelChange] {
        guard let older, let newer else { return [] }
        return Set(older.keys).union(newer.keys).sorted().compactMap { key in
            older[key] == newer[key] ? nil : ReleaseDiff.LabelChange(key: key, from: older[key], to: newer[key])
        }
    }
}
