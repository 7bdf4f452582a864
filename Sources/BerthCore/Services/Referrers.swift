import BerthOCI
import Foundation

/// Artifacts attached to an image (SBOMs, signatures): OCI 1.1 manifests whose `subject` is the image.
///
/// Where the registry offers the referrers API it keeps the list itself; elsewhere (Docker
/// Distribution 2.8, layouts) the list is an image index under the tag `sha256-<hex>` of the subject
/// (distribution-spec "Referrers Tag Schema"), which berth reads and updates.
public struct Referrers: Sendable {
    public let store: any ImageStore

    public init(store: any ImageStore) { self.store = store }

    /// The fallback tag that lists the referrers of `digest`.
    public static func fallbackTag(for digest: Digest) -> String { "\(digest.algorithm)-\(digest.hex)" }

    /// The artifact manifest for `blob` (an SBOM, say) about `subject`, with the empty config.
    public static func artifact(
        type artifactType: String, blob: Descriptor, subject: Descriptor, annotations: [String: String]
    ) throws -> ManifestDocument {
        let manifest = ImageManifest(
            config: emptyConfig, layers: [blob], subject: subject, annotations: annotations.isEmpty ? nil : annotations,
            artifactType: artifactType)
        return try ManifestDocument(bytes: CanonicalJSON.encode(manifest))
    }

    /// The empty JSON config of artifacts (image-spec "Guidance for an Empty Descriptor").
    public static let emptyConfigBytes = Data("{}".utf8)
    public static let emptyConfig = Descriptor(
        mediaType: MediaType.ociEmpty, digest: Digest.sha256(of: emptyConfigBytes), size: Int64(emptyConfigBytes.count))

    /// The referrers of `subject`, from the API or the fallback tag; empty when there are none.
    public func list(_ repository: String, subject: Digest) async throws -> [Descriptor] {
        if let listing = store as? any ReferrersListing, let found = try await listing.referrers(repository, digest: subject) {
            return found
        }
        return try await fallbackIndex(repository, subject: subject)?.manifests ?? []
    }

    /// Makes an artifact already pushed by digest findable from its subject: nothing to do where the
    /// registry keeps referrers itself, else the fallback index gains it (once).
    ///
    /// The fallback index is read, extended and written back, so other tools' entries survive. Registries
    /// offer no compare-and-swap on a tag (Distribution 2.8 ignores `If-Match`), so a writer racing us can
    /// put its own read-back over ours: the index is read again after the write, and the whole step is
    /// retried (up to `attempts` times) until it holds the artifact. `window` hears of every read and
    /// write of the fallback index, for the caller's final check (`RaceWindow`).
    public func link(
        _ artifact: ManifestDocument, in repository: String, attempts: Int = 16, window: RaceWindow? = nil
    ) async throws {
        try await link([artifact], in: repository, attempts: attempts, window: window)
    }

    /// Links several artifacts about the same subject with one read-modify-write of its fallback index
    /// (with `readBack` off, as `link(_:subject:in:attempts:window:readBack:)`).
    public func link(
        _ artifacts: [ManifestDocument], in repository: String, attempts: Int = 16, window: RaceWindow? = nil,
        readBack: Bool = true
    ) async throws {
        guard let first = artifacts.first else { return }
        let manifests = try artifacts.map { try $0.manifest() }
        guard let subject = manifests[0].subject, manifests.allSatisfy({ $0.subject?.digest == subject.digest }) else {
            throw ImageStoreError(.invalid, "artifact \(first.digest) has no subject to attach it to, or not the others'")
        }
        let descriptors = zip(artifacts, manifests).map { artifact, manifest in
            var descriptor = artifact.descriptor
            descriptor.artifactType = manifest.artifactType ?? manifest.config.mediaType
            descriptor.annotations = manifest.annotations
            return descriptor
        }
        try await link(
            descriptors, subject: subject.digest, in: repository, attempts: attempts, window: window, readBack: readBack)
    }

    /// Makes the manifests `descriptors` name (already pushed, each about `subject`) findable from it:
    /// nothing where the registry keeps referrers itself, else the entries missing from the fallback index
    /// are added to it (read-modify-write, as `link(_:in:attempts:)`), the entries already there left as they are.
    /// With `readBack` off the index is written once and not read again: for a caller that checks every
    /// entry later anyway (signing's final check, once `window` has stayed open long enough).
    public func link(
        _ descriptors: [Descriptor], subject: Digest, in repository: String, attempts: Int = 16, window: RaceWindow? = nil,
        readBack: Bool = true
    ) async throws {
        guard !descriptors.isEmpty else { return }
        let wanted = Set(descriptors.map(\.digest))
        if let listing = store as? any ReferrersListing,
            let found = try await listing.referrers(repository, digest: subject)
        {
            if wanted.isSubset(of: found.map(\.digest)) { return }
        }
        let tag = Self.fallbackTag(for: subject)
        var writes = 0
        var replaced = false
        while writes < max(1, attempts) {
            // Our write was read back without our entries: a racing writer put its copy over it. A short
            // random pause lets the writers fall out of step before reading afresh.
            if replaced { try await Task.sleep(for: .milliseconds(Int.random(in: 5...30))) }
            let read = ContinuousClock.now
            var entries = try await fallbackIndex(repository, subject: subject)?.manifests ?? []
            let missing = descriptors.filter { descriptor in !entries.contains { $0.digest == descriptor.digest } }
            guard !missing.isEmpty else {
                window?.wrote(readAt: read)
                return
            }
            if writes > 0 && !replaced {
                replaced = true
                continue
            }
            replaced = false
            entries += missing
            let index = try ManifestDocument(bytes: CanonicalJSON.encode(ImageIndex(manifests: entries)))
            try await store.pushManifest(repository, reference: tag, manifest: index)
            window?.wrote(readAt: read)
            writes += 1
            if !readBack { return }
        }
        if let entries = try await fallbackIndex(repository, subject: subject)?.manifests,
            wanted.isSubset(of: entries.map(\.digest))
        {
            return
        }
        throw ImageStoreError(
            .conflict,
            "the referrers index '\(tag)' in \(store.displayName)/\(repository) kept changing under \(attempts) writes; "
                + "run the command again when the other writer is done")
    }

    /// Whether `artifact` is findable from its subject (the API, else the fallback index).
    public func isLinked(_ artifact: ManifestDocument, in repository: String) async throws -> Bool {
        guard let subject = try artifact.manifest().subject else { return false }
        return try await list(repository, subject: subject.digest).contains { $0.digest == artifact.digest }
    }

    private func fallbackIndex(_ repository: String, subject: Digest) async throws -> ImageIndex? {
        let tag = Self.fallbackTag(for: subject)
        // One GET, not HEAD then GET: the tag is read on every link and every check.
        let document: ManifestDocument
        do { document = try await store.fetchManifest(repository, reference: tag) } catch let error as ImageStoreError
            where error.kind == .notFound
        {
            return nil
        }
        guard document.isIndex else {
            throw ImageStoreError(
                .conflict, "tag '\(tag)' in \(store.displayName)/\(repository) is not a referrers index: remove it or rename it")
        }
        return try document.index()
    }
}
