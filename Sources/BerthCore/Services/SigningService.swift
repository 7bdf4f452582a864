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
public struct SigningService: Sendable {
    public let store: any ImageStore
    public let signer: any ArtifactSigner
    /// Whether to write the legacy cosign layout too (`sha256-<hex>.sig`, simple-signing layers).
    public var legacyTags: Bool

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
    public func sign(_ repository: String, digest: Digest, dockerReference: String, created: String) async throws -> [Signed] {
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
        var results: [Signed] = []
        for subject in subjects {
            results.append(try await sign(repository, subject: subject, dockerReference: dockerReference, created: created))
        }
        return results
    }

    private func sign(_ repository: String, subject: Descriptor, dockerReference: String, created: String) async throws
        -> Signed
    {
        let bundle = try signer.signatureBundle(for: subject.digest)
        let bundleDescriptor = Descriptor(
            mediaType: TrustFormats.bundleMediaType, digest: .sha256(of: bundle), size: Int64(bundle.count))
        try await pushBlobIfAbsent(repository, bundle, digest: bundleDescriptor.digest)
        try await pushBlobIfAbsent(repository, Referrers.emptyConfigBytes, digest: Referrers.emptyConfig.digest)
        var config = Referrers.emptyConfig
        config.artifactType = TrustFormats.bundleMediaType
        let manifest = ImageManifest(
            config: config, layers: [bundleDescriptor],
            subject: Descriptor(mediaType: subject.mediaType, digest: subject.digest, size: subject.size),
            annotations: [
                TrustFormats.createdAnnotation: created,
                TrustFormats.bundleContentAnnotation: "dsse-envelope",
                TrustFormats.bundlePredicateTypeAnnotation: TrustFormats.cosignSignPredicate,
            ],
            artifactType: TrustFormats.bundleMediaType)
        let referrer = try ManifestDocument(bytes: CanonicalJSON.encode(manifest))
        try await store.pushManifest(repository, reference: referrer.digest.description, manifest: referrer)
        try await Referrers(store: store).link(referrer, in: repository)
        guard legacyTags else {
            return Signed(subject: subject.digest, referrer: referrer.digest, legacyTag: nil, legacyManifest: nil)
        }
        let (tag, legacy) = try await writeLegacy(repository, subject: subject.digest, dockerReference: dockerReference)
        return Signed(subject: subject.digest, referrer: referrer.digest, legacyTag: tag, legacyManifest: legacy)
    }

    /// cosign's legacy layout: one image manifest per subject under `sha256-<hex>.sig`, one
    /// simple-signing layer per signature, the signature in the layer's annotation. Read, extended and
    /// written back, so signatures by other keys survive; read again after the write and retried when a
    /// racing writer replaced it.
    private func writeLegacy(_ repository: String, subject: Digest, dockerReference: String) async throws -> (String, Digest) {
        let tag = TrustFormats.legacySignatureTag(for: subject)
        let signature = try signer.simpleSignature(for: subject, dockerReference: dockerReference)
        let layer = Descriptor(
            mediaType: TrustFormats.simpleSigningMediaType, digest: .sha256(of: signature.payload),
            size: Int64(signature.payload.count), annotations: [TrustFormats.signatureAnnotation: signature.signature])
        try await pushBlobIfAbsent(repository, signature.payload, digest: layer.digest)
        for _ in 0..<8 {
            var layers = try await legacyLayers(repository, tag: tag)
            if layers.contains(where: { Self.sameSignature($0, layer) }),
                let current = try await store.resolve(repository, reference: tag)
            {
                return (tag, current.digest)
            }
            layers.append(layer)
            let config = try CanonicalJSON.encode(LegacySignatureConfig(diffIDs: layers.map(\.digest.description)))
            try await pushBlobIfAbsent(repository, config, digest: .sha256(of: config))
            let manifest = ImageManifest(
                config: Descriptor(mediaType: MediaType.ociConfig, digest: .sha256(of: config), size: Int64(config.count)),
                layers: layers)
            let document = try ManifestDocument(bytes: CanonicalJSON.encode(manifest))
            try await store.pushManifest(repository, reference: tag, manifest: document)
        }
        if try await legacyLayers(repository, tag: tag).contains(where: { Self.sameSignature($0, layer) }),
            let current = try await store.resolve(repository, reference: tag)
        {
            return (tag, current.digest)
        }
        throw BerthError(
            .conflict,
            "the signature tag '\(tag)' in \(store.displayName)/\(repository) kept changing under 8 writes; "
                + "run berth sign again when the other signer is done")
    }

    private static func sameSignature(_ a: Descriptor, _ b: Descriptor) -> Bool {
        a.digest == b.digest
            && a.annotations?[TrustFormats.signatureAnnotation] == b.annotations?[TrustFormats.signatureAnnotation]
    }

    private func legacyLayers(_ repository: String, tag: String) async throws -> [Descriptor] {
        guard try await store.resolve(repository, reference: tag) != nil else { return [] }
        let document = try await store.fetchManifest(repository, reference: tag)
        guard MediaType.isManifest(document.mediaType) else {
            throw BerthError(
                .conflict,
                "tag '\(tag)' in \(store.displayName)/\(repository) is not a cosign signature manifest; remove it or sign with --no-legacy-tags"
            )
        }
        return try document.manifest().layers
    }

    private func pushBlobIfAbsent(_ repository: String, _ data: Data, digest: Digest) async throws {
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
