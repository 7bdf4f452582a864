import BerthOCI
import Foundation

/// Signs an image by digest: a sigstore bundle as an OCI 1.1 referrer of the digest (and, for an index,
/// of every manifest in it), and optionally cosign's legacy `sha256-<hex>.sig` tag as well.
///
/// The referrer has the shape cosign v3 writes (`WriteAttestationNewBundleFormat`): an image manifest
/// with the empty config, `artifactType` the bundle media type, one layer holding the bundle, the
/// subject, and the annotations `dev.sigstore.bundle.content`, `dev.sigstore.bundle.predicateType`
/// and `org.opencontainers.image.created`. Where the registry lacks the referrers API the
/// `sha256-<hex>` fallback index gains it (`Referrers.link`, read-modify-write with retries).
///
/// Subjects are written side by side (at most `concurrency` at once), and one run reads a manifest or
/// blob by digest once (`ContentCache`).
public struct SigningService: Sendable {
    public let store: any ImageStore
    public let signer: any ArtifactSigner
    /// Whether to write the legacy cosign layout too (`sha256-<hex>.sig`, simple-signing layers).
    public var legacyTags: Bool
    /// The shortest wait before checking once more that every entry written is still there. Registries
    /// offer no compare-and-swap on a tag, so a writer that read the fallback index (or the `.sig` tag)
    /// before this run's write can put its own copy over it after this run's read-back, as late as its
    /// own read-to-write gap after its read. The check comes `settleFactor` times the longest
    /// read-to-write gap this run took after its last such write, and never sooner than `settle`
    /// (`RaceWindow`; docs/signing.md): an entry still present then has outlived every write that could
    /// drop it. One wait per run, not per subject; none when the run read and wrote no shared tag (a
    /// registry with the referrers API and legacy tags off).
    public var settle: Duration = .milliseconds(50)
    /// The wait as a multiple of the longest read-to-write gap of a shared tag this run measured.
    public var settleFactor = 4
    /// Subjects written at once.
    public var concurrency = 4
    /// Shared tags read and written at once in the second pass. Few, because the pause before the final
    /// check is 4× the longest read-to-write gap: nine writes at once queue at the registry and stretch
    /// every gap (and the pause) to the time all nine take, while two at a time keep a gap to about one
    /// read and one write, with nearly the same time for the pass.
    public var sharedTagConcurrency = 2

    public init(store: any ImageStore, signer: any ArtifactSigner, legacyTags: Bool = true) {
        self.store = store
        self.signer = signer
        self.legacyTags = legacyTags
    }

    /// What one signing wrote for one subject.
    public struct Signed: Sendable, Equatable {
        /// The digest signed.
        public let subject: Digest
        /// The referrer manifest holding the bundle.
        public let referrer: Digest
        /// The legacy tag written, when `legacyTags` is on.
        public let legacyTag: String?
        /// The legacy signature manifest that tag now names.
        public let legacyManifest: Digest?
    }

    /// Signs `digest` in `repository` and, when it is an index, every manifest it lists.
    /// `dockerReference` (`host/repository`) goes into the legacy payload; `created` into the referrer's
    /// annotation (RFC 3339, from the caller's clock).
    ///
    /// In two passes: first every blob and referrer manifest of every subject is pushed, side by side;
    /// then the shared tags (fallback indexes, `.sig` tags) are read and written, `sharedTagConcurrency`
    /// at a time, on a registry no longer busy with this run's uploads, so each read-to-write gap, and
    /// with it the `RaceWindow` pause before the final check, stays short.
    public func sign(_ repository: String, digest: Digest, dockerReference: String, created: String) async throws -> [Signed] {
        let run = cached()
        let window = run.raceWindow()
        let subjects = try await run.subjects(repository, digest: digest, dockerReference: dockerReference)
        let prepared = try await mapConcurrently(subjects, limit: concurrency) { subject in
            try await run.prepareSignature(repository, subject: subject, dockerReference: dockerReference, created: created)
        }
        let updates = prepared.flatMap { prepared in
            [SharedTagUpdate.referrers([prepared.referrer])] + (prepared.legacy.map { [.legacy($0)] } ?? [])
        }
        let legacyManifests = try await run.writeSharedTags(repository, updates, window: window)
        let written = prepared.map { prepared in
            Written(
                signed: Signed(
                    subject: prepared.subject, referrer: prepared.referrer.digest, legacyTag: prepared.legacy?.tag,
                    legacyManifest: prepared.legacy.flatMap { legacyManifests[$0.tag] }),
                referrer: prepared.referrer, legacyLayer: prepared.legacy?.layers.first)
        }
        try await run.confirm(repository, written, window: window)
        return written.map(\.signed)
    }

    /// This service reading through a `ContentCache` for one run (itself when it already does).
    /// `made`: a build pushed whole to the store, whose manifests and blobs are read from memory.
    func cached(made: StagedImageStore? = nil) -> SigningService {
        guard !(store is ContentCache) else { return self }
        var run = SigningService(store: ContentCache(store, made: made), signer: signer, legacyTags: legacyTags)
        run.settle = settle
        run.settleFactor = settleFactor
        run.concurrency = concurrency
        run.sharedTagConcurrency = sharedTagConcurrency
        return run
    }

    /// A window for one run's writes of shared tags, with this service's pause.
    func raceWindow() -> RaceWindow { RaceWindow(minimum: settle, factor: settleFactor) }

    /// The subjects of `digest`: it, and every manifest of an index; refused when it doesn't exist.
    func subjects(_ repository: String, digest: Digest, dockerReference: String) async throws -> [Descriptor] {
        guard try await store.resolve(repository, reference: digest.description) != nil else {
            throw BerthError(
                .failure,
                "'\(dockerReference)@\(digest)' does not exist in \(store.displayName); push the image first or check the digest")
        }
        let document = try await store.fetchManifest(repository, reference: digest.description)
        var subjects = [document.descriptor]
        if document.isIndex {
            subjects += try document.index().manifests.filter {
                MediaType.isManifest($0.mediaType) || MediaType.isIndex($0.mediaType)
            }
        }
        return subjects
    }

    /// What was written for one subject, to check again after the pause.
    struct Written {
        let signed: Signed
        let referrer: ManifestDocument
        let legacyLayer: Descriptor?
    }

    /// Once `window` has stayed open long enough (`RaceWindow.waitOut`), checks every referrer is still
    /// listed and every legacy layer still in its tag; puts back what a racing writer dropped, and checks
    /// again, until a check finds all in place. Nothing to check when the run read and wrote no shared tag.
    func confirm(_ repository: String, _ written: [Written], window: RaceWindow) async throws {
        guard window.isOpen, !written.isEmpty else { return }
        let referrers = Referrers(store: store)
        for _ in 0..<8 {
            try await window.waitOut()
            // Each subject's referrers and each legacy tag are read once per check, all at once.
            let subjects = Array(Set(written.map(\.signed.subject)))
            let tags = Array(Set(written.compactMap { $0.legacyLayer == nil ? nil : $0.signed.legacyTag }))
            async let listedLists = mapConcurrently(subjects, limit: concurrency) { subject in
                Set(try await referrers.list(repository, subject: subject).map(\.digest))
            }
            async let taggedLists = mapConcurrently(tags, limit: concurrency) { tag in
                try await legacyManifest(repository, tag: tag)?.layers ?? []
            }
            let listed = Dictionary(uniqueKeysWithValues: zip(subjects, try await listedLists))
            let tagged = Dictionary(uniqueKeysWithValues: zip(tags, try await taggedLists))
            var missingReferrers: [ManifestDocument] = []
            var missingLayers: [String: [Descriptor]] = [:]
            for entry in written {
                if listed[entry.signed.subject]?.contains(entry.referrer.digest) != true {
                    missingReferrers.append(entry.referrer)
                }
                if let layer = entry.legacyLayer, let tag = entry.signed.legacyTag,
                    tagged[tag]?.contains(where: { Self.sameSignature($0, layer) }) != true
                {
                    missingLayers[tag, default: []].append(layer)
                }
            }
            if missingReferrers.isEmpty && missingLayers.isEmpty { return }
            for referrer in missingReferrers { try await referrers.link(referrer, in: repository, window: window) }
            for (tag, layers) in missingLayers {
                _ = try await appendLegacy(repository, tag: tag, layers: layers, window: window)
            }
        }
        throw BerthError(
            .conflict,
            "the signatures of \(repository) in \(store.displayName) kept being replaced by other writers; "
                + "run berth sign again when they are done")
    }

    /// One subject's signature with its blobs and referrer manifest pushed, its shared tags not yet written.
    struct PreparedSignature: Sendable {
        let subject: Digest
        let referrer: ManifestDocument
        let legacy: PendingLegacy?
    }

    /// Pushes `subject`'s bundle and referrer manifest and, with legacy tags on, its `.sig` payload and the
    /// config a fresh `.sig` tag gets, side by side.
    func prepareSignature(_ repository: String, subject: Descriptor, dockerReference: String, created: String)
        async throws -> PreparedSignature
    {
        async let referrer = writeReferrer(
            repository, subject: subject, bundle: signer.signatureBundle(for: subject.digest),
            predicateType: TrustFormats.cosignSignPredicate, created: created)
        let legacy =
            legacyTags
            ? try await prepareLegacySignature(repository, subject: subject.digest, dockerReference: dockerReference) : nil
        return PreparedSignature(subject: subject.digest, referrer: try await referrer, legacy: legacy)
    }

    /// A shared tag to read and write once everything it names is pushed.
    enum SharedTagUpdate: Sendable {
        /// Referrers of one subject, to link with one write of its fallback index.
        case referrers([ManifestDocument])
        /// New layers of a `.sig` or `.att` tag.
        case legacy(PendingLegacy)
    }

    /// Writes every update, `sharedTagConcurrency` at a time, each with one read and one write (the final
    /// check, `confirm`, reads them back); returns the manifest each legacy tag now names.
    func writeSharedTags(_ repository: String, _ updates: [SharedTagUpdate], window: RaceWindow) async throws
        -> [String: Digest]
    {
        let referrers = Referrers(store: store)
        let manifests = Locked<[String: Digest]>([:])
        try await forEachConcurrently(updates, limit: sharedTagConcurrency) { update in
            switch update {
            case .referrers(let documents):
                try await referrers.link(documents, in: repository, window: window, readBack: false)
            case .legacy(let pending):
                let manifest = try await appendLegacy(repository, pending, window: window)
                manifests.withLock { $0[pending.tag] = manifest }
            }
        }
        return manifests.current
    }

    /// Pushes `bundle` as a referrer of `subject` (cosign v3's shape, `predicateType` in its annotation);
    /// the caller links it (`Referrers.link`), with the subject's other referrers in one write.
    func writeReferrer(_ repository: String, subject: Descriptor, bundle: Data, predicateType: String, created: String)
        async throws -> ManifestDocument
    {
        let staged = try await stageReferrer(
            repository, subject: subject, bundle: bundle, predicateType: predicateType, created: created)
        try await pushReferrer(repository, staged)
        return staged.document
    }

    /// A referrer whose blobs are in the store and whose manifest is not yet.
    struct StagedReferrer: Sendable {
        let document: ManifestDocument
        let bundle: Data
    }

    /// Pushes the blobs of `bundle`'s referrer of `subject` and makes its manifest (cosign v3's shape,
    /// `predicateType` in its annotation), for `pushReferrer` to push.
    func stageReferrer(_ repository: String, subject: Descriptor, bundle: Data, predicateType: String, created: String)
        async throws -> StagedReferrer
    {
        let bundleDescriptor = Descriptor(
            mediaType: TrustFormats.bundleMediaType, digest: .sha256(of: bundle), size: Int64(bundle.count))
        // A bundle is new (it holds a fresh signature): pushed without asking first. The empty config is
        // asked about, and pushed when missing, once per run (`ContentCache.ensureBlob`), the two side by side.
        async let emptyConfig: Void = pushBlobIfAbsent(
            repository, Referrers.emptyConfigBytes, digest: Referrers.emptyConfig.digest)
        try await store.pushBlob(repository, digest: bundleDescriptor.digest, data: bundle)
        try await emptyConfig
        var config = Referrers.emptyConfig
        config.artifactType = TrustFormats.bundleMediaType
        let manifest = ImageManifest(
            config: config, layers: [bundleDescriptor],
            subject: Descriptor(mediaType: subject.mediaType, digest: subject.digest, size: subject.size),
            annotations: [
                TrustFormats.createdAnnotation: created,
                TrustFormats.bundleContentAnnotation: "dsse-envelope",
                TrustFormats.bundlePredicateTypeAnnotation: predicateType,
            ],
            artifactType: TrustFormats.bundleMediaType)
        return StagedReferrer(document: try ManifestDocument(bytes: CanonicalJSON.encode(manifest)), bundle: bundle)
    }

    /// Pushes a staged referrer's manifest (by digest).
    func pushReferrer(_ repository: String, _ staged: StagedReferrer) async throws {
        try await pushManifest(
            repository, reference: staged.document.digest.description, staged.document,
            blobs: [
                (Referrers.emptyConfigBytes, Referrers.emptyConfig.digest), (staged.bundle, .sha256(of: staged.bundle)),
            ])
    }

    /// New layers for a legacy tag (`.sig`, `.att`), their blobs pushed, and the config a tag holding
    /// just them gets, pushed too: a tag that doesn't exist yet (the usual case) is then written right
    /// after it is read, with no upload between the two.
    struct PendingLegacy: Sendable {
        let tag: String
        let layers: [Descriptor]
        /// The digest of the config for `layers` alone.
        let freshConfig: Digest
    }

    /// cosign's legacy layout: one image manifest per subject under `sha256-<hex>.sig`, one
    /// simple-signing layer per signature, the signature in the layer's annotation. Pushes the payload
    /// (without asking first: it is new unless this digest was signed here before, and pushing it again
    /// costs no more than asking) and the fresh config; `appendLegacy` writes the tag.
    func prepareLegacySignature(_ repository: String, subject: Digest, dockerReference: String) async throws
        -> PendingLegacy
    {
        let signature = try signer.simpleSignature(for: subject, dockerReference: dockerReference)
        let layer = Descriptor(
            mediaType: TrustFormats.simpleSigningMediaType, digest: .sha256(of: signature.payload),
            size: Int64(signature.payload.count), annotations: [TrustFormats.signatureAnnotation: signature.signature])
        return try await prepareLegacy(
            repository, tag: TrustFormats.legacySignatureTag(for: subject), layers: [layer], blobs: [signature.payload])
    }

    /// Pushes `blobs` (the layers' bytes, new: each holds a fresh signature) and the config of a tag holding
    /// `layers` alone, side by side.
    func prepareLegacy(_ repository: String, tag: String, layers: [Descriptor], blobs: [Data]) async throws -> PendingLegacy {
        let config = try Self.legacyConfig(layers)
        let store = store
        try await forEachConcurrently(blobs + [config], limit: blobs.count + 1) { blob in
            try await store.pushBlob(repository, digest: .sha256(of: blob), data: blob)
        }
        return PendingLegacy(tag: tag, layers: layers, freshConfig: .sha256(of: config))
    }

    /// The config cosign gives a legacy manifest of `layers`.
    static func legacyConfig(_ layers: [Descriptor]) throws -> Data {
        try CanonicalJSON.encode(LegacySignatureConfig(diffIDs: layers.map(\.digest.description)))
    }

    /// `appendLegacy` of a prepared update, without reading the tag back (the final check does).
    func appendLegacy(_ repository: String, _ pending: PendingLegacy, window: RaceWindow) async throws -> Digest {
        try await appendLegacy(
            repository, tag: pending.tag, layers: pending.layers, window: window, freshConfig: pending.freshConfig,
            readBack: false)
    }

    /// Adds every one of `added` to the manifest under `tag` in one write: read, extended, written back,
    /// and read again (retried when a racing writer replaced it) unless `readBack` is off, when the caller
    /// checks later; returns the manifest's digest. `window` hears of every read and write of the tag. A
    /// config whose digest is `freshConfig` was pushed already.
    func appendLegacy(
        _ repository: String, tag: String, layers added: [Descriptor], window: RaceWindow? = nil, freshConfig: Digest? = nil,
        readBack: Bool = true
    ) async throws
        -> Digest
    {
        var writes = 0
        var replaced = false
        for _ in 0..<48 where writes < 16 {
            // Our write was read back without our layers, or the tag moved under the config upload: a
            // racing writer. A short random pause lets the writers fall out of step before reading afresh.
            if replaced { try await Self.backOff() }
            let read = ContinuousClock.now
            let current = try await legacyManifest(repository, tag: tag)
            var layers = current?.layers ?? []
            let missing = added.filter { layer in !layers.contains { Self.sameSignature($0, layer) } }
            if let current, missing.isEmpty {
                window?.wrote(readAt: read)
                return current.digest
            }
            if writes > 0 && !replaced {
                replaced = true
                continue
            }
            replaced = false
            layers += missing
            let config = try Self.legacyConfig(layers)
            // From the read (or, after a config upload, from the check that the tag didn't move meanwhile)
            // on, berth's own read-to-write gap runs: what `window` measures.
            var checked = read
            if Digest.sha256(of: config) != freshConfig {
                try await store.pushBlob(repository, digest: .sha256(of: config), data: config)  // new with each new layer
                // The config upload took round trips: a tag that moved meanwhile is read again rather than overwritten.
                checked = ContinuousClock.now
                guard try await store.resolve(repository, reference: tag)?.digest == current?.digest else {
                    replaced = true
                    continue
                }
            }
            let manifest = ImageManifest(
                config: Descriptor(mediaType: MediaType.ociConfig, digest: .sha256(of: config), size: Int64(config.count)),
                layers: layers)
            let document = try ManifestDocument(bytes: CanonicalJSON.encode(manifest))
            try await pushManifest(repository, reference: tag, document, blobs: [(config, .sha256(of: config))])
            window?.wrote(readAt: checked)
            writes += 1
            if !readBack { return document.digest }
        }
        if let current = try await legacyManifest(repository, tag: tag),
            added.allSatisfy({ layer in current.layers.contains { Self.sameSignature($0, layer) } })
        {
            return current.digest
        }
        throw BerthError(
            .conflict,
            "the signature tag '\(tag)' in \(store.displayName)/\(repository) kept changing under 16 writes; "
                + "run berth sign again when the other signer is done")
    }

    /// A short random pause before trying a contended tag again, so racing writers fall out of step.
    static func backOff() async throws { try await Task.sleep(for: .milliseconds(Int.random(in: 10...60))) }

    private static func sameSignature(_ a: Descriptor, _ b: Descriptor) -> Bool {
        a.digest == b.digest
            && a.annotations?[TrustFormats.signatureAnnotation] == b.annotations?[TrustFormats.signatureAnnotation]
    }

    /// The signature manifest `tag` names (its digest and layers), read with one GET; nil when there is none.
    func legacyManifest(_ repository: String, tag: String) async throws -> (digest: Digest, layers: [Descriptor])? {
        let document: ManifestDocument
        do { document = try await store.fetchManifest(repository, reference: tag) } catch let error as ImageStoreError
            where error.kind == .notFound
        {
            return nil
        }
        guard MediaType.isManifest(document.mediaType) else {
            throw BerthError(
                .conflict,
                "tag '\(tag)' in \(store.displayName)/\(repository) is not a cosign signature manifest; remove it or sign with --no-legacy-tags"
            )
        }
        return (document.digest, try document.manifest().layers)
    }

    /// Pushes `manifest`; when the store refuses it, pushes its new blobs again and tries once more.
    /// Docker Distribution 2.8 can refuse a manifest (`DIGEST_INVALID`) whose blob another writer was
    /// uploading at the same moment (every signer uploads the same empty config), which a second upload mends.
    private func pushManifest(
        _ repository: String, reference: String, _ manifest: ManifestDocument, blobs: [(Data, Digest)]
    ) async throws {
        do {
            try await store.pushManifest(repository, reference: reference, manifest: manifest)
        } catch let error as ImageStoreError where error.kind == .invalid || error.kind == .unavailable {
            for (data, digest) in blobs { try await store.pushBlob(repository, digest: digest, data: data) }
            try await store.pushManifest(repository, reference: reference, manifest: manifest)
        }
    }

    func pushBlobIfAbsent(_ repository: String, _ data: Data, digest: Digest) async throws {
        if let cache = store as? ContentCache { return try await cache.ensureBlob(repository, digest: digest, data: data) }
        if try await store.blobExists(repository, digest: digest) { return }
        try await store.pushBlob(repository, digest: digest, data: data)
    }
}

/// The image config cosign gives a `.sig` manifest: an empty image whose layers are the payloads.
struct LegacySignatureConfig: Encodable {
    struct RootFS: Encodable {
        let type = "layers"
        let diffIDs: [String]
        enum CodingKeys: String, CodingKey {
            case type
            case diffIDs = "diff_ids"
        }
    }
    struct History: Encodable { let created = "0001-01-01T00:00:00Z" }
    let architecture = ""
    let os = ""
    let created = "0001-01-01T00:00:00Z"
    let config: [String: String] = [:]
    let rootfs: RootFS
    let history: [History]

    init(diffIDs: [String]) {
        rootfs = RootFS(diffIDs: diffIDs)
        history = diffIDs.map { _ in History() }
    }
}
