import BerthOCI

/// Pushes a build to a store: every blob and manifest by digest, then the SBOM referrers, then the
/// tags — so nothing half-pushed is ever tagged — and checks that each tag landed on the digest.
public struct ImagePublisher: Sendable {
    public let destination: any ImageStore
    public var onEvent: (@Sendable (TransferEvent) -> Void)?

    public init(destination: any ImageStore, onEvent: (@Sendable (TransferEvent) -> Void)? = nil) {
        self.destination = destination
        self.onEvent = onEvent
    }

    public func publish(_ build: BuiltImage, to repository: String, tags: [String]) async throws {
        try await publishContent(build, to: repository)
        try await tag(build, in: repository, tags: tags)
    }

    /// Which of a build's manifests a repository held before it was pushed there.
    public struct Presence: Sendable, Equatable {
        /// The index's manifests the repository holds already.
        public let present: Set<Digest>
        /// An index none of whose manifests was there (a registry holds an index only with its
        /// manifests), so nothing there can be about it yet. A single manifest isn't asked about, so it
        /// is never known to be new.
        public let isNew: Bool
    }

    /// Asks `repository` about each manifest of the build's index, side by side, before anything is
    /// pushed: `berth build --sign` learns this way whether there can be anything to verify, and signs
    /// a new digest while it is still being pushed. `publishContent` given the answer doesn't ask again.
    public func presence(of build: BuiltImage, in repository: String) async throws -> Presence {
        guard build.top.isIndex else { return Presence(present: [], isNew: false) }
        let children = try build.top.index().manifests.map(\.digest)
        let destination = destination
        let found = try await mapConcurrently(children, limit: 8) { digest in
            try await destination.resolve(repository, reference: digest.description) != nil
        }
        let present = Set(zip(children, found).filter(\.1).map(\.0))
        return Presence(present: present, isNew: present.isEmpty)
    }

    /// Every blob and manifest by digest, then the SBOM referrers: all but the tags. What a signature is
    /// about is then in place, so `berth build --sign` can link its signatures before `tag` writes the tags.
    /// `presence`: what `presence(of:in:)` found, asked now when not given. Returns whether the build
    /// is new to `repository` (`Presence.isNew`).
    @discardableResult
    public func publishContent(_ build: BuiltImage, to repository: String, presence: Presence? = nil) async throws -> Bool {
        let known: Presence
        if let presence { known = presence } else { known = try await self.presence(of: build, in: repository) }
        var copier = ImageCopier(source: build.staged, destination: destination, onEvent: onEvent)
        if build.top.isIndex { copier.presentChildren = known.present }
        try await copier.copy("build", reference: build.top.digest.description, to: repository, tags: [])
        let referrers = Referrers(store: destination)
        for sbom in build.sboms {
            try await copier.copy("build", reference: sbom.artifact.digest.description, to: repository, tags: [])
            try await referrers.link(sbom.artifact, in: repository)
        }
        return known.isNew
    }

    /// Puts `tags` on the build's top manifest (pushed by `publishContent`) and checks each landed on it.
    public func tag(_ build: BuiltImage, in repository: String, tags: [String]) async throws {
        let writer = TagWriter(store: destination, repository: repository)
        try await writer.put(tags, on: build.top) { tag in self.onEvent?(.manifestPushed(build.top.digest, reference: tag)) }
        try await writer.verify(tags, digest: build.top.digest, rerun: "push again")
    }
}
