import BerthOCI

extension ReplicationService {
    /// What a sync names at the source: a repository or a glob of them, with a tag or digest when it
    /// means one image.
    public struct SyncSource: Hashable, Sendable {
        public let repository: String
        public let reference: String?

        public init(repository: String, reference: String?) {
            self.repository = repository
            self.reference = reference
        }
    }

    /// The jobs of a sync: each source repository (globs expanded through the source's catalog), its
    /// tags chosen by `selection` (or the one reference given), grouped by digest, each copied to
    /// `destinationPrefix/<repository>` (the same path where the prefix is empty).
    public func plan(_ sources: [SyncSource], selection: ReplicationSelection, destinationPrefix: String) async throws
        -> [ReplicationJob]
    {
        var jobs: [ReplicationJob] = []
        for entry in sources {
            let repositories = try await repositories(matching: entry.repository)
            for repository in repositories {
                let target = destinationPrefix.isEmpty ? repository : "\(destinationPrefix)/\(repository)"
                if let reference = entry.reference {
                    let tags = Digest(reference) == nil ? [reference] : []
                    jobs.append(
                        ReplicationJob(
                            sourceRepository: repository, reference: reference, destinationRepository: target, tags: tags))
                    continue
                }
                guard !selection.isEmpty else {
                    throw BerthError(
                        .usage,
                        "'\(sourceName(repository))' names no tag: pass --all-tags, --tags REGEX or --semver RANGE, or name one image as REPO:TAG"
                    )
                }
                let listed = try await source.listTags(repository)
                session.tags.withLock { $0[repository] = Set(listed) }
                let chosen = try selection.select(listed)
                let digests = Locked<[String: Digest]>([:])
                let source = self.source
                try await forEachConcurrently(chosen, limit: 8) { tag in
                    if let found = try await source.resolve(repository, reference: tag) {
                        digests.withLock { $0[tag] = found.digest }
                    }
                }
                var tagsByDigest: [Digest: [String]] = [:]
                for tag in chosen { if let digest = digests.current[tag] { tagsByDigest[digest, default: []].append(tag) } }
                for (digest, tags) in tagsByDigest.sorted(by: { $0.value.sorted()[0] < $1.value.sorted()[0] }) {
                    jobs.append(
                        ReplicationJob(
                            sourceRepository: repository, reference: digest.description, destinationRepository: target,
                            tags: tags.sorted()))
                }
            }
        }
        return jobs
    }

    /// `pattern` itself, or the source's repositories it matches when it is a glob.
    func repositories(matching pattern: String) async throws -> [String] {
        guard ReplicationSelection.isGlob(pattern) else { return [pattern] }
        guard let cataloging = source as? any RepositoryCataloging else {
            throw BerthError(
                .usage,
                "\(source.displayName) can't list its repositories, so '\(pattern)' can't be expanded; name each repository")
        }
        return try await cataloging.catalog().filter { ReplicationSelection.repository($0, matches: pattern) }.sorted()
    }
}
