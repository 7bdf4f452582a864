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

    /// Every blob and manifest by digest, then the SBOM referrers: all but the tags. What a signature is
    /// about is then in place, so `berth build --sign` signs while `tag` writes the tags.
    /// Returns whether the build is new to `repository`: an index none of whose manifests was there
    /// before (a registry holds an index only with its manifests), so nothing there can be about it yet.
    /// A single manifest isn't asked about first, so it is never known to be new.
    @discardableResult
    public func publishContent(_ build: BuiltImage, to repository: String) async throws -> Bool {
        let outer = onEvent
        let present = Locked(false)
        let copier = ImageCopier(source: build.staged, destination: destination) { event in
            if case .manifestPresent = event { present.withLock { $0 = true } }
            outer?(event)
        }
        try await copier.copy("build", reference: build.top.digest.description, to: repository, tags: [])
        let referrers = Referrers(store: destination)
        for sbom in build.sboms {
            try await copier.copy("build", reference: sbom.artifact.digest.description, to: repository, tags: [])
            try await referrers.link(sbom.artifact, in: repository)
        }
        return build.top.isIndex && !present.current
    }

    /// Puts `tags` on the build's top manifest (pushed by `publishContent`) and checks each landed on it.
    public func tag(_ build: BuiltImage, in repository: String, tags: [String]) async throws {
        let writer = TagWriter(store: destination, repository: repository)
        try await writer.put(tags, on: build.top) { tag in self.onEvent?(.manifestPushed(build.top.digest, reference: tag)) }
        try await writer.verify(tags, digest: build.top.digest, rerun: "push again")
    }
}
