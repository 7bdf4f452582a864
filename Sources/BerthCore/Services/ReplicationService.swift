import BerthOCI
import Foundation

/// Copies images by digest between stores with everything attached to them: every platform manifest
/// and blob, every referrer (signatures, attestations, SBOMs; the referrers API or the `sha256-<hex>`
/// fallback index) and their referrers in turn, and cosign's legacy `sha256-<hex>.sig`/`.att`/`.sbom`
/// tags. Manifests are pushed as the bytes read, never re-encoded, so digests survive.
///
/// What the destination has is skipped (a HEAD first), and the order makes a re-run after a crash
/// finish the job: blobs and child manifests, then the referrers (before the manifests they refer to,
/// whose presence means done), then the destination's fallback index, and the tags last, so a tag at
/// the destination means the image and what was attached to it are complete. A destination tag on
/// another digest is reported and left where it is unless `force`.
public struct ReplicationService: Sendable {
    public let source: any ImageStore
    public let destination: any ImageStore
    /// Blob transfers at once, per image.
    public var blobConcurrency = 4
    /// Images copied at once (`sync`).
    public var imageConcurrency = 4
    /// Move destination tags that name another digest.
    public var force = false
    /// Where the names the ledger uses come from: `host/repo` of each side's repository.
    public var sourceName: @Sendable (String) -> String
    public var destinationName: @Sendable (String) -> String
    /// Records `replicated` when the digest is a release the ledger knows; nil: nothing recorded.
    public var recorder: ReplicationRecorder?
    public var checkpoint: Checkpoint = .none
    public var onEvent: (@Sendable (TransferEvent) -> Void)?

    /// What each repository is known to have, read once per run.
    let session = ReplicationSession()

    public init(source: any ImageStore, destination: any ImageStore) {
        self.source = source
        self.destination = destination
        let sourceDisplay = source.displayName
        let destinationDisplay = destination.displayName
        sourceName = { "\(sourceDisplay)/\($0)" }
        destinationName = { "\(destinationDisplay)/\($0)" }
    }

    /// Replicates every job, `imageConcurrency` at once; a job that fails is reported, the others go on.
    public func run(_ jobs: [ReplicationJob]) async throws -> ReplicationReport {
        let report = Locked(ReplicationReport())
        try await forEachConcurrently(jobs, limit: imageConcurrency) { job in
            do {
                let image = try await replicate(job)
                report.withLock { $0.images.append(image) }
            } catch let error as BerthError {
                report.withLock { $0.failures.append(ReplicationFailure(job: job, message: error.message, kind: error.kind)) }
            } catch let error as ImageStoreError {
                let failure = ReplicationFailure(job: job, message: error.message, kind: error.berthError.kind)
                report.withLock { $0.failures.append(failure) }
            }
        }
        var result = report.current
        let order = Dictionary(jobs.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
        result.images.sort { order[$0.job] ?? 0 < order[$1.job] ?? 0 }
        result.failures.sort { order[$0.job] ?? 0 < order[$1.job] ?? 0 }
        return result
    }

    /// Replicates one image with everything attached; throws on the first failure.
    public func replicate(_ job: ReplicationJob) async throws -> ReplicatedImage {
        // One GET: the document's digest is of the bytes read, and a digest reference is verified by the store.
        let document = try await source.fetchManifest(job.sourceRepository, reference: job.reference)
        let tally = Locked(ReplicatedImage(job: job, digest: document.digest))
        let copier = copier(tally)
        let landed = try await destination.resolve(job.destinationRepository, reference: document.digest.description)
        if landed == nil { try await copier.copyContent(of: document, from: job.sourceRepository, to: job.destinationRepository) }
        try await copyAttached(to: subjects(of: document), job: job, copier: copier, tally: tally)
        try checkpoint.reached(.syncReferrersCopied)
        if landed == nil && job.tags.isEmpty {
            try await copier.push(document, to: job.destinationRepository, reference: document.digest.description)
            tally.withLock { $0.manifestsCopied += 1 }
        }
        try await writeTags(document, job: job, copier: copier, tally: tally)
        if landed == nil && !job.tags.isEmpty && tally.current.tagsWritten.isEmpty
            && !tally.current.conflicts.filter({ !$0.moved }).isEmpty
        {
            // Every tag is held by another digest: the image still lands, by digest, with what is attached.
            try await copier.push(document, to: job.destinationRepository, reference: document.digest.description)
            tally.withLock { $0.manifestsCopied += 1 }
        }
        try checkpoint.reached(.syncImageCopied)
        if let recorder {
            let recorded = try await recorder.record(
                repository: sourceName(job.sourceRepository), digest: document.digest,
                destination: destinationName(job.destinationRepository), tags: job.tags)
            tally.withLock {
                $0.recordedEvent = recorded?.id
                $0.version = recorded?.version
            }
        }
        var image = tally.current
        let wrote = image.manifestsCopied + image.legacyTagsCopied + image.fallbackIndexesWritten + image.tagsWritten.count
        image.outcome = wrote > 0 || image.blobsCopied > 0 ? .copied : .present
        return image
    }

    /// The digests things can be attached to: the manifest and, for an index, each manifest it lists.
    func subjects(of document: ManifestDocument) throws -> [Digest] {
        guard document.isIndex else { return [document.digest] }
        return [document.digest] + (try document.index().manifests.map(\.digest))
    }

    /// An `ImageCopier` between the two stores whose events are counted in `tally` and passed on.
    func copier(_ tally: Locked<ReplicatedImage>) -> ImageCopier {
        let outer = onEvent
        var copier = ImageCopier(source: source, destination: destination) { event in
            tally.withLock { image in
                switch event {
                case .blobCopied(_, let bytes):
                    image.blobsCopied += 1
                    image.bytesCopied += bytes
                case .blobPresent, .blobMounted: image.blobsSkipped += 1
                case .manifestPushed, .manifestPresent: break
                }
            }
            outer?(event)
        }
        copier.concurrency = blobConcurrency
        return copier
    }

    /// The tags, last: absent ones written, ones on the digest left, ones elsewhere reported (moved with `force`).
    func writeTags(_ document: ManifestDocument, job: ReplicationJob, copier: ImageCopier, tally: Locked<ReplicatedImage>)
        async throws
    {
        for tag in job.tags {
            guard try await shouldWrite(tag, wanted: document.digest, in: job.destinationRepository, tally: tally) else {
                continue
            }
            try await copier.push(document, to: job.destinationRepository, reference: tag)
            guard try await destination.resolve(job.destinationRepository, reference: tag)?.digest == document.digest else {
                throw ImageStoreError(
                    .conflict,
                    "\(destinationName(job.destinationRepository)):\(tag) names another digest than \(document.digest) after the copy; "
                        + "the registry rewrote the manifest or another writer moved the tag")
            }
            tally.withLock {
                $0.tagsWritten.append(tag)
                $0.manifestsCopied += 1
            }
        }
    }

    /// Whether destination `tag` is to be written: it names nothing yet, or (with `force`) another digest,
    /// which is reported either way; false when it names `wanted` already.
    func shouldWrite(_ tag: String, wanted: Digest, in repository: String, tally: Locked<ReplicatedImage>) async throws -> Bool {
        let found = try await destination.resolve(repository, reference: tag)?.digest
        guard let found else { return true }
        if found == wanted { return false }
        tally.withLock { $0.conflicts.append(DestinationTagConflict(tag: tag, found: found, wanted: wanted, moved: force)) }
        return force
    }

    /// Copies what is attached to each of `subjects`, depth first: the referrers (with their own
    /// attachments before them), the fallback index at the destination, then the legacy cosign tags.
    func copyAttached(
        to subjects: [Digest], job: ReplicationJob, copier: ImageCopier, tally: Locked<ReplicatedImage>, depth: Int = 0
    ) async throws {
        // Referrers of referrers are a short chain (a signature of an SBOM); a longer one is a loop of indexes.
        guard depth < 8 else {
            throw ImageStoreError(
                .invalid,
                "the referrers of \(subjects.first?.description ?? "") in \(sourceName(job.sourceRepository)) nest deeper than 8; "
                    + "check its sha256-<hex> referrers indexes for a loop")
        }
        for subject in subjects {
            let (listed, sourceIndex) = try await sourceReferrers(job.sourceRepository, subject: subject)
            for entry in listed {
                if try await destination.resolve(job.destinationRepository, reference: entry.digest.description) != nil {
                    tally.withLock { $0.referrersPresent += 1 }
                    continue
                }
                let referrer = try await source.fetchManifest(job.sourceRepository, reference: entry.digest.description)
                try await copier.copyContent(of: referrer, from: job.sourceRepository, to: job.destinationRepository)
                try await copyAttached(
                    to: self.subjects(of: referrer), job: job, copier: copier, tally: tally, depth: depth + 1)
                try await copier.push(referrer, to: job.destinationRepository, reference: referrer.digest.description)
                tally.withLock {
                    $0.referrersCopied += 1
                    $0.manifestsCopied += 1
                }
            }
            if !listed.isEmpty {
                try await linkAtDestination(listed, subject: subject, sourceIndex: sourceIndex, job: job, tally: tally)
            }
            try await copyLegacyTags(of: subject, job: job, copier: copier, tally: tally)
        }
    }

    /// The referrers of `subject` at the source, and the fallback index they came from (nil where the
    /// source answers the referrers API).
    func sourceReferrers(_ repository: String, subject: Digest) async throws -> ([Descriptor], ManifestDocument?) {
        if let found = try await apiReferrers(source, repository, subject: subject, side: .source) {
            return (found, nil)
        }
        let tag = Referrers.fallbackTag(for: subject)
        guard try await sourceTags(repository).contains(tag) else { return ([], nil) }
        let index = try await source.fetchManifest(repository, reference: tag)
        guard index.isIndex else {
            throw ImageStoreError(
                .conflict,
                "tag '\(tag)' in \(sourceName(repository)) is not a referrers index; remove or rename it, then sync again")
        }
        return (try index.index().manifests.filter { $0.digest != subject }, index)
    }

    /// Makes the copied referrers findable at the destination: nothing where it answers the referrers
    /// API; else the source's fallback index pushed as its bytes when the destination has none, or the
    /// missing entries added to the destination's own.
    func linkAtDestination(
        _ listed: [Descriptor], subject: Digest, sourceIndex: ManifestDocument?, job: ReplicationJob,
        tally: Locked<ReplicatedImage>
    ) async throws {
        let repository = job.destinationRepository
        if let found = try await apiReferrers(destination, repository, subject: subject, side: .destination) {
            if Set(listed.map(\.digest)).isSubset(of: found.map(\.digest)) { return }
        }
        let tag = Referrers.fallbackTag(for: subject)
        let present = try await destination.resolve(repository, reference: tag)
        if let sourceIndex {
            if present?.digest == sourceIndex.digest { return }
            if present == nil {
                try await destination.pushManifest(repository, reference: tag, manifest: sourceIndex)
                tally.withLock { $0.fallbackIndexesWritten += 1 }
                return
            }
        }
        let before = present?.digest
        try await Referrers(store: destination).link(listed, subject: subject, in: repository)
        if try await destination.resolve(repository, reference: tag)?.digest != before {
            tally.withLock { $0.fallbackIndexesWritten += 1 }
        }
    }

    /// cosign's legacy tags of `subject` (`.sig`, `.att`, `.sbom`) that the source has: copied where the
    /// destination lacks them; one on another digest is a conflict like any tag.
    func copyLegacyTags(of subject: Digest, job: ReplicationJob, copier: ImageCopier, tally: Locked<ReplicatedImage>) async throws
    {
        let tags = try await sourceTags(job.sourceRepository)
        for suffix in Self.legacySuffixes {
            let tag = "\(Referrers.fallbackTag(for: subject)).\(suffix)"
            guard tags.contains(tag) else { continue }
            // One GET: the digest is of the bytes read, and the bytes are what a copy pushes.
            let document: ManifestDocument
            do { document = try await source.fetchManifest(job.sourceRepository, reference: tag) } catch let error
                as ImageStoreError where error.kind == .notFound
            {
                continue  // Removed since the tags were listed.
            }
            guard try await shouldWrite(tag, wanted: document.digest, in: job.destinationRepository, tally: tally) else {
                continue
            }
            try await copier.copyContent(of: document, from: job.sourceRepository, to: job.destinationRepository)
            try await copier.push(document, to: job.destinationRepository, reference: tag)
            tally.withLock {
                $0.legacyTagsCopied += 1
                $0.manifestsCopied += 1
            }
        }
    }

    /// cosign's tag suffixes: signatures, attestations, attached SBOMs.
    public static let legacySuffixes = ["sig", "att", "sbom"]

    /// The source repository's tags, listed once per run.
    func sourceTags(_ repository: String) async throws -> Set<String> {
        if let known = session.tags.withLock({ $0[repository] }) { return known }
        let listed = Set(try await source.listTags(repository))
        session.tags.withLock { $0[repository] = listed }
        return listed
    }

    enum Side { case source, destination }

    /// The referrers API's answer, asked of each repository until it says it has none (then the
    /// fallback tag schema applies, without asking again); nil where there is no API.
    func apiReferrers(_ store: any ImageStore, _ repository: String, subject: Digest, side: Side) async throws -> [Descriptor]? {
        guard let listing = store as? any ReferrersListing else { return nil }
        let key = "\(side):\(repository)"
        if session.withoutAPI.withLock({ $0.contains(key) }) { return nil }
        guard let found = try await listing.referrers(repository, digest: subject) else {
            session.withoutAPI.withLock { _ = $0.insert(key) }
            return nil
        }
        return found.filter { $0.digest != subject }
    }
}

/// What one replication run has learnt of its repositories, shared by its concurrent images.
final class ReplicationSession: Sendable {
    let tags = Locked<[String: Set<String>]>([:])
    let withoutAPI = Locked<Set<String>>([])
}
