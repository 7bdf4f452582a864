import BerthOCI

/// What `berth release` is asked to do.
public struct ReleaseRequest: Sendable {
    /// The plan, with its checks (PlanService).
    public var plan: ReleasePlan
    /// The built image's digest (`--digest`); nil finds it by the plan's sha- or version tag.
    public var digest: String?
    /// Push the git tag to `remote` (when the repository has that remote).
    public var pushGitTag: Bool
    public var remote: String

    public init(plan: ReleasePlan, digest: String? = nil, pushGitTag: Bool = true, remote: String = "origin") {
        self.plan = plan
        self.digest = digest
        self.pushGitTag = pushGitTag
        self.remote = remote
    }
}

/// A release checked and ready: every image found, every fixed tag free, nothing changed yet.
public struct ReleasePreview: Sendable {
    public struct Image: Sendable {
        /// How the ledger names it.
        public let repository: String
        public let document: ManifestDocument
        public let tags: [String]
        let writer: TagWriter

        public var digest: Digest { document.digest }
    }

    public let request: ReleaseRequest
    public let images: [Image]
    public var version: String { request.plan.decision.version.description }
    public var gitTag: String { request.plan.decision.tagName }
    public var commit: String { request.plan.decision.headCommit }
}

/// What a release did.
public struct ReleaseOutcome: Sendable {
    public let records: [ReleaseRecord]
    public let gitTag: String
    public let commit: String
    /// The remote the git tag went to; nil when it stayed local.
    public let pushedTo: String?
}

/// Releases the planned version exactly once: finds the built image, puts every planned tag on it
/// (floating tags move, a fixed tag elsewhere is a conflict), creates and pushes the annotated git tag,
/// and records every image's release in one transaction under once-keys. Every step is idempotent, so a
/// run that crashed anywhere converges when run again; of racing runs one records, the rest get `.conflict`.
public struct ReleaseService: Sendable {
    public let dependencies: LifecycleDependencies
    public let git: any GitHistory & GitWriter

    public init(_ dependencies: LifecycleDependencies, git: any GitHistory & GitWriter) {
        self.dependencies = dependencies
        self.git = git
    }

    /// Checks everything before anything changes.
    public func preview(_ request: ReleaseRequest) async throws -> ReleasePreview {
        let plan = request.plan
        let decision = plan.decision
        guard decision.carriesVersionTags, decision.channel == .release || decision.version.isPrerelease else {
            throw BerthError(.usage, "nothing to release: \(decision.explanation)")
        }
        guard decision.reason != .noReleasableCommits else {
            throw BerthError(.usage, "nothing to release since \(decision.base?.name ?? "the start"): \(decision.explanation)")
        }
        let version = decision.version.description
        var images: [ReleasePreview.Image] = []
        for image in plan.tags.images {
            let (reference, store) = try dependencies.repository(image)
            let repository = reference.ledgerName
            if let existing = try await dependencies.ledger.event(
                onceKey: OnceKey.release(repository: repository, version: version))
            {
                throw Self.alreadyReleased(existing, repository: repository, version: version)
            }
            let writer = TagWriter(store: store, repository: reference.repository, name: repository)
            let digest = try await builtDigest(plan: plan, writer: writer, expected: request.digest)
            var existing: [String: String] = [:]
            for planned in plan.tags.tags where planned.mobility == .fixed {
                existing[planned.tag.value] = try await store.resolve(reference.repository, reference: planned.tag.value)?
                    .digest.description
            }
            let conflicts = ImmutableTags.conflicts(
                plan.tags.tags.map { ($0.tag.value, $0.mobility) }, digest: digest.description, existing: existing)
            if let conflict = conflicts.first {
                throw BerthError(
                    .conflict,
                    "\(image):\(conflict.tag) already points at \(Digest(conflict.existing)?.short ?? conflict.existing), not the built \(digest.short): a version tag never moves"
                )
            }
            let document = try await store.fetchManifest(reference.repository, reference: digest.description)
            images.append(
                .init(repository: repository, document: document, tags: plan.tags.tags.map(\.tag.value), writer: writer))
        }
        return ReleasePreview(request: request, images: images)
    }

    /// Tags, git-tags, pushes and records the previewed release.
    public func run(_ preview: ReleasePreview) async throws -> ReleaseOutcome {
        let (ledger, checkpoint, actor) = (dependencies.ledger, dependencies.checkpoint, dependencies.actor)
        let decision = preview.request.plan.decision
        // A ledger that can't take the record fails the run here, before the registry or git change.
        try await ledger.checkWritable()
        for image in preview.images {
            try await image.writer.put(image.tags, on: image.document, skipPresent: true) { _ in
                try checkpoint.reached(.releaseImageTagged)
            }
            try await image.writer.verify(image.tags, digest: image.digest, rerun: "run berth release again")
            // The audit trail of the registry: every tag of the release that no event recorded yet
            // (this run's writes, and those of a run that crashed or met a full disk before recording).
            let recorded = try await ledger.events(
                LedgerQuery(repository: image.repository, version: preview.version, kinds: [.tagged, .pushed])
            ).flatMap { TagList.parse($0.details[DetailKey.tags]) }
            let unrecorded = image.tags.filter { !Set(recorded).contains($0) }
            if !unrecorded.isEmpty {
                try await ledger.append(
                    LedgerEvent(
                        kind: .tagged, repository: image.repository, version: preview.version,
                        digest: image.digest.description, gitSHA: decision.headCommit, actor: actor,
                        time: dependencies.time.now(), reason: "release \(preview.version)",
                        details: [DetailKey.tags: TagList.join(unrecorded)]))
            }
        }
        try checkpoint.reached(.releaseImagesTagged)
        try git.createAnnotatedTag(preview.gitTag, at: preview.commit, message: "Release \(preview.version)")
        try checkpoint.reached(.releaseGitTagged)
        let remote = preview.request.remote
        let hasRemote = try git.remoteURL(remote) != nil
        let pushed = preview.request.pushGitTag && hasRemote
        if pushed { try git.pushTag(preview.gitTag, remote: remote, commit: preview.commit) }
        try checkpoint.reached(.releaseGitPushed)

        // Every image's release in one transaction: a crash or a lost race leaves all of them or none.
        let records = preview.images.map { image in
            ReleaseRecord(
                repository: image.repository, version: preview.version, digest: image.digest, gitSHA: preview.commit,
                tags: image.tags, gitTag: preview.gitTag, pushedTo: pushed ? remote : nil, explanation: decision.explanation)
        }
        let now = dependencies.time.now()
        let recorded: [LedgerEvent]
        do {
            recorded = try await ledger.append(all: records.map { $0.event(actor: actor, time: now) })
        } catch let conflict as LedgerConflict {
            let repository = records.first { $0.onceKey == conflict.key }?.repository ?? conflict.key
            throw Self.alreadyReleased(conflict.existing, repository: repository, version: preview.version)
        }
        try checkpoint.reached(.releaseRecorded)
        return ReleaseOutcome(
            records: recorded.compactMap(ReleaseRecord.init), gitTag: preview.gitTag, commit: preview.commit,
            pushedTo: pushed ? remote : nil)
    }

    static func alreadyReleased(_ event: LedgerEvent?, repository: String, version: String) -> BerthError {
        guard let event else { return BerthError(.conflict, "\(repository) \(version) is already released") }
        return BerthError(
            .conflict,
            "\(repository) \(version) is already released (event \(event.id ?? 0) by \(event.actor) at \(RFC3339.utc(seconds: Int64(event.time))), digest \(event.digest.flatMap { Digest($0)?.short } ?? "?")); nothing to do"
        )
    }

    /// The built image: `expected`, else what the plan's sha- tag (or its version tag) resolves to.
    func builtDigest(plan: ReleasePlan, writer: TagWriter, expected: String?) async throws -> Digest {
        if let expected {
            guard let digest = Digest(expected) else {
                throw BerthError(.usage, "--digest '\(expected)' is not a digest (sha256:…)")
            }
            guard try await writer.store.resolve(writer.repository, reference: digest.description) != nil else {
                throw BerthError(
                    .failure, "\(writer.name)@\(digest.short) is not in the registry: push the build first (berth build)")
            }
            return digest
        }
        let candidates =
            plan.tags.tags.filter { $0.tag.value.hasPrefix("sha-") } + plan.tags.tags.filter { $0.mobility == .fixed }
        for candidate in candidates {
            if let found = try await writer.store.resolve(writer.repository, reference: candidate.tag.value) {
                return found.digest
            }
        }
        throw BerthError(
            .failure,
            "no built image for this commit in \(writer.name) (looked for \(candidates.map(\.tag.value).joined(separator: ", "))): run berth build first, or pass --digest"
        )
    }
}
