import BerthCore
import BerthOCI
import Foundation

/// An image with what cosign and berth attach to it, in any store: an SBOM referrer, a
/// signature referrer of the SBOM, a signature referrer of the image (both in `sha256-<hex>` fallback
/// indexes) and a legacy `sha256-<hex>.sig` tag.
public struct AttachedImage: Sendable {
    public let image: ManifestDocument
    public let sbom: ManifestDocument
    public let sbomSignature: ManifestDocument
    public let signature: ManifestDocument
    public let legacy: ManifestDocument

    public static func push(into store: any ImageStore, repository: String, tag: String, seed: String, index: Bool = false)
        async throws -> AttachedImage
    {
        let image =
            index
            ? try await TestImages.pushIndex(into: store, repository: repository, tag: tag, seed: seed)
            : try await TestImages.push(into: store, repository: repository, tag: tag, seed: seed)
        let sbom = try await artifact(
            store, repository, about: image.descriptor, type: "application/spdx+json", body: "sbom \(seed)")
        let sbomSignature = try await artifact(
            store, repository, about: sbom.descriptor, type: "application/vnd.dev.sigstore.bundle.v0.3+json",
            body: "sig of sbom \(seed)")
        let signature = try await artifact(
            store, repository, about: image.descriptor, type: "application/vnd.dev.sigstore.bundle.v0.3+json", body: "sig \(seed)"
        )
        let legacy = try await TestImages.push(
            into: store, repository: repository, tag: "sha256-\(image.digest.hex).sig", seed: "legacy \(seed)", layers: 1)
        return AttachedImage(image: image, sbom: sbom, sbomSignature: sbomSignature, signature: signature, legacy: legacy)
    }

    public static func artifact(
        _ store: any ImageStore, _ repository: String, about subject: Descriptor, type: String, body: String
    ) async throws -> ManifestDocument {
        let data = Data(body.utf8)
        let blob = Descriptor(mediaType: type, digest: .sha256(of: data), size: Int64(data.count))
        try await store.pushBlob(repository, digest: blob.digest, data: data)
        try await store.pushBlob(repository, digest: Referrers.emptyConfig.digest, data: Referrers.emptyConfigBytes)
        let document = try Referrers.artifact(type: type, blob: blob, subject: subject, annotations: ["seed": body])
        try await store.pushManifest(repository, reference: document.digest.description, manifest: document)
        try await Referrers(store: store).link(document, in: repository)
        return document
    }

    /// Every manifest, the image first.
    /// The tags that hold what is attached: the fallback indexes of the image and the SBOM, the `.sig` tag.
    public var attachmentTags: [String] {
        [Referrers.fallbackTag(for: image.digest), Referrers.fallbackTag(for: sbom.digest), "sha256-\(image.digest.hex).sig"]
    }

    public var manifests: [ManifestDocument] { [image, sbom, sbomSignature, signature, legacy] }
}
