import BerthOCI

/// Puts tags on one manifest and proves they landed: the identical bytes PUT per tag (never
/// re-serialised, so the digest can't change), then every tag resolved and compared with the digest.
/// The one put-then-verify of berth: publishing a build, release, promotion and rollback use it.
public struct TagWriter: Sendable {
    public let store: any ImageStore
    /// The repository within the store.
    public let repository: String
    /// How messages name it (`host/repo`).
    public let name: String

    public init(store: any ImageStore, repository: String, name: String? = nil) {
        self.store = store
        self.repository = repository
        self.name = name ?? "\(store.displayName)/\(repository)"
    }

    /// Writes `tags` onto `document`; with `skipPresent`, a tag already on its digest isn't written again
    /// (a re-run, or the losers of a race, then send no writes for the registry to serialise).
    /// `afterEach` runs after each write. Returns the tags written.
    @discardableResult
    public func put(
        _ tags: [String], on document: ManifestDocument, skipPresent: Bool = false,
        afterEach: (String) throws -> Void = { _ in }
    ) async throws -> [String] {
        var written: [String] = []
        for tag in tags {
            if skipPresent, try await store.resolve(repository, reference: tag)?.digest == document.digest { continue }
            try await store.pushManifest(repository, reference: tag, manifest: document)
            written.append(tag)
            try afterEach(tag)
        }
        return written
    }

    /// Puts `tags` on the manifest `digest` already in the repository: its bytes read once and PUT per
    /// tag; or, where a registry's pull policy refuses that read (`ImageStoreError.policy`, Harbor's 412)
    /// and the registry tags through its own API (`ArtifactTagging`), through that. Otherwise the
    /// refusal, which says what to do, is thrown. Returns the tags written.
    @discardableResult
    public func retag(_ tags: [String], digest: Digest) async throws -> [String] {
        let document: ManifestDocument
        do {
            document = try await store.fetchManifest(repository, reference: digest.description)
        } catch let error as ImageStoreError where error.kind == .policy {
            let tagging = try await artifactTagging(after: error)
            for tag in tags { try await tagging.addTag(tag, to: digest, in: repository) }
            return tags
        }
        return try await put(tags, on: document)
    }

    /// The digest `tag` names, nil when none; through the registry's own API where its pull policy
    /// refuses the manifest HEAD (as `retag`).
    public func digest(of tag: String) async throws -> Digest? {
        do {
            return try await store.resolve(repository, reference: tag)?.digest
        } catch let error as ImageStoreError where error.kind == .policy {
            return try await artifactTagging(after: error).taggedDigest(repository, tag: tag)
        }
    }

    /// The store's own tagging API, when it has one; else `refusal` again.
    private func artifactTagging(after refusal: ImageStoreError) async throws -> any ArtifactTagging {
        guard let tagging = store as? any ArtifactTagging, try await tagging.offersArtifactTagging() else { throw refusal }
        return tagging
    }

    /// Checks every tag resolves to `digest`; another writer moving one is a lost race (`.conflict`),
    /// and `rerun` says what to run again.
    public func verify(_ tags: [String], digest: Digest, rerun: String) async throws {
        for tag in tags {
            let landed = try await self.digest(of: tag)
            guard landed == digest else {
                throw BerthError(
                    .conflict,
                    "\(name):\(tag) resolves to \(landed?.short ?? "nothing") after tagging, not \(digest.short); another run moved it: \(rerun)"
                )
            }
        }
    }
}
