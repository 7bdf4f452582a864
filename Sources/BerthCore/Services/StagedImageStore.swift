import BerthOCI
import Foundation

/// A read-only store over what a build made, held in memory, that reads any other blob (the base
/// image's layers) from the base's store. Publishing a build is copying from it with `ImageCopier`.
public struct StagedImageStore: ImageStore, BlobStreaming {
    public let displayName = "build"
    private let blobs: [Digest: Data]
    private let manifests: [Digest: ManifestDocument]
    private let fallback: (store: any ImageStore, repository: String)?

    public init(blobs: [Digest: Data], manifests: [ManifestDocument], fallback: (store: any ImageStore, repository: String)?) {
        self.blobs = blobs
        self.manifests = Dictionary(manifests.map { ($0.digest, $0) }) { first, _ in first }
        self.fallback = fallback
    }

    /// A manifest the build made, by digest; nil for any other.
    public func madeManifest(_ digest: Digest) -> ManifestDocument? { manifests[digest] }

    /// The artifacts the build made about `subject` (its SBOM), as a referrers listing names them.
    public func madeReferrers(of subject: Digest) -> [Descriptor] {
        manifests.values.compactMap { document -> Descriptor? in
            guard !document.isIndex, let manifest = try? document.manifest(), manifest.subject?.digest == subject else {
                return nil
            }
            var descriptor = document.descriptor
            descriptor.artifactType = manifest.artifactType ?? manifest.config.mediaType
            return descriptor
        }.sorted { $0.digest.description < $1.digest.description }
    }

    /// A blob the build made (a config, an SBOM, a layer), by digest; nil for any other, the base's layers included.
    public func madeBlob(_ digest: Digest) -> Data? { blobs[digest] }

    public func listTags(_ repository: String) async throws -> [String] { [] }

    public func resolve(_ repository: String, reference: String) async throws -> Descriptor? {
        Digest(reference).flatMap { manifests[$0]?.descriptor }
    }

    public func fetchManifest(_ repository: String, reference: String) async throws -> ManifestDocument {
        guard let digest = Digest(reference), let document = manifests[digest] else {
            throw ImageStoreError(.notFound, "the build made no manifest '\(reference)'")
        }
        return document
    }

    public func fetchBlob(_ repository: String, digest: Digest) async throws -> Data {
        if let data = blobs[digest] { return data }
        guard let fallback else { throw ImageStoreError(.notFound, "the build made no blob \(digest)") }
        return try await fallback.store.fetchBlob(fallback.repository, digest: digest)
    }

    public func blobExists(_ repository: String, digest: Digest) async throws -> Bool {
        if blobs[digest] != nil { return true }
        guard let fallback else { return false }
        return try await fallback.store.blobExists(fallback.repository, digest: digest)
    }

    public func openBlob(_ repository: String, digest: Digest) async throws -> BlobChunks {
        if let data = blobs[digest] { return Self.single(data) }
        if let fallback, let streaming = fallback.store as? any BlobStreaming {
            return try await streaming.openBlob(fallback.repository, digest: digest)
        }
        return Self.single(try await fetchBlob(repository, digest: digest))
    }

    private static func single(_ data: Data) -> BlobChunks {
        let handed = Locked(false)
        return BlobChunks(size: Int64(data.count)) {
            // The data the first time only.
            handed.withLock { handed in
                defer { handed = true }
                return handed ? nil : data
            }
        }
    }

    public func pushBlob(_ repository: String, digest: Digest, data: Data) async throws { throw readOnly }
    public func pushBlob(_ repository: String, digest: Digest, chunks: BlobChunks) async throws { throw readOnly }
    public func pushManifest(_ repository: String, reference: String, manifest: ManifestDocument) async throws { throw readOnly }
    public func deleteManifest(_ repository: String, digest: Digest) async throws { throw readOnly }
    public func deleteTag(_ repository: String, tag: String) async throws { throw readOnly }

    private var readOnly: ImageStoreError { ImageStoreError(.unsupported, "a build's staging store is read-only") }
}
